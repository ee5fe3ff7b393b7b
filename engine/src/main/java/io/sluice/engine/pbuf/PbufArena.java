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

    private final Arena arena;
    final MemorySegment segment;
    final int slots;

    PbufArena(int slots) {
        if (slots < 1 || slots > PbufHandle.MAX_SLOTS) {
            throw new IllegalArgumentException("slots=" + slots + " must be in 1.." + PbufHandle.MAX_SLOTS);
        }
        this.slots = slots;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate((long) slots * SLOT_SIZE, ALIGNMENT);
        for (int i = 0; i < slots; i++) {
            segment.set(SHORT, slotBase(i) + GENERATION_OFFSET, (short) 1);
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
        return segment.get(INT, slotBase(i) + NEXT_OFFSET);
    }

    void next(int i, int v) {
        segment.set(INT, slotBase(i) + NEXT_OFFSET, v);
    }

    int nextPkt(int i) {
        return segment.get(INT, slotBase(i) + NEXTPKT_OFFSET);
    }

    void nextPkt(int i, int v) {
        segment.set(INT, slotBase(i) + NEXTPKT_OFFSET, v);
    }

    int data(int i) {
        return segment.get(SHORT, slotBase(i) + DATA_OFFSET);
    }

    void data(int i, int v) {
        segment.set(SHORT, slotBase(i) + DATA_OFFSET, (short) v);
    }

    int len(int i) {
        return segment.get(SHORT, slotBase(i) + LEN_OFFSET);
    }

    void len(int i, int v) {
        segment.set(SHORT, slotBase(i) + LEN_OFFSET, (short) v);
    }

    int type(int i) {
        return segment.get(BYTE, slotBase(i) + TYPE_OFFSET);
    }

    void type(int i, int v) {
        segment.set(BYTE, slotBase(i) + TYPE_OFFSET, (byte) v);
    }

    int flags(int i) {
        return segment.get(BYTE, slotBase(i) + FLAGS_OFFSET);
    }

    void flags(int i, int v) {
        segment.set(BYTE, slotBase(i) + FLAGS_OFFSET, (byte) v);
    }

    boolean isPktHdr(int i) {
        return (flags(i) & F_PKTHDR) != 0;
    }

    byte state(int i) {
        return segment.get(BYTE, slotBase(i) + STATE_OFFSET);
    }

    void state(int i, byte v) {
        segment.set(BYTE, slotBase(i) + STATE_OFFSET, v);
    }

    int generation(int i) {
        return segment.get(SHORT, slotBase(i) + GENERATION_OFFSET);
    }

    void generation(int i, int v) {
        segment.set(SHORT, slotBase(i) + GENERATION_OFFSET, (short) v);
    }

    int owner(int i) {
        return segment.get(SHORT, slotBase(i) + OWNER_OFFSET);
    }

    void owner(int i, int v) {
        segment.set(SHORT, slotBase(i) + OWNER_OFFSET, (short) v);
    }

    int pktLen(int i) {
        return segment.get(INT, slotBase(i) + PKT_LEN_OFFSET);
    }

    void pktLen(int i, int v) {
        segment.set(INT, slotBase(i) + PKT_LEN_OFFSET, v);
    }

    int getShort(int i, int offset) {
        return segment.get(SHORT, slotBase(i) + offset) & 0xFFFF;
    }

    void putShort(int i, int offset, int v) {
        segment.set(SHORT, slotBase(i) + offset, (short) v);
    }

    int getInt(int i, int offset) {
        return segment.get(INT, slotBase(i) + offset);
    }

    void putInt(int i, int offset, int v) {
        segment.set(INT, slotBase(i) + offset, v);
    }

    long getLong(int i, int offset) {
        return segment.get(LONG, slotBase(i) + offset);
    }

    void putLong(int i, int offset, long v) {
        segment.set(LONG, slotBase(i) + offset, v);
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
        segment.set(LONG, base + NEXT_OFFSET, 0L);
        long packed = (dataOffset & 0xFFFFL)
            | (len & 0xFFFFL) << 16
            | (type & 0xFFL) << 32
            | (flags & 0xFFL) << 40
            | (STATE_ALLOCATED & 0xFFL) << 48;
        segment.set(LONG, base + DATA_OFFSET, packed);
        segment.set(SHORT, base + OWNER_OFFSET, (short) owner);
        if ((flags & F_PKTHDR) != 0) {
            segment.set(INT, base + PKT_LEN_OFFSET, len);
            segment.set(INT, base + PKT_RCVIF_OFFSET, 0);
            segment.set(LONG, base + PKT_L2_OFFSET, 0L);
            segment.set(INT, base + PKT_HASH_OFFSET, 0);
            segment.set(LONG, base + PKT_TIMESTAMP_OFFSET, 0L);
        }
    }

    /** Copies the packet-header fields of {@code from} to {@code to}; flags are left to the caller. */
    void copyPktHdr(int from, int to) {
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
}
