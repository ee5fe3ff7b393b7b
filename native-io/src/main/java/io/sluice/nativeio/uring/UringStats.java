package io.sluice.nativeio.uring;

import io.sluice.nativeio.ffm.Errno;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The io_uring port's own counters, beside the engine's {@link io.sluice.engine.phy.PortCounters}: system calls,
 * completions, and the errors the port absorbed instead of throwing, by errno. The receive thread writes the
 * receive side and the transmit thread the transmit side (opaque stores, each side in its own arrays); any
 * thread may read.
 */
public final class UringStats {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** errno values above this are counted under 0. */
    static final int MAX_ERRNO = 133;

    private static final int COMPLETIONS = 0;
    private static final int ENTERS = 1;
    private static final int ENTER_ERRORS = 2;
    private static final int ENTER_LAST_ERRNO = 3;
    private static final int ERRORS = 4;
    private static final int LAST_ERRNO = 5;
    private static final int SQ_FULL = 6;
    private static final int IN_FLIGHT = 7;
    // receive only
    private static final int RX_REARMED_AFTER_CANCEL = 8;
    private static final int RX_TRUNCATED = 9;
    private static final int RX_VLAN_RESTORED = 10;
    private static final int RX_KERNEL_PACKETS = 11;
    private static final int RX_KERNEL_DROPS = 12;
    private static final int RX_STATS_READS = 13;
    private static final int RX_SOCKET_ERRORS = 14;
    private static final int RX_LINK_DOWN = 15;
    private static final int RX_LINK_UP = 16;
    private static final int RX_TASKRUN_ENTERS = 17;
    private static final int RX_GSO_FRAMES = 18;
    // transmit only
    private static final int TX_OVERSIZE = 8;
    private static final int TX_NO_BUFFER = 9;
    // close (either side's array: the closing thread runs after both stopped)
    private static final int CLOSE_CANCELLED = 20;
    private static final int CLOSE_LEFT = 21;
    private static final int SIZE = 24;

    private final long[] rx = new long[SIZE];
    private final long[] tx = new long[SIZE];
    private final long[] rxErrno = new long[MAX_ERRNO + 1];
    private final long[] txErrno = new long[MAX_ERRNO + 1];

    private static void add(long[] a, int i, long n) {
        LONGS.setOpaque(a, i, (long) LONGS.getOpaque(a, i) + n);
    }

    private static void set(long[] a, int i, long n) {
        LONGS.setOpaque(a, i, n);
    }

    private static long get(long[] a, int i) {
        return (long) LONGS.getOpaque(a, i);
    }

    private static int bucket(int errno) {
        return errno > 0 && errno <= MAX_ERRNO ? errno : 0;
    }

    // ---- receive side (receiving thread)

    void countRxCompletions(int n) {
        add(rx, COMPLETIONS, n);
    }

    void countRxEnter(int result) {
        add(rx, ENTERS, 1);
        if (result < 0) {
            add(rx, ENTER_ERRORS, 1);
            set(rx, ENTER_LAST_ERRNO, -result);
        }
    }

    void countRxTaskrunEnter() {
        add(rx, RX_TASKRUN_ENTERS, 1);
    }

    void countRxError(int errno) {
        add(rx, ERRORS, 1);
        set(rx, LAST_ERRNO, errno);
        add(rxErrno, bucket(errno), 1);
    }

    void countRxRearmedAfterCancel() {
        add(rx, RX_REARMED_AFTER_CANCEL, 1);
    }

    void countRxSqFull() {
        add(rx, SQ_FULL, 1);
    }

    void setRxArmed(int n) {
        set(rx, IN_FLIGHT, n);
    }

    void countRxTruncated() {
        add(rx, RX_TRUNCATED, 1);
    }

    void countRxGsoFrame() {
        add(rx, RX_GSO_FRAMES, 1);
    }

    void countRxVlanRestored() {
        add(rx, RX_VLAN_RESTORED, 1);
    }

    void countRxKernel(long packets, long drops) {
        add(rx, RX_KERNEL_PACKETS, packets);
        add(rx, RX_KERNEL_DROPS, drops);
        add(rx, RX_STATS_READS, 1);
    }

    /** A socket error read with SO_ERROR: counted with the receive errors, by errno. */
    void countRxSocketError(int errno) {
        add(rx, RX_SOCKET_ERRORS, 1);
        countRxError(errno);
    }

    void countRxLinkChange(boolean up) {
        add(rx, up ? RX_LINK_UP : RX_LINK_DOWN, 1);
    }

    // ---- transmit side (transmitting thread)

    void countTxCompletions(int n) {
        add(tx, COMPLETIONS, n);
    }

    void countTxEnter(int result) {
        add(tx, ENTERS, 1);
        if (result < 0) {
            add(tx, ENTER_ERRORS, 1);
            set(tx, ENTER_LAST_ERRNO, -result);
        }
    }

    void countTxError(int errno) {
        add(tx, ERRORS, 1);
        set(tx, LAST_ERRNO, errno);
        add(txErrno, bucket(errno), 1);
    }

    void countTxSqFull() {
        add(tx, SQ_FULL, 1);
    }

    void countTxNoBuffer() {
        add(tx, TX_NO_BUFFER, 1);
    }

    void countTxOversize() {
        add(tx, TX_OVERSIZE, 1);
    }

    void setTxInFlight(int n) {
        set(tx, IN_FLIGHT, n);
    }

    // ---- close

    void countCloseCancelled(long n) {
        add(rx, CLOSE_CANCELLED, n);
    }

    void countCloseLeft(long n) {
        add(rx, CLOSE_LEFT, n);
    }

    // ------------------------------------------------------------------------------------------------

    /** Receive completions reaped (frames, errors and cancellations). */
    public long rxCompletions() {
        return get(rx, COMPLETIONS);
    }

    /** {@code io_uring_enter} calls on the receive ring: at most one per receive burst. */
    public long rxEnters() {
        return get(rx, ENTERS);
    }

    /** Of {@link #rxEnters()}, those made only to run completions the kernel flagged as waiting (TASKRUN). */
    public long rxTaskrunEnters() {
        return get(rx, RX_TASKRUN_ENTERS);
    }

    /** {@code io_uring_enter} calls on the receive ring that failed (the SQEs stay queued for the next one). */
    public long rxEnterErrors() {
        return get(rx, ENTER_ERRORS);
    }

    public int rxEnterLastErrno() {
        return (int) get(rx, ENTER_LAST_ERRNO);
    }

    /** Receive errors: completions with {@code res < 0} and socket errors (SO_ERROR). */
    public long rxErrors() {
        return get(rx, ERRORS);
    }

    /** Receive errors with this errno (0: errno values above {@value #MAX_ERRNO}). */
    public long rxErrors(int errno) {
        return get(rxErrno, bucket(errno));
    }

    public int rxLastErrno() {
        return (int) get(rx, LAST_ERRNO);
    }

    /** Receives the kernel cancelled while the port was open (their thread ended), armed again. */
    public long rxRearmedAfterCancel() {
        return get(rx, RX_REARMED_AFTER_CANCEL);
    }

    /** Times a burst could not re-arm every buffer for want of SQ entries (they wait for the next burst). */
    public long rxSqFull() {
        return get(rx, SQ_FULL);
    }

    /** Receives outstanding after the last burst. */
    public long rxArmed() {
        return get(rx, IN_FLIGHT);
    }

    /** Frames longer than a buffer, cut short by the kernel and dropped as RX_OVERSIZE. */
    public long rxTruncated() {
        return get(rx, RX_TRUNCATED);
    }

    /** Received frames whose VLAN tag the kernel had stripped and the port put back. */
    public long rxVlanRestored() {
        return get(rx, RX_VLAN_RESTORED);
    }

    /** Segmentation-offload frames cut into wire-sized packets (see {@link io.sluice.nativeio.linux.GsoSegmenter}). */
    public long rxGsoFrames() {
        return get(rx, RX_GSO_FRAMES);
    }

    /** {@code tp_packets} summed: frames the kernel queued on the socket, dropped ones included. */
    public long kernelPackets() {
        return get(rx, RX_KERNEL_PACKETS);
    }

    /** {@code tp_drops} summed: frames the kernel dropped because the socket buffer was full (DEVICE drops). */
    public long kernelDrops() {
        return get(rx, RX_KERNEL_DROPS);
    }

    public long statsReads() {
        return get(rx, RX_STATS_READS);
    }

    /** Socket errors read with SO_ERROR (such as ENETDOWN after the link went down). */
    public long rxSocketErrors() {
        return get(rx, RX_SOCKET_ERRORS);
    }

    public long linkDownSeen() {
        return get(rx, RX_LINK_DOWN);
    }

    public long linkUpSeen() {
        return get(rx, RX_LINK_UP);
    }

    /** Send completions reaped. */
    public long txCompletions() {
        return get(tx, COMPLETIONS);
    }

    /** {@code io_uring_enter} calls on the transmit ring: at most one per transmit burst, none for an idle one. */
    public long txEnters() {
        return get(tx, ENTERS);
    }

    public long txEnterErrors() {
        return get(tx, ENTER_ERRORS);
    }

    public int txEnterLastErrno() {
        return (int) get(tx, ENTER_LAST_ERRNO);
    }

    /** Sends that completed with {@code res < 0} (dropped as DEVICE). */
    public long txErrors() {
        return get(tx, ERRORS);
    }

    /** Send errors with this errno (0: errno values above {@value #MAX_ERRNO}). */
    public long txErrors(int errno) {
        return get(txErrno, bucket(errno));
    }

    public int txLastErrno() {
        return (int) get(tx, LAST_ERRNO);
    }

    /** Bursts that found every send buffer in flight (the caller kept the rest: back-pressure). */
    public long txNoBuffer() {
        return get(tx, TX_NO_BUFFER);
    }

    /** Bursts that found the SQ full (the caller kept the rest). */
    public long txSqFull() {
        return get(tx, SQ_FULL);
    }

    /** Frames larger than the MTU or a buffer, or shorter than an Ethernet header (dropped as DEVICE). */
    public long txOversize() {
        return get(tx, TX_OVERSIZE);
    }

    /** Sends in flight after the last burst. */
    public long txInFlight() {
        return get(tx, IN_FLIGHT);
    }

    /** Operations the close cancelled. */
    public long closeCancelled() {
        return get(rx, CLOSE_CANCELLED);
    }

    /**
     * Operations that had not completed when the close stopped waiting for them; their buffers were left mapped
     * rather than freed under the kernel.
     */
    public long closeLeft() {
        return get(rx, CLOSE_LEFT);
    }

    /** Every counter by name, and the errors by errno name (control path). */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rx.completions", rxCompletions());
        m.put("rx.enters", rxEnters());
        m.put("rx.taskrunEnters", rxTaskrunEnters());
        m.put("rx.enterErrors", rxEnterErrors());
        m.put("rx.errors", rxErrors());
        m.put("rx.rearmedAfterCancel", rxRearmedAfterCancel());
        m.put("rx.sqFull", rxSqFull());
        m.put("rx.armed", rxArmed());
        m.put("rx.truncated", rxTruncated());
        m.put("rx.vlanRestored", rxVlanRestored());
        m.put("rx.gsoFrames", rxGsoFrames());
        m.put("rx.kernelPackets", kernelPackets());
        m.put("rx.kernelDrops", kernelDrops());
        m.put("rx.socketErrors", rxSocketErrors());
        m.put("rx.linkDown", linkDownSeen());
        m.put("rx.linkUp", linkUpSeen());
        m.put("tx.completions", txCompletions());
        m.put("tx.enters", txEnters());
        m.put("tx.enterErrors", txEnterErrors());
        m.put("tx.errors", txErrors());
        m.put("tx.noBuffer", txNoBuffer());
        m.put("tx.sqFull", txSqFull());
        m.put("tx.oversize", txOversize());
        m.put("tx.inFlight", txInFlight());
        m.put("close.cancelled", closeCancelled());
        m.put("close.left", closeLeft());
        for (int e = 0; e <= MAX_ERRNO; e++) {
            if (rxErrors(e) != 0) {
                m.put("rx.errors." + (e == 0 ? "other" : Errno.name(e)), rxErrors(e));
            }
            if (txErrors(e) != 0) {
                m.put("tx.errors." + (e == 0 ? "other" : Errno.name(e)), txErrors(e));
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
