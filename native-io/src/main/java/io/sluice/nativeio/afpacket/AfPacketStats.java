package io.sluice.nativeio.afpacket;

import io.sluice.nativeio.ffm.Errno;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AF_PACKET port's own counters, beside the engine's {@link io.sluice.engine.phy.PortCounters}: ring and
 * kernel events and the errors the port absorbed instead of throwing. The receive thread writes the receive
 * side and the transmit thread the transmit side (opaque stores, each side on its own cache lines); any
 * thread may read.
 */
public final class AfPacketStats {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    // receive side
    private static final int RX_BLOCKS = 0;
    private static final int RX_KERNEL_PACKETS = 1;
    private static final int RX_KERNEL_DROPS = 2;
    private static final int RX_FREEZES = 3;
    private static final int RX_TRUNCATED = 4;
    private static final int RX_SOCKET_ERRORS = 5;
    private static final int RX_LAST_ERRNO = 6;
    private static final int RX_LINK_DOWN_SEEN = 7;
    private static final int RX_LINK_UP_SEEN = 8;
    private static final int RX_STATS_READS = 9;
    private static final int RX_VLAN_RESTORED = 10;
    private static final int RX_GSO_FRAMES = 11;
    // transmit side, a few cache lines further
    private static final int TX_KICKS = 24;
    private static final int TX_KICK_ERRORS = 25;
    private static final int TX_LAST_ERRNO = 26;
    private static final int TX_WRONG_FORMAT = 27;
    private static final int TX_OVERSIZE = 28;
    private static final int TX_DISCARDED = 29;
    private static final int TX_RING_FULL = 30;
    private static final int TX_RETRIED = 31;

    private final long[] v = new long[40];

    private void add(int i, long n) {
        LONGS.setOpaque(v, i, (long) LONGS.getOpaque(v, i) + n);
    }

    private void set(int i, long n) {
        LONGS.setOpaque(v, i, n);
    }

    private long get(int i) {
        return (long) LONGS.getOpaque(v, i);
    }

    void countRxBlock() {
        add(RX_BLOCKS, 1);
    }

    void countRxKernel(long packets, long drops, long freezes) {
        add(RX_KERNEL_PACKETS, packets);
        add(RX_KERNEL_DROPS, drops);
        add(RX_FREEZES, freezes);
        add(RX_STATS_READS, 1);
    }

    void countRxTruncated() {
        add(RX_TRUNCATED, 1);
    }

    void countRxVlanRestored() {
        add(RX_VLAN_RESTORED, 1);
    }

    void countRxGsoFrame() {
        add(RX_GSO_FRAMES, 1);
    }

    void countRxSocketError(int errno) {
        add(RX_SOCKET_ERRORS, 1);
        set(RX_LAST_ERRNO, errno);
    }

    void countRxLinkChange(boolean up) {
        add(up ? RX_LINK_UP_SEEN : RX_LINK_DOWN_SEEN, 1);
    }

    void countTxKick() {
        add(TX_KICKS, 1);
    }

    void countTxKickError(int errno) {
        add(TX_KICK_ERRORS, 1);
        set(TX_LAST_ERRNO, errno);
    }

    void countTxWrongFormat() {
        add(TX_WRONG_FORMAT, 1);
    }

    void countTxOversize() {
        add(TX_OVERSIZE, 1);
    }

    void countTxDiscarded(long frames) {
        add(TX_DISCARDED, frames);
    }

    void countTxRingFull() {
        add(TX_RING_FULL, 1);
    }

    void countTxRetried() {
        add(TX_RETRIED, 1);
    }

    /** Receive blocks walked and handed back to the kernel. */
    public long rxBlocks() {
        return get(RX_BLOCKS);
    }

    /** {@code tp_packets} summed: frames the kernel offered the socket, dropped ones included. */
    public long kernelPackets() {
        return get(RX_KERNEL_PACKETS);
    }

    /** {@code tp_drops} summed: frames the kernel dropped because the ring was full (counted as DEVICE drops). */
    public long kernelDrops() {
        return get(RX_KERNEL_DROPS);
    }

    /** {@code tp_freeze_q_cnt} summed: times the ring was full and the kernel froze the queue. */
    public long freezes() {
        return get(RX_FREEZES);
    }

    /** Frames the ring cut short (larger than a block holds), dropped as RX_OVERSIZE. */
    public long rxTruncated() {
        return get(RX_TRUNCATED);
    }

    /** Received frames whose VLAN tag the kernel had stripped and the port put back. */
    public long rxVlanRestored() {
        return get(RX_VLAN_RESTORED);
    }

    /** Segmentation-offload frames cut into wire-sized packets (see {@link io.sluice.nativeio.linux.GsoSegmenter}). */
    public long rxGsoFrames() {
        return get(RX_GSO_FRAMES);
    }

    /** Socket errors ({@code SO_ERROR}, such as ENETDOWN when the link went down) seen by the receive side. */
    public long rxSocketErrors() {
        return get(RX_SOCKET_ERRORS);
    }

    public int rxLastErrno() {
        return (int) get(RX_LAST_ERRNO);
    }

    /** Times the receive side saw the interface go from up to down. */
    public long linkDownSeen() {
        return get(RX_LINK_DOWN_SEEN);
    }

    /** Times the receive side saw the interface come back up. */
    public long linkUpSeen() {
        return get(RX_LINK_UP_SEEN);
    }

    /** PACKET_STATISTICS reads. */
    public long statsReads() {
        return get(RX_STATS_READS);
    }

    /** {@code sendto} kicks of the transmit ring. */
    public long txKicks() {
        return get(TX_KICKS);
    }

    /** Kicks that failed (ENOBUFS, ENETDOWN, ENXIO, EAGAIN...); the frames were retried or dropped. */
    public long txKickErrors() {
        return get(TX_KICK_ERRORS);
    }

    public int txLastErrno() {
        return (int) get(TX_LAST_ERRNO);
    }

    /** Frames the kernel marked TP_STATUS_WRONG_FORMAT (dropped as DEVICE). */
    public long txWrongFormat() {
        return get(TX_WRONG_FORMAT);
    }

    /** Frames larger than the MTU or the slot, or shorter than an Ethernet header (dropped as DEVICE). */
    public long txOversize() {
        return get(TX_OVERSIZE);
    }

    /** Queued frames dropped because the kick kept failing or the link was down (DEVICE drops). */
    public long txDiscarded() {
        return get(TX_DISCARDED);
    }

    /** Bursts that found the transmit ring full (the caller kept the rest). */
    public long txRingFull() {
        return get(TX_RING_FULL);
    }

    /** Kicks retried after a transient error. */
    public long txRetried() {
        return get(TX_RETRIED);
    }

    /** Every counter by name (control path). */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rx.blocks", rxBlocks());
        m.put("rx.kernelPackets", kernelPackets());
        m.put("rx.kernelDrops", kernelDrops());
        m.put("rx.freezes", freezes());
        m.put("rx.truncated", rxTruncated());
        m.put("rx.vlanRestored", rxVlanRestored());
        m.put("rx.gsoFrames", rxGsoFrames());
        m.put("rx.socketErrors", rxSocketErrors());
        m.put("rx.linkDown", linkDownSeen());
        m.put("rx.linkUp", linkUpSeen());
        m.put("tx.kicks", txKicks());
        m.put("tx.kickErrors", txKickErrors());
        m.put("tx.retried", txRetried());
        m.put("tx.wrongFormat", txWrongFormat());
        m.put("tx.oversize", txOversize());
        m.put("tx.discarded", txDiscarded());
        m.put("tx.ringFull", txRingFull());
        return m;
    }

    @Override
    public String toString() {
        return toMap() + (rxLastErrno() != 0 ? " rx.lastErrno=" + Errno.name(rxLastErrno()) : "")
            + (txLastErrno() != 0 ? " tx.lastErrno=" + Errno.name(txLastErrno()) : "");
    }
}
