package io.sluice.engine.transport.tcp;

import io.sluice.engine.wire.WireError;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TCP's counters: {@link TcpMib} protocol counters, {@link TcpDrop} drop reasons and {@link WireError} header
 * errors. One thread (the stage's) writes, with opaque stores, so that a reader on another thread (JMX, {@code
 * sluice stat}) sees each value whole, at the cost of a plain add on the data path (as {@code InetCounters}).
 */
public final class TcpCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final TcpMib[] MIBS = TcpMib.values();
    private static final TcpDrop[] DROPS = TcpDrop.values();
    private static final WireError[] ERRORS = WireError.values();
    private static final int DROP_BASE = MIBS.length;
    private static final int ERROR_BASE = DROP_BASE + DROPS.length;

    private final long[] values = new long[ERROR_BASE + ERRORS.length];

    public void inc(TcpMib m) {
        add(m.ordinal(), 1);
    }

    /** Counts a drop under its reason and its MIB counter. */
    public void drop(TcpDrop d) {
        add(DROP_BASE + d.ordinal(), 1);
        if (d.mib() != null) {
            add(d.mib().ordinal(), 1);
        }
    }

    /** Counts a malformed segment under its {@link WireError} and tcpInErrs. */
    public void drop(WireError e) {
        add(ERROR_BASE + e.ordinal(), 1);
        add(TcpMib.tcpInErrs.ordinal(), 1);
    }

    private void add(int i, long n) {
        LONGS.setOpaque(values, i, (long) LONGS.getOpaque(values, i) + n);
    }

    private long get(int i) {
        return (long) LONGS.getOpaque(values, i);
    }

    public long get(TcpMib m) {
        return get(m.ordinal());
    }

    public long get(TcpDrop d) {
        return get(DROP_BASE + d.ordinal());
    }

    public long get(WireError e) {
        return get(ERROR_BASE + e.ordinal());
    }

    /** Every counter that is not zero, by name, in declaration order (for reports, off the data path). */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (TcpMib x : MIBS) {
            put(m, x.name(), get(x));
        }
        for (TcpDrop x : DROPS) {
            put(m, "drop." + x.name(), get(x));
        }
        for (WireError x : ERRORS) {
            if (x != WireError.OK) {
                put(m, "drop." + x.name(), get(x));
            }
        }
        return m;
    }

    private static void put(Map<String, Long> m, String name, long v) {
        if (v != 0) {
            m.put(name, v);
        }
    }

    @Override
    public String toString() {
        return nonZero().toString();
    }
}
