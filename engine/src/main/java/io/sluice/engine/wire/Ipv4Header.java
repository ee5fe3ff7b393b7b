package io.sluice.engine.wire;

import static io.sluice.engine.wire.NetworkOrder.*;

import java.lang.foreign.MemorySegment;

/**
 * The IPv4 header (RFC 791 3.1; DSCP and ECN from RFC 2474 and RFC 3168).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|         Total Length          |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Identification         |0|D|M|    Fragment Offset      |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Time to Live  |   Protocol    |        Header Checksum        |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Source Address                         | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Destination Address                       | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL * 4 - 20 bytes)               | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Views over {@code (segment, offset)}: call {@link #check} once on a received datagram; after {@link
 * WireError#OK} every getter reads inside the {@link #headerLength} bytes and the header checksum is known to
 * verify. Setters and {@link #write} do not check, for emitting into a pbuf the caller has sized. Addresses
 * are ints in network order: 10.0.0.1 is {@code 0x0A000001} ({@link Ipv4Address} formats and parses them).
 */
public final class Ipv4Header {
    /** Offset of the version (high nibble) and IHL (low nibble). */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the type of service byte: DSCP (high 6 bits) and ECN (low 2 bits). */
    public static final int TOS_OFFSET = 1;
    /** Offset of the total length, header and data, in bytes. */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification. */
    public static final int IDENTIFICATION_OFFSET = 4;
    /** Offset of the 16-bit word holding the flags (3 bits) and the fragment offset (13 bits). */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Offset of the time to live. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the header checksum. */
    public static final int CHECKSUM_OFFSET = 10;
    /** Offset of the source address. */
    public static final int SRC_OFFSET = 12;
    /** Offset of the destination address. */
    public static final int DST_OFFSET = 16;
    /** Bytes of a header without options (IHL 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Bytes of the longest header (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;

    /** Don't Fragment, in the flags/fragment word. */
    public static final int FLAG_DF = 0x4000;
    /** More Fragments, in the flags/fragment word. */
    public static final int FLAG_MF = 0x2000;
    /** The fragment offset bits of the flags/fragment word, in units of 8 bytes. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** Protocol number of ICMP. */
    public static final int PROTOCOL_ICMP = 1;
    /** Protocol number of TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** Protocol number of UDP. */
    public static final int PROTOCOL_UDP = 17;

    /** The TTL of datagrams this host originates (RFC 1700 suggests 64). */
    public static final int DEFAULT_TTL = 64;

    private static final int VERSION_4 = 4;
    private static final int MIN_IHL = 5;

    private Ipv4Header() {
    }

    /**
     * Checks a received datagram, once, in the order of RFC 1812 5.2.2, except that version and IHL come
     * before the checksum because the checksum covers {@code IHL * 4} bytes; a header whose checksum fails is
     * reported as such before its lengths, which are then noise.
     *
     * @param available the bytes the link layer delivered from {@code off} on (the frame less its link
     *                  header; trailing Ethernet padding is allowed). The first {@code min(available, 60)} of
     *                  them must be contiguous in {@code seg} (a pbuf chain is pulled up first).
     */
    public static WireError check(MemorySegment seg, long off, int available) {
        if (available < MIN_HEADER_LENGTH) {
            return WireError.IP_TOO_SHORT;
        }
        int versionIhl = u8(seg, off + VERSION_IHL_OFFSET);
        if (versionIhl >>> 4 != VERSION_4) {
            return WireError.IP_BAD_VERSION;
        }
        int headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < MIN_IHL * 4) {
            return WireError.IP_BAD_IHL;
        }
        if (headerLength > available) {
            return WireError.IP_HEADER_TRUNCATED;
        }
        if (Checksum.sum(seg, off, headerLength) != Checksum.VERIFIED_SUM) {
            return WireError.IP_BAD_CHECKSUM;
        }
        int totalLength = u16(seg, off + TOTAL_LENGTH_OFFSET);
        if (totalLength < headerLength) {
            return WireError.IP_BAD_TOTAL_LENGTH;
        }
        if (totalLength > available) {
            return WireError.IP_TRUNCATED;
        }
        return WireError.OK;
    }

    /** The version field (4 once checked). */
    public static int version(MemorySegment seg, long off) {
        return u8(seg, off + VERSION_IHL_OFFSET) >>> 4;
    }

    /** The IHL field: header length in 32-bit words. */
    public static int ihl(MemorySegment seg, long off) {
        return u8(seg, off + VERSION_IHL_OFFSET) & 0x0F;
    }

    /** The header length in bytes, options included: {@code IHL * 4}. */
    public static int headerLength(MemorySegment seg, long off) {
        return ihl(seg, off) * 4;
    }

    /** The bytes of options: {@code IHL * 4 - 20}. */
    public static int optionsLength(MemorySegment seg, long off) {
        return headerLength(seg, off) - MIN_HEADER_LENGTH;
    }

    /** The whole type of service byte. */
    public static int tos(MemorySegment seg, long off) {
        return u8(seg, off + TOS_OFFSET);
    }

    /** The differentiated services code point (RFC 2474). */
    public static int dscp(MemorySegment seg, long off) {
        return tos(seg, off) >>> 2;
    }

    /** The ECN codepoint (RFC 3168). */
    public static int ecn(MemorySegment seg, long off) {
        return tos(seg, off) & 0x03;
    }

    /** The total length, header and data, in bytes. */
    public static int totalLength(MemorySegment seg, long off) {
        return u16(seg, off + TOTAL_LENGTH_OFFSET);
    }

    /** The identification. */
    public static int identification(MemorySegment seg, long off) {
        return u16(seg, off + IDENTIFICATION_OFFSET);
    }

    /** The flags and fragment offset word as it is on the wire (see {@link #FLAG_DF}, {@link #FLAG_MF}). */
    public static int flagsFragment(MemorySegment seg, long off) {
        return u16(seg, off + FLAGS_FRAGMENT_OFFSET);
    }

    /** Whether Don't Fragment is set. */
    public static boolean dontFragment(MemorySegment seg, long off) {
        return (flagsFragment(seg, off) & FLAG_DF) != 0;
    }

    /** Whether More Fragments is set. */
    public static boolean moreFragments(MemorySegment seg, long off) {
        return (flagsFragment(seg, off) & FLAG_MF) != 0;
    }

    /** The fragment offset in bytes (the field counts 8-byte units). */
    public static int fragmentOffset(MemorySegment seg, long off) {
        return (flagsFragment(seg, off) & FRAGMENT_OFFSET_MASK) * 8;
    }

    /** Whether the datagram is a fragment: More Fragments set or a non-zero offset (RFC 791 3.2). */
    public static boolean isFragment(MemorySegment seg, long off) {
        return (flagsFragment(seg, off) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** The time to live. */
    public static int ttl(MemorySegment seg, long off) {
        return u8(seg, off + TTL_OFFSET);
    }

    /** The protocol of the payload ({@link #PROTOCOL_ICMP}, {@link #PROTOCOL_UDP}, ...). */
    public static int protocol(MemorySegment seg, long off) {
        return u8(seg, off + PROTOCOL_OFFSET);
    }

    /** The header checksum field. */
    public static int checksum(MemorySegment seg, long off) {
        return u16(seg, off + CHECKSUM_OFFSET);
    }

    /** The source address. */
    public static int src(MemorySegment seg, long off) {
        return u32(seg, off + SRC_OFFSET);
    }

    /** The destination address. */
    public static int dst(MemorySegment seg, long off) {
        return u32(seg, off + DST_OFFSET);
    }

    /** Whether the header checksum verifies over {@link #headerLength} bytes. */
    public static boolean verifyChecksum(MemorySegment seg, long off) {
        return Checksum.sum(seg, off, headerLength(seg, off)) == Checksum.VERIFIED_SUM;
    }

    /** Sets the type of service byte. The checksum is the caller's to update. */
    public static void setTos(MemorySegment seg, long off, int tos) {
        setU8(seg, off + TOS_OFFSET, tos);
    }

    /** Sets the total length. The checksum is the caller's to update. */
    public static void setTotalLength(MemorySegment seg, long off, int totalLength) {
        setU16(seg, off + TOTAL_LENGTH_OFFSET, totalLength);
    }

    /** Sets the identification. The checksum is the caller's to update. */
    public static void setIdentification(MemorySegment seg, long off, int id) {
        setU16(seg, off + IDENTIFICATION_OFFSET, id);
    }

    /** Sets the flags and fragment offset word. The checksum is the caller's to update. */
    public static void setFlagsFragment(MemorySegment seg, long off, int flagsFragment) {
        setU16(seg, off + FLAGS_FRAGMENT_OFFSET, flagsFragment);
    }

    /** Sets the time to live. The checksum is the caller's to update (or use {@link #decrementTtl}). */
    public static void setTtl(MemorySegment seg, long off, int ttl) {
        setU8(seg, off + TTL_OFFSET, ttl);
    }

    /** Sets the protocol. The checksum is the caller's to update. */
    public static void setProtocol(MemorySegment seg, long off, int protocol) {
        setU8(seg, off + PROTOCOL_OFFSET, protocol);
    }

    /** Sets the header checksum field. */
    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        setU16(seg, off + CHECKSUM_OFFSET, checksum);
    }

    /** Sets the source address. The checksum is the caller's to update ({@link Checksum#update32}). */
    public static void setSrc(MemorySegment seg, long off, int ip) {
        setU32(seg, off + SRC_OFFSET, ip);
    }

    /** Sets the destination address. The checksum is the caller's to update ({@link Checksum#update32}). */
    public static void setDst(MemorySegment seg, long off, int ip) {
        setU32(seg, off + DST_OFFSET, ip);
    }

    /** Computes the header checksum over {@link #headerLength} bytes and stores it. */
    public static void fillChecksum(MemorySegment seg, long off) {
        setChecksum(seg, off, 0);
        setChecksum(seg, off, Checksum.of(seg, off, headerLength(seg, off)));
    }

    /**
     * The forwarding step of RFC 1812 5.3.1: TTL down by one and the checksum updated incrementally (RFC 1624),
     * without summing the header again. The caller has checked that TTL is above 1 (a datagram that would
     * leave with TTL 0 is dropped with an ICMP time exceeded instead).
     */
    public static void decrementTtl(MemorySegment seg, long off) {
        // TTL, protocol and checksum are one 32-bit word at offset 8: one load and one store.
        int word = u32(seg, off + TTL_OFFSET);
        int checksum = Checksum.updateForTtlDecrement(word & 0xFFFF);
        setU32(seg, off + TTL_OFFSET, (word - 0x0100_0000) & 0xFFFF_0000 | checksum);
    }

    /**
     * Writes a 20-byte header without options, checksum included.
     *
     * @param tos           DSCP and ECN
     * @param totalLength   header and payload, in bytes
     * @param id            identification
     * @param flagsFragment flags and fragment offset word, e.g. {@link #FLAG_DF}
     * @return the bytes written, {@link #MIN_HEADER_LENGTH}
     */
    public static int write(MemorySegment seg, long off, int tos, int totalLength, int id, int flagsFragment,
                            int ttl, int protocol, int srcIp, int dstIp) {
        setU8(seg, off + VERSION_IHL_OFFSET, VERSION_4 << 4 | MIN_IHL);
        setTos(seg, off, tos);
        setTotalLength(seg, off, totalLength);
        setIdentification(seg, off, id);
        setFlagsFragment(seg, off, flagsFragment);
        setTtl(seg, off, ttl);
        setProtocol(seg, off, protocol);
        setChecksum(seg, off, 0);
        setSrc(seg, off, srcIp);
        setDst(seg, off, dstIp);
        setChecksum(seg, off, Checksum.of(seg, off, MIN_HEADER_LENGTH));
        return MIN_HEADER_LENGTH;
    }
}
