package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One preallocated off-heap region of {@code slots} pbuf slots, and plain accessors for the slot header
 * fields by slot index. Nothing here validates handles or ranges beyond the segment's own bounds: the
 * callers ({@link Pbufs}, {@link SharedFreeList}) do that once.
 */
final class PbufArena implements AutoCloseable {
    // Unaligned layouts: every field is naturally aligned in a page-aligned arena, so the per-access alignment
    // check of the aligned layouts only costs instructions on every header access.
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    /** Page alignment: slots are then cache-line aligned and a slot never straddles a page. */
    private static final long ALIGNMENT = 4096;

    /**
     * Every address, as one segment in the global scope. A static final segment lets the JIT fold away the
     * checks that a bounded segment makes on each access (its scope is alive, it is not read-only, the offset
     * is inside it): about a third of the instructions of a get and free. Only the header accessors of
     * unchecked mode use it; checked mode, and every bulk copy, go through the bounded {@link #segment}.
     * The price: a header access through a stale pool after {@link #close()} is undefined in unchecked mode
     * instead of an exception, which is why the pool is closed only after its threads have stopped.
     */
    @SuppressWarnings("restricted")
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Arena arena;
    final MemorySegment segment;
    private final long address;
    final int slots;

    PbufArena(int slots) {
        if (slots < 1 || slots > PbufHandle.MAX_SLOTS) {
            throw new IllegalArgumentException("slots=" + slots + " must be in 1.." + PbufHandle.MAX_SLOTS);
        }
        this.slots = slots;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate((long) slots * SLOT_SIZE, ALIGNMENT);
        this.address = segment.address();
        for (int i = 0; i < slots; i++) {
            i16(slotBase(i) + GENERATION_OFFSET, (short) 1);
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    boolean isOpen() {
        return arena.scope().isAlive();
    }

    int next(int i) {
        return i32(slotBase(i) + NEXT_OFFSET);
    }

    void next(int i, int v) {
        i32(slotBase(i) + NEXT_OFFSET, v);
    }

    int nextPkt(int i) {
        return i32(slotBase(i) + NEXTPKT_OFFSET);
    }

    void nextPkt(int i, int v) {
        i32(slotBase(i) + NEXTPKT_OFFSET, v);
    }

    int data(int i) {
        return i16(slotBase(i) + DATA_OFFSET);
    }

    void data(int i, int v) {
        i16(slotBase(i) + DATA_OFFSET, (short) v);
    }

    int len(int i) {
        return i16(slotBase(i) + LEN_OFFSET);
    }

    void len(int i, int v) {
        i16(slotBase(i) + LEN_OFFSET, (short) v);
    }

    int type(int i) {
        return i8(slotBase(i) + TYPE_OFFSET);
    }

    void type(int i, int v) {
        i8(slotBase(i) + TYPE_OFFSET, (byte) v);
    }

    int flags(int i) {
        return i8(slotBase(i) + FLAGS_OFFSET);
    }

    void flags(int i, int v) {
        i8(slotBase(i) + FLAGS_OFFSET, (byte) v);
    }

    boolean isPktHdr(int i) {
        return (flags(i) & F_PKTHDR) != 0;
    }

    byte state(int i) {
        return i8(slotBase(i) + STATE_OFFSET);
    }

    void state(int i, byte v) {
        i8(slotBase(i) + STATE_OFFSET, v);
    }

    int generation(int i) {
        return i16(slotBase(i) + GENERATION_OFFSET);
    }

    void generation(int i, int v) {
        i16(slotBase(i) + GENERATION_OFFSET, (short) v);
    }

    int owner(int i) {
        return i16(slotBase(i) + OWNER_OFFSET);
    }

    void owner(int i, int v) {
        i16(slotBase(i) + OWNER_OFFSET, (short) v);
    }

    int pktLen(int i) {
        return i32(slotBase(i) + PKT_LEN_OFFSET);
    }

    void pktLen(int i, int v) {
        i32(slotBase(i) + PKT_LEN_OFFSET, v);
    }

    int getByte(int i, int offset) {
        return i8(slotBase(i) + offset);
    }

    void putByte(int i, int offset, int v) {
        i8(slotBase(i) + offset, (byte) v);
    }

    int getShort(int i, int offset) {
        return i16(slotBase(i) + offset) & 0xFFFF;
    }

    void putShort(int i, int offset, int v) {
        i16(slotBase(i) + offset, (short) v);
    }

    int getInt(int i, int offset) {
        return i32(slotBase(i) + offset);
    }

    void putInt(int i, int offset, int v) {
        i32(slotBase(i) + offset, v);
    }

    long getLong(int i, int offset) {
        return i64(slotBase(i) + offset);
    }

    void putLong(int i, int offset, long v) {
        i64(slotBase(i) + offset, v);
    }

    /** Handle of slot {@code i} at its current generation. */
    int handle(int i) {
        return PbufHandle.of(i, generation(i));
    }

    /**
     * Writes the per-pbuf header of a freshly taken slot in three stores: links cleared, data offset and
     * length, type, flags and the allocated state packed into one little-endian long.
     */
    void initialise(int i, int dataOffset, int len, int type, int flags, int owner) {
        long base = slotBase(i);
        i64(base + NEXT_OFFSET, 0L);
        long packed = (dataOffset & 0xFFFFL)
            | (len & 0xFFFFL) << 16
            | (type & 0xFFL) << 32
            | (flags & 0xFFL) << 40
            | (STATE_ALLOCATED & 0xFFL) << 48;
        i64(base + DATA_OFFSET, packed);
        i16(base + OWNER_OFFSET, (short) owner);
        if ((flags & F_PKTHDR) != 0) {
            i32(base + PKT_LEN_OFFSET, len);
            i32(base + PKT_RCVIF_OFFSET, 0);
            i64(base + PKT_L2_OFFSET, 0L);
            i32(base + PKT_HASH_OFFSET, 0);
            i64(base + PKT_TIMESTAMP_OFFSET, 0L);
        }
    }

    /** Copies the packet-header fields of {@code from} to {@code to}; flags are left to the caller. */
    void copyPktHdr(int from, int to) {
        i8(slotBase(to) + PKT_TXIF_OFFSET, i8(slotBase(from) + PKT_TXIF_OFFSET));
        MemorySegment.copy(segment, slotBase(from) + PKTHDR_OFFSET, segment, slotBase(to) + PKTHDR_OFFSET,
            PKTHDR_LENGTH);
    }

    void poison(int i) {
        segment.asSlice(slotBase(i) + HEADER_LENGTH, PHLEN).fill(POISON);
    }

    void fill(int i, int offsetInSlot, int length, byte value) {
        segment.asSlice(slotBase(i) + offsetInSlot, length).fill(value);
    }

    /** Moves {@code length} bytes inside the arena; overlapping ranges are handled as memmove does. */
    void move(long from, long to, int length) {
        MemorySegment.copy(segment, from, segment, to, length);
    }

    private int i32(long off) {
        return Pbufs.CHECKED ? segment.get(INT, off) : ALL.get(INT, address + off);
    }

    private void i32(long off, int v) {
        if (Pbufs.CHECKED) {
            segment.set(INT, off, v);
        } else {
            ALL.set(INT, address + off, v);
        }
    }

    private short i16(long off) {
        return Pbufs.CHECKED ? segment.get(SHORT, off) : ALL.get(SHORT, address + off);
    }

    private void i16(long off, short v) {
        if (Pbufs.CHECKED) {
            segment.set(SHORT, off, v);
        } else {
            ALL.set(SHORT, address + off, v);
        }
    }

    private byte i8(long off) {
        return Pbufs.CHECKED ? segment.get(BYTE, off) : ALL.get(BYTE, address + off);
    }

    private void i8(long off, byte v) {
        if (Pbufs.CHECKED) {
            segment.set(BYTE, off, v);
        } else {
            ALL.set(BYTE, address + off, v);
        }
    }

    private long i64(long off) {
        return Pbufs.CHECKED ? segment.get(LONG, off) : ALL.get(LONG, address + off);
    }

    private void i64(long off, long v) {
        if (Pbufs.CHECKED) {
            segment.set(LONG, off, v);
        } else {
            ALL.set(LONG, address + off, v);
        }
    }
}
