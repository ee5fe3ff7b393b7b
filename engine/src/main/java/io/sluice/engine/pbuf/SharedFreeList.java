package io.sluice.engine.pbuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock-free LIFO stack of chunks of free slots, shared by all threads of a pool.
 *
 * <p>A chunk is a run of up to one cache batch of slots linked through their {@code next} fields (as
 * index + 1); chunks are linked through the {@code nextpkt} field of their first slot, and the first slot's
 * {@code len} holds the chunk's size. Thread caches refill and flush one whole chunk per compare-and-set, so
 * the shared list is touched once per batch, not once per pbuf. LIFO keeps recently freed, cache-hot slots
 * in use.
 *
 * <p>The head packs a 32-bit tag above the top chunk's index + 1 and the tag grows on every change, so a pop
 * that read a stale {@code nextpkt} (the ABA problem) fails its compare-and-set and retries. Such a stale read
 * may see any value, so it is range-checked before use; it never leaves the arena.
 *
 * <p>Publication: a chunk's links are written with plain stores before the release of the head
 * compare-and-set that pushes it, and read after the acquire load of the head that pops it.
 */
final class SharedFreeList {
    private static final VarHandle HEAD;
    private static final VarHandle FREE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(SharedFreeList.class, "head", long.class);
            FREE = lookup.findVarHandle(SharedFreeList.class, "free", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PbufArena arena;

    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;
    /** (tag << 32) | (index of the top chunk's first slot + 1); 0 in the low half means empty. */
    private volatile long head;
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;
    /** Slots on this list; updated once per chunk. */
    private volatile long free;
    @SuppressWarnings("unused")
    private long p21, p22, p23, p24, p25, p26, p27;

    SharedFreeList(PbufArena arena) {
        this.arena = arena;
    }

    /**
     * Pushes a chunk whose slots are already linked through {@code next} (index + 1, 0 after the last).
     *
     * @param first index of the chunk's first slot
     * @param size  slots in the chunk, 1..32767
     */
    void push(int first, int size) {
        arena.len(first, size);
        while (true) {
            long h = (long) HEAD.getAcquire(this);
            arena.nextPkt(first, (int) h);
            long updated = ((h >>> 32) + 1) << 32 | (first + 1L);
            if (HEAD.compareAndSet(this, h, updated)) {
                FREE.getAndAdd(this, (long) size);
                return;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Pops the top chunk.
     *
     * @return the index of the chunk's first slot (its size is {@link #chunkSize(int)}), or -1 when empty
     */
    int pop() {
        while (true) {
            long h = (long) HEAD.getAcquire(this);
            int top = (int) h;
            if (top == 0) {
                return -1;
            }
            int first = top - 1;
            int below = arena.nextPkt(first);
            if (below >= 0 && below <= arena.slots) {
                long updated = ((h >>> 32) + 1) << 32 | (below & 0xFFFFFFFFL);
                if (HEAD.compareAndSet(this, h, updated)) {
                    FREE.getAndAdd(this, (long) -arena.len(first));
                    return first;
                }
            }
            Thread.onSpinWait();
        }
    }

    int chunkSize(int first) {
        return arena.len(first);
    }

    long free() {
        return free;
    }

    boolean isEmpty() {
        return (int) head == 0;
    }
}
