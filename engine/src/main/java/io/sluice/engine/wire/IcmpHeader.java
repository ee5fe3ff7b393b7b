package io.sluice.engine.wire;

import static io.sluice.engine.wire.NetworkOrder.*;

import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The ICMP header (RFC 792), the 8 bytes every ICMP message starts with; the checksum covers the whole ICMP
 * message (header and data).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |           Checksum            |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        rest of header                         |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * rest of header, by type:
 *   echo, echo reply         | Identifier (16)    | Sequence Number (16) |
 *   frag needed (RFC 1191)   | unused, zero (16)  | Next-Hop MTU (16)    |
 *   other errors             | unused, zero (32)                         |
 *   (errors then carry the offending IP header and the first 8 bytes of its data)
 * </pre>
 *
 * <p>Views over {@code (segment, offset)}: call a {@link #check} once on a received message; after {@link
 * WireError#OK} every getter reads inside the 8 header bytes. Setters and {@link #write} do not check.
 */
public final class IcmpHeader {
    /** Offset of the type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the code. */
    public static final int CODE_OFFSET = 1;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 2;
    /** Offset of the 4-byte rest of the header. */
    public static final int REST_OFFSET = 4;
    /** Offset of the identifier of an echo or echo reply. */
    public static final int IDENTIFIER_OFFSET = 4;
    /** Offset of the sequence number of an echo or echo reply. */
    public static final int SEQUENCE_OFFSET = 6;
    /** Offset of the next-hop MTU of a fragmentation-needed message (RFC 1191 4). */
    public static final int NEXT_HOP_MTU_OFFSET = 6;
    /** Bytes of the header. */
    public static final int HEADER_LENGTH = 8;

    /** Type: echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Type: destination unreachable; codes {@code CODE_*_UNREACHABLE} and {@link #CODE_FRAGMENTATION_NEEDED}. */
    public static final int TYPE_DEST_UNREACHABLE = 3;
    /** Type: echo (request). */
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Type: time exceeded; codes {@link #CODE_TTL_EXCEEDED} and {@link #CODE_REASSEMBLY_TIME_EXCEEDED}. */
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Destination unreachable: net unreachable (no route, RFC 1812 5.2.7.1). */
    public static final int CODE_NET_UNREACHABLE = 0;
    /** Destination unreachable: host unreachable (no neighbour answered). */
    public static final int CODE_HOST_UNREACHABLE = 1;
    /** Destination unreachable: protocol unreachable. */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    /** Destination unreachable: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Destination unreachable: fragmentation needed and DF set; carries the next-hop MTU (RFC 1191). */
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** Time exceeded: TTL exceeded in transit (RFC 1812 5.3.1). */
    public static final int CODE_TTL_EXCEEDED = 0;
    /** Time exceeded: fragment reassembly time exceeded. */
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    private IcmpHeader() {
    }

    /**
     * Checks a received ICMP message of {@code length} bytes held contiguously at {@code off}: at least the
     * 8-byte header, and a checksum that verifies over all {@code length} bytes.
     *
     * @param length the ICMP message: the IP total length less the IP header length
     */
    public static WireError check(MemorySegment seg, long off, int length) {
        if (length < HEADER_LENGTH) {
            return WireError.ICMP_TOO_SHORT;
        }
        if (Checksum.sum(seg, off, length) != Checksum.VERIFIED_SUM) {
            return WireError.ICMP_BAD_CHECKSUM;
        }
        return WireError.OK;
    }

    /**
     * As {@link #check(MemorySegment, long, int)} for a message at packet offset {@code off} of the chain
     * {@code h}, wherever its bytes lie. The caller keeps the chain; to read the header afterwards it pulls up
     * {@code off + 8} bytes.
     *
     * @throws IndexOutOfBoundsException when {@code [off, off + length)} is not inside the packet (a bug)
     */
    public static WireError check(Pbufs p, int h, int off, int length) {
        if (length < HEADER_LENGTH) {
            return WireError.ICMP_TOO_SHORT;
        }
        if (Checksum.sum(p, h, off, length) != Checksum.VERIFIED_SUM) {
            return WireError.ICMP_BAD_CHECKSUM;
        }
        return WireError.OK;
    }

    /** The type. */
    public static int type(MemorySegment seg, long off) {
        return u8(seg, off + TYPE_OFFSET);
    }

    /** The code. */
    public static int code(MemorySegment seg, long off) {
        return u8(seg, off + CODE_OFFSET);
    }

    /** The checksum field. */
    public static int checksum(MemorySegment seg, long off) {
        return u16(seg, off + CHECKSUM_OFFSET);
    }

    /** The 4-byte rest of the header, whatever the type. */
    public static int restOfHeader(MemorySegment seg, long off) {
        return u32(seg, off + REST_OFFSET);
    }

    /** The identifier of an echo or echo reply. */
    public static int identifier(MemorySegment seg, long off) {
        return u16(seg, off + IDENTIFIER_OFFSET);
    }

    /** The sequence number of an echo or echo reply. */
    public static int sequence(MemorySegment seg, long off) {
        return u16(seg, off + SEQUENCE_OFFSET);
    }

    /** The next-hop MTU of a fragmentation-needed message (RFC 1191 4). */
    public static int nextHopMtu(MemorySegment seg, long off) {
        return u16(seg, off + NEXT_HOP_MTU_OFFSET);
    }

    /** Sets the type. The checksum is the caller's to update. */
    public static void setType(MemorySegment seg, long off, int type) {
        setU8(seg, off + TYPE_OFFSET, type);
    }

    /** Sets the code. The checksum is the caller's to update. */
    public static void setCode(MemorySegment seg, long off, int code) {
        setU8(seg, off + CODE_OFFSET, code);
    }

    /** Sets the checksum field. */
    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        setU16(seg, off + CHECKSUM_OFFSET, checksum);
    }

    /** Sets the 4-byte rest of the header. The checksum is the caller's to update. */
    public static void setRestOfHeader(MemorySegment seg, long off, int rest) {
        setU32(seg, off + REST_OFFSET, rest);
    }

    /**
     * Writes the 8-byte header with a zero checksum; fill it with {@link #fillChecksum} once the data is in.
     *
     * @param restOfHeader identifier and sequence ({@code id << 16 | seq}), the next-hop MTU, or 0
     * @return the bytes written, {@link #HEADER_LENGTH}
     */
    public static int write(MemorySegment seg, long off, int type, int code, int restOfHeader) {
        setType(seg, off, type);
        setCode(seg, off, code);
        setChecksum(seg, off, 0);
        setRestOfHeader(seg, off, restOfHeader);
        return HEADER_LENGTH;
    }

    /** Computes the checksum over the {@code length}-byte message held contiguously at {@code off}, and stores it. */
    public static void fillChecksum(MemorySegment seg, long off, int length) {
        setChecksum(seg, off, 0);
        setChecksum(seg, off, Checksum.of(seg, off, length));
    }

    /**
     * Computes the checksum over the {@code length}-byte message at packet offset {@code off} of the chain
     * {@code h}, and stores it. The 8 header bytes must lie in the first pbuf, as after a prepend or a pullup.
     *
     * @throws IndexOutOfBoundsException when they do not, or the message runs past the packet (a bug)
     */
    public static void fillChecksum(Pbufs p, int h, int off, int length) {
        Objects.checkFromIndexSize(off, HEADER_LENGTH, p.len(h));
        MemorySegment seg = p.segment();
        long at = p.address(h) + off;
        setChecksum(seg, at, 0);
        setChecksum(seg, at, Checksum.of(p, h, off, length));
    }
}
