package io.sluice.engine.wire;

import static io.sluice.engine.wire.NetworkOrder.*;

import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The TCP header (RFC 9293 3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 12
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Options (data offset * 4 - 20)              | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Views over {@code (segment, offset)}: call {@link #check} once on a received segment, with its header
 * ({@link #headerLength} bytes) contiguous; after {@link WireError#OK} every getter reads inside the header and
 * the options are well formed ({@link #parseOptions} cannot fail). The checksum covers the IPv4 pseudo-header,
 * the header and the data ({@link #checkChecksum} walks a pbuf chain). Setters and {@link #write} do not check.
 */
public final class TcpHeader {
    /** Offset of the source port. */
    public static final int SRC_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DST_PORT_OFFSET = 2;
    /** Offset of the sequence number. */
    public static final int SEQ_OFFSET = 4;
    /** Offset of the acknowledgment number. */
    public static final int ACK_OFFSET = 8;
    /** Offset of the byte holding the data offset (high nibble). */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** Offset of the flags byte (CWR ... FIN). */
    public static final int FLAGS_OFFSET = 13;
    /** Offset of the window. */
    public static final int WINDOW_OFFSET = 14;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 16;
    /** Offset of the urgent pointer. */
    public static final int URGENT_OFFSET = 18;
    /** Bytes of the header without options (data offset 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Bytes of the longest header (data offset 15). */
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** Option kinds (RFC 9293 3.2, RFC 7323, RFC 2018). */
    public static final int OPT_END = 0;
    public static final int OPT_NOP = 1;
    public static final int OPT_MSS = 2;
    public static final int OPT_WSCALE = 3;
    public static final int OPT_SACK_PERMITTED = 4;
    public static final int OPT_TIMESTAMPS = 8;

    /** RFC 7323 2.3: a shift count above 14 is used as 14. */
    public static final int MAX_WSCALE = 14;

    private TcpHeader() {
    }

    /**
     * Checks a received segment: {@code available} (the IP payload: total length less header length) holds the
     * fixed header, the data offset is at least 5 and fits, and the options are well formed. The header's
     * {@code min(available, 60)} first bytes must be contiguous at {@code off}. The checksum needs the IP
     * addresses and the whole segment: {@link #checkChecksum} does it.
     */
    public static WireError check(MemorySegment seg, long off, int available) {
        if (available < MIN_HEADER_LENGTH) {
            return WireError.TCP_TOO_SHORT;
        }
        int hl = headerLength(seg, off);
        if (hl < MIN_HEADER_LENGTH) {
            return WireError.TCP_BAD_DATA_OFFSET;
        }
        if (hl > available) {
            return WireError.TCP_HEADER_TRUNCATED;
        }
        return walkOptions(seg, off, hl, null);
    }

    /**
     * Verifies the checksum of a segment of {@code length} bytes (header and data) at packet offset {@code off}
     * of the chain {@code h}, over the pseudo-header too. The caller keeps the chain.
     *
     * @return {@link WireError#OK} or {@link WireError#TCP_BAD_CHECKSUM}
     */
    public static WireError checkChecksum(Pbufs p, int h, int off, int length, int srcIp, int dstIp) {
        int sum = Checksum.add(pseudoHeaderSum(srcIp, dstIp, length), Checksum.sum(p, h, off, length));
        return sum == Checksum.VERIFIED_SUM ? WireError.OK : WireError.TCP_BAD_CHECKSUM;
    }

    /**
     * Computes and stores the checksum of a segment of {@code length} bytes at packet offset {@code off} of the
     * chain {@code h}, its header in the first pbuf (as after a prepend), its data anywhere in the chain.
     */
    public static void fillChecksum(Pbufs p, int h, int off, int length, int srcIp, int dstIp) {
        Objects.checkFromIndexSize(off, MIN_HEADER_LENGTH, p.len(h));
        MemorySegment seg = p.segment();
        long at = p.address(h) + off;
        setChecksum(seg, at, 0);
        int sum = Checksum.add(pseudoHeaderSum(srcIp, dstIp, length), Checksum.sum(p, h, off, length));
        setChecksum(seg, at, Checksum.finish(sum));
    }

    private static int pseudoHeaderSum(int srcIp, int dstIp, int length) {
        return Checksum.pseudoHeaderSum(srcIp, dstIp, Ipv4Header.PROTOCOL_TCP, length);
    }

    /**
     * Reads the options of a checked header into {@code out} (reset first). MSS, window scale (clamped to 14,
     * RFC 7323 2.3), SACK-permitted and timestamps are recognised; unknown options are skipped by their length
     * (RFC 9293 3.1, MUST-6).
     *
     * @return {@link WireError#OK}, or {@link WireError#TCP_BAD_OPTION} for a header that did not pass
     *     {@link #check}
     */
    public static WireError parseOptions(MemorySegment seg, long off, TcpOptions out) {
        out.reset();
        return walkOptions(seg, off, headerLength(seg, off), out);
    }

    /** Walks the options of a header of {@code hl} bytes, recording them into {@code out} when it is not null. */
    private static WireError walkOptions(MemorySegment seg, long off, int hl, TcpOptions out) {
        int i = MIN_HEADER_LENGTH;
        while (i < hl) {
            int kind = u8(seg, off + i);
            if (kind == OPT_END) {
                return WireError.OK;
            }
            if (kind == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= hl) {
                return WireError.TCP_BAD_OPTION;
            }
            int len = u8(seg, off + i + 1);
            if (len < 2 || i + len > hl) {
                return WireError.TCP_BAD_OPTION;
            }
            long at = off + i + 2;
            switch (kind) {
                case OPT_MSS -> {
                    if (len != 4) {
                        return WireError.TCP_BAD_OPTION;
                    }
                    if (out != null) {
                        out.mss = u16(seg, at);
                    }
                }
                case OPT_WSCALE -> {
                    if (len != 3) {
                        return WireError.TCP_BAD_OPTION;
                    }
                    if (out != null) {
                        out.windowScale = Math.min(u8(seg, at), MAX_WSCALE);
                    }
                }
                case OPT_SACK_PERMITTED -> {
                    if (len != 2) {
                        return WireError.TCP_BAD_OPTION;
                    }
                    if (out != null) {
                        out.sackPermitted = true;
                    }
                }
                case OPT_TIMESTAMPS -> {
                    if (len != 10) {
                        return WireError.TCP_BAD_OPTION;
                    }
                    if (out != null) {
                        out.timestamps = true;
                        out.tsVal = u32(seg, at);
                        out.tsEcr = u32(seg, at + 4);
                    }
                }
                default -> {
                    // unknown: skipped by its length (RFC 9293 3.1, MUST-6)
                }
            }
            i += len;
        }
        return WireError.OK;
    }

    public static int srcPort(MemorySegment seg, long off) {
        return u16(seg, off + SRC_PORT_OFFSET);
    }

    public static int dstPort(MemorySegment seg, long off) {
        return u16(seg, off + DST_PORT_OFFSET);
    }

    /** The sequence number, as a 32-bit int (compare with modular arithmetic). */
    public static int seq(MemorySegment seg, long off) {
        return u32(seg, off + SEQ_OFFSET);
    }

    public static int ack(MemorySegment seg, long off) {
        return u32(seg, off + ACK_OFFSET);
    }

    /** The data offset field: header length in 32-bit words. */
    public static int dataOffset(MemorySegment seg, long off) {
        return u8(seg, off + DATA_OFFSET_OFFSET) >>> 4;
    }

    /** Bytes of the header, options included. */
    public static int headerLength(MemorySegment seg, long off) {
        return dataOffset(seg, off) * 4;
    }

    /** The flags byte: {@link #FIN} ... {@link #CWR}. */
    public static int flags(MemorySegment seg, long off) {
        return u8(seg, off + FLAGS_OFFSET);
    }

    /** The window field, unscaled. */
    public static int window(MemorySegment seg, long off) {
        return u16(seg, off + WINDOW_OFFSET);
    }

    public static int checksum(MemorySegment seg, long off) {
        return u16(seg, off + CHECKSUM_OFFSET);
    }

    public static int urgentPointer(MemorySegment seg, long off) {
        return u16(seg, off + URGENT_OFFSET);
    }

    public static void setChecksum(MemorySegment seg, long off, int checksum) {
        setU16(seg, off + CHECKSUM_OFFSET, checksum);
    }

    public static void setWindow(MemorySegment seg, long off, int window) {
        setU16(seg, off + WINDOW_OFFSET, window);
    }

    public static void setSeq(MemorySegment seg, long off, int seq) {
        setU32(seg, off + SEQ_OFFSET, seq);
    }

    public static void setAck(MemorySegment seg, long off, int ack) {
        setU32(seg, off + ACK_OFFSET, ack);
    }

    public static void setFlags(MemorySegment seg, long off, int flags) {
        setU8(seg, off + FLAGS_OFFSET, flags);
    }

    /**
     * Writes the fixed 20 bytes with a zero checksum and urgent pointer; {@code headerLength} (20..60, a
     * multiple of 4) sets the data offset, and the caller writes any options after the fixed part.
     *
     * @return {@link #MIN_HEADER_LENGTH}
     */
    public static int write(MemorySegment seg, long off, int srcPort, int dstPort, int seq, int ack, int flags,
                            int window, int headerLength) {
        setU16(seg, off + SRC_PORT_OFFSET, srcPort);
        setU16(seg, off + DST_PORT_OFFSET, dstPort);
        setU32(seg, off + SEQ_OFFSET, seq);
        setU32(seg, off + ACK_OFFSET, ack);
        setU8(seg, off + DATA_OFFSET_OFFSET, (headerLength >>> 2) << 4);
        setU8(seg, off + FLAGS_OFFSET, flags);
        setU16(seg, off + WINDOW_OFFSET, window);
        setU16(seg, off + CHECKSUM_OFFSET, 0);
        setU16(seg, off + URGENT_OFFSET, 0);
        return MIN_HEADER_LENGTH;
    }

    /** Writes an MSS option (4 bytes) at {@code off}. */
    public static int writeMss(MemorySegment seg, long off, int mss) {
        setU8(seg, off, OPT_MSS);
        setU8(seg, off + 1, 4);
        setU16(seg, off + 2, mss);
        return 4;
    }

    /** Writes NOP and a window scale option (4 bytes together, keeping the next option aligned). */
    public static int writeWindowScale(MemorySegment seg, long off, int shift) {
        setU8(seg, off, OPT_NOP);
        setU8(seg, off + 1, OPT_WSCALE);
        setU8(seg, off + 2, 3);
        setU8(seg, off + 3, shift);
        return 4;
    }
}
