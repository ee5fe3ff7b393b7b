package io.sluice.engine.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer single-consumer ring of pbuf handles (ints), the link between two pipeline stages.
 *
 * <p>Memory order, named as it is used:
 * <ul>
 *   <li>each side reads its own index plainly;</li>
 *   <li>the producer reads the consumer's {@code head} with an acquire load only when its cached copy says
 *       the ring is full; the consumer reads {@code tail} only when its cached copy says it is empty;</li>
 *   <li>each side publishes with a release store after writing (or reading) the elements, so a handle is
 *       visible before the index that covers it, and a slot is not overwritten before it was read.</li>
 * </ul>
 *
 * <p>Burst operations move as many handles as fit (or as are there); bulk operations move all or none.
 * Both return how many moved, and {@link #free()}/{@link #size()} give the room for back-pressure. Full and
 * empty are return values, never exceptions. Counters (full/empty events, high-water mark) are written only
 * by the side that observes them.
 */
public final class SpscRing extends SpscRingRhsPadding {
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;
    private static final VarHandle OPAQUE_LONG;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(SpscRing.class, "tail", long.class);
            HEAD = lookup.findVarHandle(SpscRing.class, "head", long.class);
            OPAQUE_LONG = MethodHandles.arrayElementVarHandle(long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int FULL_EVENTS = 0;
    private static final int HIGH_WATER = 8;
    private static final int EMPTY_EVENTS = 16;

    private final int[] buffer;
    private final int mask;
    private final int capacity;
    private final String name;
    /** Producer counters at [0] and [8], consumer's at [16]: different cache lines. */
    private final long[] counters = new long[24];

    /**
     * @param capacity a power of two, at least 2
     */
    public SpscRing(String name, int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring " + name + ": capacity=" + capacity
                + " must be a power of two and at least 2");
        }
        this.name = name;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.buffer = new int[capacity];
    }

    /** Producer: adds one handle. @return false when the ring is full */
    public boolean offer(int handle) {
        long t = tail;
        if (t - cachedHead >= capacity) {
            cachedHead = (long) HEAD.getAcquire(this);
            if (t - cachedHead >= capacity) {
                bump(FULL_EVENTS);
                return false;
            }
        }
        buffer[(int) t & mask] = handle;
        TAIL.setRelease(this, t + 1);
        noteSize(t + 1);
        return true;
    }

    /** Producer: adds as many of {@code src[off..off+n)} as fit. @return how many were added */
    public int offerBurst(int[] src, int off, int n) {
        return offer(src, off, n, false);
    }

    /** Producer: adds all of {@code src[off..off+n)} or none. @return n or 0 */
    public int offerBulk(int[] src, int off, int n) {
        return offer(src, off, n, true);
    }

    private int offer(int[] src, int off, int n, boolean all) {
        long t = tail;
        long room = capacity - (t - cachedHead);
        if (room < n) {
            cachedHead = (long) HEAD.getAcquire(this);
            room = capacity - (t - cachedHead);
            if (room < n && (all || room == 0)) {
                bump(FULL_EVENTS);
                return 0;
            }
        }
        int k = (int) Math.min(room, n);
        int at = (int) t & mask;
        int first = Math.min(k, capacity - at);
        System.arraycopy(src, off, buffer, at, first);
        System.arraycopy(src, off + first, buffer, 0, k - first);
        TAIL.setRelease(this, t + k);
        noteSize(t + k);
        return k;
    }

    /** Consumer: takes one handle. @return the handle, or {@code emptyValue} when the ring is empty */
    public int poll(int emptyValue) {
        long h = head;
        if (h >= cachedTail) {
            cachedTail = (long) TAIL.getAcquire(this);
            if (h >= cachedTail) {
                bump(EMPTY_EVENTS);
                return emptyValue;
            }
        }
        int v = buffer[(int) h & mask];
        HEAD.setRelease(this, h + 1);
        return v;
    }

    /** Consumer: takes up to {@code n} handles into {@code dst[off..)}. @return how many */
    public int pollBurst(int[] dst, int off, int n) {
        return poll(dst, off, n, false);
    }

    /** Consumer: takes exactly {@code n} handles or none. @return n or 0 */
    public int pollBulk(int[] dst, int off, int n) {
        return poll(dst, off, n, true);
    }

    private int poll(int[] dst, int off, int n, boolean all) {
        long h = head;
        long avail = cachedTail - h;
        if (avail < n) {
            cachedTail = (long) TAIL.getAcquire(this);
            avail = cachedTail - h;
            if (avail < n && (all || avail == 0)) {
                bump(EMPTY_EVENTS);
                return 0;
            }
        }
        int k = (int) Math.min(avail, n);
        int at = (int) h & mask;
        int first = Math.min(k, capacity - at);
        System.arraycopy(buffer, at, dst, off, first);
        System.arraycopy(buffer, 0, dst, off + first, k - first);
        HEAD.setRelease(this, h + k);
        return k;
    }

    /**
     * Producer, after publishing {@code tail}: raises the high-water mark. {@code tail - cachedHead} is only an
     * upper bound of the size (the consumer may have moved on), so the head is re-read, and the size measured,
     * only when that bound would raise the mark; with the consumer keeping up this costs a head read every
     * {@code highWater} handles at most.
     */
    private void noteSize(long tail) {
        long mark = counters[HIGH_WATER];
        if (tail - cachedHead > mark) {
            cachedHead = (long) HEAD.getAcquire(this);
            long size = tail - cachedHead;
            if (size > mark) {
                OPAQUE_LONG.setOpaque(counters, HIGH_WATER, size);
            }
        }
    }

    private void bump(int counter) {
        OPAQUE_LONG.setOpaque(counters, counter, counters[counter] + 1);
    }

    /** Handles in the ring now; exact from either side, a recent value from any other thread. */
    public int size() {
        long t = (long) TAIL.getAcquire(this);
        long h = (long) HEAD.getAcquire(this);
        return (int) Math.max(0, Math.min(capacity, t - h));
    }

    /** Room for more handles now. */
    public int free() {
        return capacity - size();
    }

    public int capacity() {
        return capacity;
    }

    public String name() {
        return name;
    }

    public long fullEvents() {
        return (long) OPAQUE_LONG.getOpaque(counters, FULL_EVENTS);
    }

    public long emptyEvents() {
        return (long) OPAQUE_LONG.getOpaque(counters, EMPTY_EVENTS);
    }

    public long highWater() {
        return (long) OPAQUE_LONG.getOpaque(counters, HIGH_WATER);
    }
}
