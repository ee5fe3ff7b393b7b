package io.sluice.engine.phy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;

/**
 * A port's counters. The receiving thread writes the receive side and the transmitting thread the transmit
 * side, each with opaque stores on its own cache lines; JMX and reports read them from any thread.
 */
public final class PortCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Why a port dropped a packet. */
    public enum Drop {
        /** The pool had no pbufs for a received frame. */
        RX_NO_PBUFS,
        /** A received frame was larger than the port's MTU allows. */
        RX_OVERSIZE,
        /**
         * A segmentation-offload frame (a local kernel's GSO or a NIC's GRO super-frame) that the port could not
         * cut into wire-sized frames: not TCP or UDP over IPv4, or headers that do not add up.
         */
        RX_GSO_UNSUPPORTED,
        /** The fault injector dropped it on purpose. */
        FAULT_INJECTED,
        /** The port was closed with the packet still queued. */
        PORT_CLOSED,
        /** The kernel or the device reported a drop. */
        DEVICE,
    }

    private static final int RX_PACKETS = 0;
    private static final int RX_BYTES = 1;
    private static final int RX_DROPS = 2;
    private static final int TX_PACKETS = 16;
    private static final int TX_BYTES = 17;
    private static final int TX_DROPS = 18;

    private final long[] values = new long[TX_DROPS + Drop.values().length + 8];

    public void received(int packets, long bytes) {
        add(RX_PACKETS, packets);
        add(RX_BYTES, bytes);
    }

    public void transmitted(int packets, long bytes) {
        add(TX_PACKETS, packets);
        add(TX_BYTES, bytes);
    }

    /** Counts a drop on the receive side. */
    public void rxDrop(Drop reason) {
        add(RX_DROPS + reason.ordinal(), 1);
    }

    /** Counts {@code n} drops on the receive side at once (for example the kernel's own drop count). */
    public void rxDrops(Drop reason, long n) {
        add(RX_DROPS + reason.ordinal(), n);
    }

    /** Counts a drop on the transmit side. */
    public void txDrop(Drop reason) {
        add(TX_DROPS + reason.ordinal(), 1);
    }

    private void add(int i, long n) {
        LONGS.setOpaque(values, i, (long) LONGS.getOpaque(values, i) + n);
    }

    private long get(int i) {
        return (long) LONGS.getOpaque(values, i);
    }

    public long rxPackets() {
        return get(RX_PACKETS);
    }

    public long rxBytes() {
        return get(RX_BYTES);
    }

    public long txPackets() {
        return get(TX_PACKETS);
    }

    public long txBytes() {
        return get(TX_BYTES);
    }

    public long rxDrops(Drop reason) {
        return get(RX_DROPS + reason.ordinal());
    }

    public long txDrops(Drop reason) {
        return get(TX_DROPS + reason.ordinal());
    }

    /** Every non-zero drop counter, named {@code rx.REASON} or {@code tx.REASON}. */
    public Map<String, Long> drops() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (Drop d : Drop.values()) {
            if (rxDrops(d) != 0) {
                m.put("rx." + d.name().toLowerCase(), rxDrops(d));
            }
            if (txDrops(d) != 0) {
                m.put("tx." + d.name().toLowerCase(), txDrops(d));
            }
        }
        return m;
    }

    /** Drop counters by reason, summed over both directions. */
    public Map<Drop, Long> dropsByReason() {
        Map<Drop, Long> m = new EnumMap<>(Drop.class);
        for (Drop d : Drop.values()) {
            m.put(d, rxDrops(d) + txDrops(d));
        }
        return m;
    }
}
