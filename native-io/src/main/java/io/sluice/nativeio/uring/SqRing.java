package io.sluice.nativeio.uring;

import io.sluice.nativeio.uring.Uring.Sqe;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A flyweight over the submission queue of a mapped ring: the kernel's head and tail words, the index array and
 * the SQE array. User space owns the tail, the kernel the head.
 *
 * <p>Filling: {@link #next} hands out the SQE at the local tail, zeroed, and the caller writes its fields with
 * {@link #prep}; {@link #publish} then makes every SQE filled so far visible with one release store of the
 * tail (the kernel reads it with an acquire load, so it sees the SQE contents). {@link #head} is an acquire load:
 * once the kernel has moved past an SQE it has copied it (IORING_FEAT_SUBMIT_STABLE), and the slot may be
 * reused. The index array maps slot {@code i} to SQE {@code i}, written once at construction.
 *
 * <p>Confined to one thread (the ring's submitter). Allocates nothing.
 */
public final class SqRing {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final MemorySegment sqes;
    private final long headOff;
    private final long tailOff;
    private final long flagsOff;
    private final long droppedOff;
    private final int mask;
    private final int entries;
    /** The next slot to fill; the kernel's tail word equals it after {@link #publish}. */
    private int tail;

    SqRing(MemorySegment ring, MemorySegment sqes, long headOff, long tailOff, long maskOff, long entriesOff,
           long flagsOff, long droppedOff, long arrayOff) {
        this.ring = ring;
        this.sqes = sqes;
        this.headOff = headOff;
        this.tailOff = tailOff;
        this.flagsOff = flagsOff;
        this.droppedOff = droppedOff;
        this.mask = ring.get(ValueLayout.JAVA_INT, maskOff);
        this.entries = ring.get(ValueLayout.JAVA_INT, entriesOff);
        if (Integer.bitCount(entries) != 1 || mask != entries - 1 || sqes.byteSize() < entries * Sqe.SIZE) {
            throw new IllegalStateException("the kernel reported an SQ of " + entries + " entries, mask " + mask);
        }
        for (int i = 0; i < entries; i++) {
            ring.set(ValueLayout.JAVA_INT, arrayOff + 4L * i, i);
        }
        this.tail = (int) INT.getAcquire(ring, tailOff);
    }

    /** Entries in the queue (a power of two). */
    public int entries() {
        return entries;
    }

    /** The kernel's head: SQEs before it have been consumed (acquire load). */
    public int head() {
        return (int) INT.getAcquire(ring, headOff);
    }

    /** SQEs that may be filled now. */
    public int free() {
        return entries - (tail - head());
    }

    /** SQEs filled (published or not) that the kernel has not consumed: what {@code io_uring_enter} should submit. */
    public int pending() {
        return tail - head();
    }

    /** SQEs filled but not yet {@link #publish published}. */
    public int unpublished() {
        return tail - (int) INT.getOpaque(ring, tailOff);
    }

    /**
     * Takes the SQE at the tail and zeroes it. The caller must have checked {@link #free()} &gt; 0.
     *
     * @return its offset in the SQE array, for {@link #prep}
     */
    public long next() {
        long sqe = (long) (tail & mask) * Sqe.SIZE;
        for (long o = 0; o < Sqe.SIZE; o += 8) {
            sqes.set(ValueLayout.JAVA_LONG, sqe + o, 0L);
        }
        tail++;
        return sqe;
    }

    /** Writes the fields most operations use into the SQE at {@code sqe} (from {@link #next}). */
    public void prep(long sqe, int opcode, int sqeFlags, int fd, long addr, int len, int opFlags, long userData) {
        sqes.set(ValueLayout.JAVA_BYTE, sqe + Sqe.OPCODE, (byte) opcode);
        sqes.set(ValueLayout.JAVA_BYTE, sqe + Sqe.FLAGS, (byte) sqeFlags);
        sqes.set(ValueLayout.JAVA_INT, sqe + Sqe.FD, fd);
        sqes.set(ValueLayout.JAVA_LONG, sqe + Sqe.ADDR, addr);
        sqes.set(ValueLayout.JAVA_INT, sqe + Sqe.LEN, len);
        sqes.set(ValueLayout.JAVA_INT, sqe + Sqe.OP_FLAGS, opFlags);
        sqes.set(ValueLayout.JAVA_LONG, sqe + Sqe.USER_DATA, userData);
    }

    /** Sets the SQE's {@code off} field (a file offset; -1 for "the current position"). */
    public void offset(long sqe, long off) {
        sqes.set(ValueLayout.JAVA_LONG, sqe + Sqe.OFF, off);
    }

    /** Makes the filled SQEs visible to the kernel: a release store of the tail. */
    public void publish() {
        INT.setRelease(ring, tailOff, tail);
    }

    /** The ring's flags word: IORING_SQ_TASKRUN, IORING_SQ_CQ_OVERFLOW (acquire load). */
    public int flags() {
        return (int) INT.getAcquire(ring, flagsOff);
    }

    /** Invalid SQEs the kernel skipped. */
    public int dropped() {
        return (int) INT.getAcquire(ring, droppedOff);
    }
}
