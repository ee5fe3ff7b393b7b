package io.sluice.engine.wire;

import static io.sluice.engine.wire.NetworkOrder.*;

import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The UDP header (RFC 768).
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |   Source Port   | Destination Port|  0
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |  4
 * +--------+--------+--------+--------+
 * |          data octets ...
 * +---------------- ...
 * </pre>
 *
 * <p>The checksum covers the IPv4 pseudo-header ({@link Checksum#pseudoHeaderSum}), the header and the data.
 * A zero checksum field means the sender computed none; a computed zero is therefore sent as {@code 0xFFFF}
 * (RFC 768).
 *
 * <p>Views over {@code (segment, offset)}: call {@link #check} once on a received datagram; after {@link
 * WireError#OK} every getter reads inside the 8 header bytes and {@link #length} fits in what was received.
 * Setters and {@link #write} do not check.
 */
public final class UdpHeader {
    /** Offset of the source port. */
    public static final int SRC_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DST_PORT_OFFSET = 2;
    /** Offset of the length, header and data, in bytes. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 6;
    /** Bytes of the header. */
    public static final int HEADER_LENGTH = 8;
    /** The checksum field of a datagram sent without a checksum. */
    public static final int NO_CHECKSUM = 0;

    private UdpHeader() {
    }

    /**
     * Checks the lengths of a received datagram: {@code available} (the IP payload: total length less header
     * length) holds the 8-byte header, and the length field is at least 8 and at most {@code available}. The
     * checksum needs the IP addresses: {@link #checkChecksum} does it.
     */
    public static WireError check(MemorySegment seg, long off, int available) {
        if (available < HEADER_LENGTH) {
            return WireError.UDP_TOO_SHORT;
        }
        int length = u16(seg, off + LENGTH_OFFSET);
        if (length < HEADER_LENGTH) {
            return WireError.UDP_BAD_LENGTH;
        }
        if (length > available) {
            return WireError.UDP_TRUNCATED;
        }
        return WireError.OK;
    }

    /**
     * Verifies the checksum of a datagram that passed {@link #check}, held contiguously at {@code off}, over
     * the pseudo-header, header and {@link #length} bytes. A zero field (no checksum) passes (RFC 768).
     *
     * @return {@link WireError#OK} or {@link WireError#UDP_BAD_CHECKSUM}
     */
    public static WireError checkChecksum(MemorySegment seg, long off, int srcIp, int dstIp) {
        if (checksum(seg, off) == NO_CHECKSUM) {
            return WireError.OK;
        }
        int length = length(seg, off);
        int sum = Checksum.add(pseudoHeaderSum(srcIp, dstIp, length), Checksum.sum(seg, off, length));
        return sum == Checksum.VERIFIED_SUM ? WireError.OK : WireError.UDP_BAD_CHECKSUM;
    }

    /**
     * As {@link #checkChecksum(MemorySegment, long, int, int)} for a datagram at packet offset {@code off} of the
     * chain {@code h}: the 8 header bytes lie in the first pbuf (after a pullup), the data anywhere in the
     * chain. The caller keeps the chain.
     *
     * @throws IndexOutOfBoundsException when the header is not in the first pbuf or the datagram runs past the
     *                                   packet (the caller skipped {@link #check}: a bug)
     */
    public static WireError checkChecksum(Pbufs p, int h, int off, int srcIp, int dstIp) {
        Objects.checkFromIndexSize(off, HEADER_LENGTH, p.len(h));
        MemorySegment seg = p.segment();
        long at = p.address(h) + off;
        if (checksum(seg, at) == NO_CHECKSUM) {
            return WireError.OK;
        }
        int length = length(seg, at);
        int sum = Checksum.add(pseudoHeaderSum(srcIp, dstIp, length), Checksum.sum(p, h, off, length));
        return sum == Checksum.VERIFIED_SUM ? WireError.OK : WireError.UDP_BAD_CHECKSUM;
    }

    /** The source port. */
    public static int srcPort(MemorySegment seg, long off) {
        return u16(seg, off + SRC_PORT_OFFSET);
    }

    /** The destination port. */
    public static int dstPort(MemorySegment seg, long off) {
        return u16(seg, off + DST_PORT_OFFSET);
    }

    /** The length field: header and data, in bytes. */
    public static int length(MemorySegment seg, long off) {
        return u16(seg, off + LENGTH_OFFSET);
    }

    /** The checksum field; {@link #NO_CHECKSUM} when the sender computed none. */
    public static int checksum(MemorySegment seg, long off) {
        return u16(seg, off + CHECKSUM_OFFSET);
    }

    /** Sets the source port. The checksum is the caller's to update. */
    public static void setSrcPort(MemorySegment seg, long off, int port) {
        setU16(seg, off + SRC_PORT_OFFSET, port);
    }

    /** Sets the destination port. The checksum is the caller's to update. */
    public static void setDstPort(MemorySegment seg, long off, int port) {
        setU16(seg, off + DST_PORT_OFFSET, port);
    }

    /** Sets the length field. The checksum is the caller's to update. */
    public static void setLength(MemorySegment seg, long off, int length) {
        setU16(seg, off + LENGTH_OFFSET, length);
    }

    /** Sets the checksum field. */
    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        setU16(seg, off + CHECKSUM_OFFSET, checksum);
    }

    /**
     * Writes the 8-byte header with a zero checksum; fill it with {@link #fillChecksum} once the data is in, or
     * leave it zero to send without one.
     *
     * @param length header and data, in bytes
     * @return the bytes written, {@link #HEADER_LENGTH}
     */
    public static int write(MemorySegment seg, long off, int srcPort, int dstPort, int length) {
        setSrcPort(seg, off, srcPort);
        setDstPort(seg, off, dstPort);
        setLength(seg, off, length);
        setChecksum(seg, off, NO_CHECKSUM);
        return HEADER_LENGTH;
    }

    /**
     * Computes the checksum over the pseudo-header, header and {@link #length} bytes held contiguously at
     * {@code off}, and stores it ({@code 0xFFFF} for a computed zero, RFC 768).
     */
    public static void fillChecksum(MemorySegment seg, long off, int srcIp, int dstIp) {
        setChecksum(seg, off, 0);
        int length = length(seg, off);
        int sum = Checksum.add(pseudoHeaderSum(srcIp, dstIp, length), Checksum.sum(seg, off, length));
        setChecksum(seg, off, nonZero(Checksum.finish(sum)));
    }

    /**
     * As {@link #fillChecksum(MemorySegment, long, int, int)} for a datagram at packet offset {@code off} of the
     * chain {@code h}: the 8 header bytes lie in the first pbuf (as after a prepend), the data anywhere.
     *
     * @throws IndexOutOfBoundsException when the header is not in the first pbuf or the length field runs past
     *                                   the packet (a bug)
     */
    public static void fillChecksum(Pbufs p, int h, int off, int srcIp, int dstIp) {
        Objects.checkFromIndexSize(off, HEADER_LENGTH, p.len(h));
        MemorySegment seg = p.segment();
        long at = p.address(h) + off;
        setChecksum(seg, at, 0);
        int length = length(seg, at);
        int sum = Checksum.add(pseudoHeaderSum(srcIp, dstIp, length), Checksum.sum(p, h, off, length));
        setChecksum(seg, at, nonZero(Checksum.finish(sum)));
    }

    private static int pseudoHeaderSum(int srcIp, int dstIp, int length) {
        return Checksum.pseudoHeaderSum(srcIp, dstIp, Ipv4Header.PROTOCOL_UDP, length);
    }

    /** RFC 768: "If the computed checksum is zero, it is transmitted as all ones". */
    private static int nonZero(int checksum) {
        return checksum == 0 ? 0xFFFF : checksum;
    }
}
