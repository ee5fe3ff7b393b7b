package io.sluice.engine.inet;

import io.sluice.engine.wire.WireError;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The forwarding plane's counters: {@link Mib} protocol counters, {@link InetDrop} drop reasons and
 * {@link WireError} header errors. One thread (the stage's) writes, with opaque stores, so that a reader on
 * another thread (JMX, {@code sluice stat}) sees each value whole and never stale for long, at the cost of a
 * plain add on the data path.
 */
public final class InetCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final Mib[] MIBS = Mib.values();
    private static final InetDrop[] DROPS = InetDrop.values();
    private static final WireError[] ERRORS = WireError.values();
    private static final int DROP_BASE = MIBS.length;
    private static final int ERROR_BASE = DROP_BASE + DROPS.length;

    private final long[] values = new long[ERROR_BASE + ERRORS.length];

    public void inc(Mib m) {
        add(m.ordinal(), 1);
    }

    public void add(Mib m, long n) {
        add(m.ordinal(), n);
    }

    /** Counts a drop under its reason and its MIB-2 counter. */
    public void drop(InetDrop d) {
        add(DROP_BASE + d.ordinal(), 1);
        if (d.mib() != null) {
            add(d.mib().ordinal(), 1);
        }
    }

    /** Counts a malformed header under its {@link WireError} and the MIB-2 counter it feeds. */
    public void drop(WireError e, Mib mib) {
        add(ERROR_BASE + e.ordinal(), 1);
        add(mib.ordinal(), 1);
    }

    private void add(int i, long n) {
        LONGS.setOpaque(values, i, (long) LONGS.getOpaque(values, i) + n);
    }

    private long get(int i) {
        return (long) LONGS.getOpaque(values, i);
    }

    public long get(Mib m) {
        return get(m.ordinal());
    }

    public long get(InetDrop d) {
        return get(DROP_BASE + d.ordinal());
    }

    public long get(WireError e) {
        return get(ERROR_BASE + e.ordinal());
    }

    /** Every drop, by reason and header error. */
    public long drops() {
        long s = 0;
        for (int i = DROP_BASE; i < values.length; i++) {
            s += get(i);
        }
        return s;
    }

    /** Every counter that is not zero, by name, in declaration order (for reports, off the data path). */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Mib x : MIBS) {
            put(m, x.name(), get(x));
        }
        for (InetDrop x : DROPS) {
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
}
