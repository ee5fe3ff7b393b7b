package io.sluice.engine.transport.udp;

import io.sluice.engine.wire.WireError;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * UDP's counters: {@link UdpMib}, {@link UdpDrop} reasons and the UDP {@link WireError}s. The stack's thread
 * writes with opaque stores; any thread reads (a status line, JMX) and sees each value whole.
 */
public final class UdpCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final UdpMib[] MIBS = UdpMib.values();
    private static final UdpDrop[] DROPS = UdpDrop.values();
    private static final WireError[] ERRORS = WireError.values();
    private static final int DROP_BASE = MIBS.length;
    private static final int ERROR_BASE = DROP_BASE + DROPS.length;

    private final long[] values = new long[ERROR_BASE + ERRORS.length];

    void inc(UdpMib m) {
        add(m.ordinal(), 1);
    }

    void drop(UdpDrop d) {
        add(DROP_BASE + d.ordinal(), 1);
        if (d.mib() != null) {
            add(d.mib().ordinal(), 1);
        }
    }

    /** A malformed or corrupted datagram: its header error and udpInErrors (RFC 4113). */
    void drop(WireError e) {
        add(ERROR_BASE + e.ordinal(), 1);
        add(UdpMib.udpInErrors.ordinal(), 1);
    }

    private void add(int i, long n) {
        LONGS.setOpaque(values, i, (long) LONGS.getOpaque(values, i) + n);
    }

    private long get(int i) {
        return (long) LONGS.getOpaque(values, i);
    }

    public long get(UdpMib m) {
        return get(m.ordinal());
    }

    public long get(UdpDrop d) {
        return get(DROP_BASE + d.ordinal());
    }

    public long get(WireError e) {
        return get(ERROR_BASE + e.ordinal());
    }

    /** Every counter that is not zero, by name ({@code drop.} before reasons), for reports off the data path. */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (UdpMib x : MIBS) {
            put(m, x.name(), get(x));
        }
        for (UdpDrop x : DROPS) {
            put(m, "drop." + x.name(), get(x));
        }
        for (WireError x : ERRORS) {
            put(m, "drop." + x.name(), get(x));
        }
        return m;
    }

    private static void put(Map<String, Long> m, String name, long v) {
        if (v != 0) {
            m.put(name, v);
        }
    }
}
