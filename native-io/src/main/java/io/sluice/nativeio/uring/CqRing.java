package io.sluice.nativeio.uring;

import io.sluice.nativeio.uring.Uring.Cqe;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A flyweight over the completion queue of a mapped ring. The kernel owns the tail, user space the head.
 *
 * <p>{@link #ready} reads the tail with an acquire load (the kernel publishes a CQE with a release store of the
 * tail, so its fields are visible after it); the caller reads CQEs {@code 0 .. ready-1} counted from the head
 * with {@link #userData}, {@link #res} and {@link #flags}, then hands them back with {@link #advance}, a release
 * store of the head (after the reads, so the kernel never overwrites a CQE still being read).
 *
 * <p>Confined to one thread (the ring's reaper). Allocates nothing.
 */
public final class CqRing {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final long headOff;
    private final long tailOff;
    private final long overflowOff;
    private final long cqesOff;
    private final int mask;
    private final int entries;
    private int head;

    CqRing(MemorySegment ring, long headOff, long tailOff, long maskOff, long entriesOff, long overflowOff,
           long cqesOff) {
        this.ring = ring;
        this.headOff = headOff;
        this.tailOff = tailOff;
        this.overflowOff = overflowOff;
        this.cqesOff = cqesOff;
        this.mask = ring.get(ValueLayout.JAVA_INT, maskOff);
        this.entries = ring.get(ValueLayout.JAVA_INT, entriesOff);
        if (Integer.bitCount(entries) != 1 || mask != entries - 1
            || ring.byteSize() < cqesOff + entries * Cqe.SIZE) {
            throw new IllegalStateException("the kernel reported a CQ of " + entries + " entries, mask " + mask);
        }
        this.head = (int) INT.getAcquire(ring, headOff);
    }

    /** Entries in the queue (a power of two). */
    public int entries() {
        return entries;
    }

    /** CQEs waiting from the head (acquire load of the kernel's tail). */
    public int ready() {
        return (int) INT.getAcquire(ring, tailOff) - head;
    }

    private long cqe(int i) {
        return cqesOff + (long) ((head + i) & mask) * Cqe.SIZE;
    }

    /** The {@code user_data} of the {@code i}-th waiting CQE. */
    public long userData(int i) {
        return ring.get(ValueLayout.JAVA_LONG, cqe(i) + Cqe.USER_DATA);
    }

    /** The result of the {@code i}-th waiting CQE: a count, or {@code -errno}. */
    public int res(int i) {
        return ring.get(ValueLayout.JAVA_INT, cqe(i) + Cqe.RES);
    }

    /** The {@code IORING_CQE_F_*} flags of the {@code i}-th waiting CQE. */
    public int flags(int i) {
        return ring.get(ValueLayout.JAVA_INT, cqe(i) + Cqe.FLAGS);
    }

    /** Hands {@code n} CQEs back to the kernel: a release store of the head. */
    public void advance(int n) {
        head += n;
        INT.setRelease(ring, headOff, head);
    }

    /** CQEs the kernel could not post because the queue was full (without IORING_FEAT_NODROP they are lost). */
    public int overflow() {
        return (int) INT.getAcquire(ring, overflowOff);
    }
}
