package io.sluice.engine.route;

/**
 * The writer's bookkeeping of tbl8 groups: which are free, which are retired (unlinked, but possibly still
 * being read by a reader that loaded the tbl24 entry before the unlink), and the epoch at which each was
 * retired. Writer thread only; nothing here is shared with readers.
 *
 * <p>A group moves free &rarr; in use ({@link #allocate}) &rarr; retired ({@link #retire}) &rarr; free
 * ({@link #reclaim}, once every online reader has reported an epoch at least as new as the group's).
 * Retired groups queue in retirement order, which is also epoch order, so reclaiming takes from the head.
 */
final class Tbl8Groups {
    private final int capacity;
    /** A stack of free group indices; allocation takes the most recently freed (its lines may be cached). */
    private final int[] freeStack;
    private int freeCount;
    /** A ring of retired groups and their retirement epochs, oldest at {@code retiredHead}. */
    private final int[] retired;
    private final long[] retiredEpoch;
    private int retiredHead;
    private int retiredCount;
    private long exhausted;

    Tbl8Groups(int capacity) {
        this.capacity = capacity;
        this.freeStack = new int[capacity];
        this.retired = new int[capacity];
        this.retiredEpoch = new long[capacity];
        reset();
    }

    /** Every group free, none retired: only when no reader can hold a group (construction). */
    private void reset() {
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = capacity - 1 - i;
        }
        freeCount = capacity;
        retiredHead = 0;
        retiredCount = 0;
    }

    /**
     * Takes a free group, reclaiming retired ones first if none is free.
     *
     * @return the group index, or -1 when every group is in use or retired and still possibly read
     */
    int allocate(ReaderEpochs readers) {
        if (freeCount == 0 && reclaim(readers) == 0) {
            exhausted++;
            return -1;
        }
        return freeStack[--freeCount];
    }

    /** Queues a group that was unlinked from tbl24 before the global epoch was advanced to {@code epoch}. */
    void retire(int group, long epoch) {
        int tail = retiredHead + retiredCount;
        if (tail >= capacity) {
            tail -= capacity;
        }
        retired[tail] = group;
        retiredEpoch[tail] = epoch;
        retiredCount++;
    }

    /**
     * Moves to the free stack every retired group that no online reader can still be reading.
     *
     * @return how many groups were moved
     */
    int reclaim(ReaderEpochs readers) {
        if (retiredCount == 0) {
            return 0;
        }
        long safe = readers.minOnline();
        int moved = 0;
        while (retiredCount > 0 && retiredEpoch[retiredHead] <= safe) {
            freeStack[freeCount++] = retired[retiredHead];
            retiredHead = retiredHead + 1 == capacity ? 0 : retiredHead + 1;
            retiredCount--;
            moved++;
        }
        return moved;
    }

    int capacity() {
        return capacity;
    }

    int free() {
        return freeCount;
    }

    int retired() {
        return retiredCount;
    }

    int inUse() {
        return capacity - freeCount - retiredCount;
    }

    /** Adds refused because no group could be allocated. */
    long exhausted() {
        return exhausted;
    }
}
