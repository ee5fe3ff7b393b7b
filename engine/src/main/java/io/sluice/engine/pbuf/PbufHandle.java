package io.sluice.engine.pbuf;

/**
 * Encodes pbuf handles: a slot index in the low 22 bits and the slot's generation in the 9 bits above.
 *
 * <p>The generation is bumped on every free, so a handle kept after its pbuf was freed no longer matches the
 * slot; checked mode compares the two on every access. Generations run 1..511, never 0, so every valid
 * handle is positive and {@link #NULL} (0) never names a pbuf. A stale handle goes unnoticed only if its slot
 * was reused a multiple of 511 times in between; a second free of a slot that is still free is always caught
 * by the slot's state.
 */
public final class PbufHandle {
    /** "No pbuf": the end of a chain, an empty queue, a failed allocation. */
    public static final int NULL = 0;

    public static final int INDEX_BITS = 22;
    public static final int INDEX_MASK = (1 << INDEX_BITS) - 1;
    /** Largest pool: 4 Mi slots, 2 GiB of arena. */
    public static final int MAX_SLOTS = 1 << INDEX_BITS;
    public static final int GENERATION_BITS = 9;
    public static final int MAX_GENERATION = (1 << GENERATION_BITS) - 1;

    private PbufHandle() {
    }

    public static int of(int index, int generation) {
        return (generation << INDEX_BITS) | index;
    }

    public static int index(int handle) {
        return handle & INDEX_MASK;
    }

    public static int generation(int handle) {
        return handle >>> INDEX_BITS;
    }

    static int nextGeneration(int generation) {
        return generation == MAX_GENERATION ? 1 : generation + 1;
    }

    public static String toString(int handle) {
        return handle == NULL ? "NULL" : "#" + index(handle) + "g" + generation(handle);
    }
}
