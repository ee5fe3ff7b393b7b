package io.sluice.engine.stats;

import io.sluice.engine.wire.WireError;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A protocol layer's counters in one array: its MIB counters, its drop reasons, and the {@link WireError}s of the
 * headers it checks. One thread (the stage's) writes, with opaque stores, so that a reader on another thread (JMX,
 * {@code sluice stat}, a status line) sees each value whole and never stale for long, at the cost of a plain add on
 * the data path. The layers' own counter classes (the plane's, UDP's, TCP's) give it their enums' types.
 */
public final class ProtocolCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final WireError[] ERRORS = WireError.values();

    private final Enum<?>[] mibs;
    private final Enum<?>[] drops;
    private final int dropBase;
    private final int errorBase;
    private final long[] values;

    /** @param mibs the MIB counters' enum constants, @param drops the drop reasons' */
    public ProtocolCounters(Enum<?>[] mibs, Enum<?>[] drops) {
        this.mibs = mibs.clone();
        this.drops = drops.clone();
        this.dropBase = mibs.length;
        this.errorBase = dropBase + drops.length;
        this.values = new long[errorBase + ERRORS.length];
    }

    public void addMib(Enum<?> mib, long n) {
        add(mib.ordinal(), n);
    }

    public void addDrop(Enum<?> reason) {
        add(dropBase + reason.ordinal(), 1);
    }

    public void addError(WireError e) {
        add(errorBase + e.ordinal(), 1);
    }

    public long mib(Enum<?> mib) {
        return get(mib.ordinal());
    }

    public long drop(Enum<?> reason) {
        return get(dropBase + reason.ordinal());
    }

    public long error(WireError e) {
        return get(errorBase + e.ordinal());
    }

    /** Every drop, by reason and header error. */
    public long drops() {
        long s = 0;
        for (int i = dropBase; i < values.length; i++) {
            s += get(i);
        }
        return s;
    }

    /**
     * Every counter that is not zero, by name, in declaration order: MIB counters, then {@code drop.REASON} and
     * {@code drop.ERROR} (for reports, off the data path).
     */
    public Map<String, Long> nonZero() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            long v = get(i);
            if (v != 0) {
                m.put(name(i), v);
            }
        }
        return m;
    }

    private String name(int i) {
        if (i < dropBase) {
            return mibs[i].name();
        }
        return "drop." + (i < errorBase ? drops[i - dropBase].name() : ERRORS[i - errorBase].name());
    }

    private void add(int i, long n) {
        LONGS.setOpaque(values, i, (long) LONGS.getOpaque(values, i) + n);
    }

    private long get(int i) {
        return (long) LONGS.getOpaque(values, i);
    }
}
