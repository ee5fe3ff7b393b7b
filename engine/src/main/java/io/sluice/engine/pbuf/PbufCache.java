package io.sluice.engine.pbuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's stack of free slot indices in front of the pool's shared free list, and that thread's
 * statistics.
 *
 * <p>Only the owning thread writes here. The counters are written with opaque stores (a plain {@code mov}
 * on x86, no fence, no contended atomic) so that a reporting thread reads whole, recent values; the count of
 * cached slots likewise. A cache refills with one chunk when empty and flushes one chunk when full, so the
 * shared list is touched at most once per {@code batch} gets or frees.
 */
final class PbufCache {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(PbufCache.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Counter slots in stats[]: allocations and frees by type, then the rest.
    static final int ALLOCS = 0;
    static final int FREES = ALLOCS + PbufType.count();
    static final int DENIED = FREES + PbufType.count();
    static final int DELAYED = DENIED + 1;
    static final int RESERVE_CHUNKS = DELAYED + 1;
    static final int REFILLS = RESERVE_CHUNKS + 1;
    static final int FLUSHES = REFILLS + 1;
    static final int STAT_COUNT = FLUSHES + 1;

    private final PbufPool pool;
    private final PbufArena arena;
    private final int[] stack;
    private final int batch;
    /** Written by the owner only; read by reports. */
    private int count;
    final long[] stats = new long[STAT_COUNT + 8];
    final Thread owner;
    final String name;

    PbufCache(PbufPool pool, int batch, Thread owner) {
        this.pool = pool;
        this.arena = pool.arena;
        this.batch = batch;
        this.stack = new int[2 * batch];
        this.owner = owner;
        this.name = owner.getName();
    }

    /** Takes one free slot index, refilling from the shared list if needed; -1 when the pool is empty. */
    int take(boolean mayUseReserve) {
        int c = count;
        if (c == 0) {
            if (!refill(mayUseReserve, 1)) {
                return -1;
            }
            c = count;
            pool.noteRefill(c);
        }
        c--;
        COUNT.setOpaque(this, c);
        return stack[c];
    }

    /**
     * Takes {@code n} free slot indices into {@code out}, all or nothing.
     *
     * @return true with {@code out[0..n)} filled, or false with nothing taken
     */
    boolean take(int[] out, int n, boolean mayUseReserve) {
        int got = 0;
        boolean refilled = false;
        while (got < n) {
            if (count == 0) {
                if (!refill(mayUseReserve, n - got)) {
                    for (int i = got - 1; i >= 0; i--) {
                        give(out[i]);
                    }
                    if (mayUseReserve) {
                        drain(); // some may be reserve slots: back to the reserve, not to this cache
                    }
                    return false;
                }
                refilled = true;
            }
            int take = Math.min(count, n - got);
            int c = count - take;
            System.arraycopy(stack, c, out, got, take);
            COUNT.setOpaque(this, c);
            got += take;
        }
        if (refilled) {
            pool.noteRefill(n + count);
        }
        return true;
    }

    /** Returns a free slot index to this cache, flushing a chunk to the shared list if full. */
    void give(int index) {
        int c = count;
        if (c == stack.length) {
            flush(batch);
            c = count;
        }
        stack[c] = index;
        COUNT.setOpaque(this, c + 1);
    }

    private boolean refill(boolean mayUseReserve, int need) {
        int first = pool.popChunk(mayUseReserve, need, this);
        if (first < 0) {
            return false;
        }
        int size = pool.arena.len(first);
        int i = first;
        for (int k = 0; k < size; k++) {
            stack[k] = i;
            i = arena.next(i) - 1;
        }
        COUNT.setOpaque(this, size);
        increment(REFILLS);
        return true;
    }

    /** Moves the top {@code n} cached slots to the shared list as one chunk. */
    private void flush(int n) {
        int c = count;
        int end = c - n;
        int first = stack[c - 1];
        int prev = first;
        for (int k = c - 2; k >= end; k--) {
            int i = stack[k];
            arena.next(prev, i + 1);
            prev = i;
        }
        arena.next(prev, 0);
        COUNT.setOpaque(this, end);
        pool.pushChunk(first, n);
        increment(FLUSHES);
    }

    /** Flushes everything; called when the owning thread closes its context or has died. */
    void drain() {
        while (count > 0) {
            flush(Math.min(batch, count));
        }
    }

    int cached() {
        return (int) COUNT.getOpaque(this);
    }

    void increment(int stat) {
        LONGS.setOpaque(stats, stat, (long) LONGS.getOpaque(stats, stat) + 1);
    }

    void add(int stat, long n) {
        LONGS.setOpaque(stats, stat, (long) LONGS.getOpaque(stats, stat) + n);
    }

    long read(int stat) {
        return (long) LONGS.getOpaque(stats, stat);
    }
}
