package io.sluice.engine.route;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Quiescent-state epochs of the reader threads of one {@link RouteTable}: the writer's side of the deferred
 * reclamation of tbl8 groups (see the package documentation for the protocol and its argument).
 *
 * <p>One {@code long[]} holds the global epoch and one slot per reader, each 128 bytes from the next so that
 * a reader's report does not invalidate its neighbour's line (nor, through the adjacent-line prefetcher, the
 * line next to it). A slot holds {@link #FREE} (no reader), {@link #OFFLINE} (a registered reader that reads
 * nothing at the moment) or the last global epoch its reader saw at a quiescent point (0 or more).
 *
 * <p>Only the writer advances the global epoch; only the reader that owns a slot writes it, except that
 * {@link #register} claims a free slot by compare-and-set from any thread.
 */
final class ReaderEpochs {
    static final long FREE = -1;
    static final long OFFLINE = Long.MAX_VALUE;

    /** 16 longs: 128 bytes between hot fields. */
    private static final int STRIDE = 16;
    private static final int GLOBAL = STRIDE;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] slots;
    private final int capacity;

    ReaderEpochs(int capacity) {
        this.capacity = capacity;
        this.slots = new long[(capacity + 3) * STRIDE];
        for (int k = 0; k < capacity; k++) {
            slots[index(k)] = FREE;
        }
        // Published by the final field: a thread that sees this object sees the FREE marks.
    }

    private static int index(int reader) {
        return (reader + 2) * STRIDE;
    }

    int capacity() {
        return capacity;
    }

    /** Reader: the global epoch, acquire, so the reader's later loads see every unlink made before it. */
    long global() {
        return (long) SLOT.getAcquire(slots, GLOBAL);
    }

    /** Reader: publishes that every load made before this call is done with whatever was unlinked by then. */
    void report(int reader, long epoch) {
        SLOT.setRelease(slots, index(reader), epoch);
    }

    /** Reader: from now on this reader holds no reference into the table until {@link #goOnline}. */
    void goOffline(int reader) {
        SLOT.setRelease(slots, index(reader), OFFLINE);
    }

    /**
     * Reader: announces itself before its next lookup. The store and the loads after it are separated by a
     * full fence, the reader's half of the store-buffering (Dekker) pattern whose other half is the fence in
     * {@link #minOnline}: either the writer sees this slot's epoch, or this reader sees the writer's unlinks.
     *
     * @return the epoch stored
     */
    long goOnline(int reader) {
        long g = global();
        SLOT.setRelease(slots, index(reader), g);
        VarHandle.fullFence();
        return g;
    }

    /** Any thread: claims a free slot, online at the current epoch. @return the slot, or -1 when all are taken */
    int register() {
        for (int k = 0; k < capacity; k++) {
            int at = index(k);
            if ((long) SLOT.getAcquire(slots, at) == FREE) {
                long g = global();
                if (SLOT.compareAndSet(slots, at, FREE, g)) {
                    VarHandle.fullFence();
                    return k;
                }
            }
        }
        return -1;
    }

    /** The reader's thread, after its last lookup: frees the slot. */
    void deregister(int reader) {
        SLOT.setRelease(slots, index(reader), FREE);
    }

    /** Writer: the next epoch, released after every store of the unlink that it closes. @return the new epoch */
    long advance() {
        long next = slots[GLOBAL] + 1;
        SLOT.setRelease(slots, GLOBAL, next);
        return next;
    }

    /**
     * Writer: the oldest epoch an online reader may still be reading under; anything retired at this epoch or
     * before is unreachable from every reader. {@link #OFFLINE} when no reader is online.
     */
    long minOnline() {
        VarHandle.fullFence();
        long min = OFFLINE;
        for (int k = 0; k < capacity; k++) {
            long v = (long) SLOT.getAcquire(slots, index(k));
            if (v >= 0 && v < min) {
                min = v;
            }
        }
        return min;
    }

    /** Any thread: readers registered now (online or offline). */
    int registered() {
        int n = 0;
        for (int k = 0; k < capacity; k++) {
            if ((long) SLOT.getAcquire(slots, index(k)) != FREE) {
                n++;
            }
        }
        return n;
    }
}
