package io.sluice.engine.stage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A stage's counters: packets handled, batches, work loops (doWork calls that found work), idle loops, and
 * drops by {@link StageDrop} reason. Only the stage's thread writes (opaque stores); reports read.
 */
public final class StageCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PACKETS = 0;
    private static final int BATCHES = 1;
    private static final int WORK_LOOPS = 2;
    private static final int IDLE_LOOPS = 3;
    private static final int DROPS = 4;

    private final long[] values = new long[DROPS + StageDrop.values().length];

    void batch(int packets) {
        add(PACKETS, packets);
        add(BATCHES, 1);
    }

    void loop(boolean worked) {
        add(worked ? WORK_LOOPS : IDLE_LOOPS, 1);
    }

    void drop(StageDrop reason, int n) {
        add(DROPS + reason.ordinal(), n);
    }

    private void add(int i, long n) {
        LONGS.setOpaque(values, i, (long) LONGS.getOpaque(values, i) + n);
    }

    private long get(int i) {
        return (long) LONGS.getOpaque(values, i);
    }

    public long packets() {
        return get(PACKETS);
    }

    public long batches() {
        return get(BATCHES);
    }

    public long workLoops() {
        return get(WORK_LOOPS);
    }

    public long idleLoops() {
        return get(IDLE_LOOPS);
    }

    public long drops(StageDrop reason) {
        return get(DROPS + reason.ordinal());
    }

    public long drops() {
        long s = 0;
        for (StageDrop d : StageDrop.values()) {
            s += drops(d);
        }
        return s;
    }
}
