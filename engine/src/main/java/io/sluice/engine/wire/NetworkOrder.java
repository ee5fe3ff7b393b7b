package io.sluice.engine.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Unsigned big-endian (network order, RFC 1700 "Data Notations") reads and writes of 8, 16, 32 and 48-bit
 * fields at any byte offset of a segment. The layouts are {@code static final}, so each access compiles to one
 * load or store (plus a byte swap on little-endian machines); nothing is allocated.
 *
 * <p>Setters keep the low bits of the value that fit the field: callers pass field-sized values.
 */
final class NetworkOrder {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkOrder() {
    }

    static int u8(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int u16(MemorySegment seg, long off) {
        return seg.get(U16, off) & 0xFFFF;
    }

    /** The 32 bits as an int (an IPv4 address as 0x0A000001 for 10.0.0.1). */
    static int u32(MemorySegment seg, long off) {
        return seg.get(U32, off);
    }

    /** 48 bits (a MAC address) in the low bits of a long. */
    static long u48(MemorySegment seg, long off) {
        return (seg.get(U32, off) & 0xFFFF_FFFFL) << 16 | (seg.get(U16, off + 4) & 0xFFFF);
    }

    static void setU8(MemorySegment seg, long off, int v) {
        seg.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    static void setU16(MemorySegment seg, long off, int v) {
        seg.set(U16, off, (short) v);
    }

    static void setU32(MemorySegment seg, long off, int v) {
        seg.set(U32, off, v);
    }

    static void setU48(MemorySegment seg, long off, long v) {
        seg.set(U32, off, (int) (v >>> 16));
        seg.set(U16, off + 4, (short) v);
    }
}
