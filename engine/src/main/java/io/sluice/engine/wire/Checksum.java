package io.sluice.engine.wire;

import io.sluice.engine.pbuf.PbufVisitor;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data
 * taken as big-endian 16-bit words, a last odd byte padded with a zero byte on its right.
 *
 * <p>Two kinds of value appear here, both {@code int}s in {@code 0..0xFFFF}:
 * <ul>
 *   <li>a <em>sum</em> ({@link #sum}, {@link #pseudoHeaderSum}): the folded one's complement sum, not yet
 *       complemented; sums of adjacent pieces combine with {@link #add} (RFC 1071 2(B), associativity);</li>
 *   <li>a <em>checksum</em> ({@link #of}, {@link #finish}): the complement of a sum, the value that goes in a
 *       header's checksum field.</li>
 * </ul>
 * Data whose checksum field holds the right value sums to {@code 0xFFFF} (RFC 1071 1(3)); a sum of data that
 * is not all zeros is never {@code 0x0000}, because end-around-carry addition only yields {@code +0} from zeros.
 *
 * <p>Nothing here allocates. The incremental updates follow RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')},
 * which gives the same value as a recomputation; the older {@code HC' = HC + m - m'} (RFC 1141) can yield
 * {@code 0xFFFF} where a recomputation gives {@code 0x0000} (RFC 1624 section 3).
 */
public final class Checksum {
    /** The sum of data that carries its correct checksum (RFC 1071 1(3): "all 1s"). */
    public static final int VERIFIED_SUM = 0xFFFF;

    private static final ValueLayout.OfLong NATIVE_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort NATIVE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    /**
     * Words are loaded in the machine's order and the sum is swapped once at the end: the one's complement sum
     * is byte-order independent up to that swap (RFC 1071 2(B)), so no load needs its own swap.
     */
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Folds each piece of a chain into the running sum; a piece that starts at an odd position is swapped. */
    private static final PbufVisitor CHAIN_SUM = (seg, offset, length, acc, pieceStart) -> {
        int s = sum(seg, offset, length);
        return acc + ((pieceStart & 1) == 0 ? s : swap(s));
    };

    private Checksum() {
    }

    /**
     * The one's complement sum of {@code seg[off, off + len)}, folded to 16 bits, not complemented. Reads 8
     * bytes at a time; any {@code off} (aligned or not) and any {@code len}, odd included.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the segment (a bug in the caller)
     */
    public static int sum(MemorySegment seg, long off, int len) {
        Objects.checkFromIndexSize(off, len, seg.byteSize());
        long acc = 0;
        // 32-bit halves of each 64-bit word go into a 64-bit accumulator: with at most 2^28 words of 2^33
        // each the accumulator cannot overflow, so there is no carry to track in the loop. The loop is
        // int-counted, the shape C2 unrolls and vectorises most readily.
        int words = len >>> 3;
        for (int k = 0; k < words; k++) {
            long w = seg.get(NATIVE_LONG, off + ((long) k << 3));
            acc += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        long p = off + ((long) words << 3);
        if ((len & 4) != 0) {
            acc += seg.get(NATIVE_INT, p) & 0xFFFF_FFFFL;
            p += 4;
        }
        if ((len & 2) != 0) {
            acc += seg.get(NATIVE_SHORT, p) & 0xFFFF;
            p += 2;
        }
        if ((len & 1) != 0) {
            int b = seg.get(ValueLayout.JAVA_BYTE, p) & 0xFF;
            // The last byte is the high byte of a big-endian word padded with zero (RFC 1071 4.1).
            acc += LITTLE_ENDIAN ? b : b << 8;
        }
        int s = fold(acc);
        return LITTLE_ENDIAN ? swap(s) : s;
    }

    /**
     * The one's complement sum of bytes {@code [off, off + len)} of the packet {@code h}, across its pbufs.
     * A pbuf boundary may fall at an odd position: the sum of a piece that starts at an odd position is
     * byte-swapped before it is added (RFC 1071 2(B)). The caller keeps the chain.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the packet (a bug in the caller)
     */
    public static int sum(Pbufs p, int h, int off, int len) {
        return fold(p.apply(h, off, len, CHAIN_SUM, 0));
    }

    /** The checksum of {@code seg[off, off + len)}: the complement of its {@link #sum}. */
    public static int of(MemorySegment seg, long off, int len) {
        return finish(sum(seg, off, len));
    }

    /** The checksum of bytes {@code [off, off + len)} of the packet {@code h}. The caller keeps the chain. */
    public static int of(Pbufs p, int h, int off, int len) {
        return finish(sum(p, h, off, len));
    }

    /** The one's complement sum of two sums of adjacent, even-length pieces (or of a pseudo-header and data). */
    public static int add(int sum1, int sum2) {
        return fold((long) sum1 + sum2);
    }

    /** The checksum for a sum: its 16-bit one's complement. */
    public static int finish(int sum) {
        return ~sum & 0xFFFF;
    }

    /**
     * The sum of the IPv4 pseudo-header that the UDP (RFC 768) and TCP (RFC 9293 3.1) checksums cover:
     * source and destination address, zero, protocol, and the UDP or TCP length.
     */
    public static int pseudoHeaderSum(int srcIp, int dstIp, int protocol, int length) {
        long acc = (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF)
            + (protocol & 0xFF) + (length & 0xFFFF);
        return fold(acc);
    }

    /**
     * The checksum after a 16-bit word covered by it changes from {@code oldValue16} to {@code newValue16}
     * (RFC 1624 eqn. 3: {@code HC' = ~(~HC + ~m + m')}).
     */
    public static int update16(int oldChecksum, int oldValue16, int newValue16) {
        long acc = (~oldChecksum & 0xFFFF) + (~oldValue16 & 0xFFFF) + (newValue16 & 0xFFFF);
        return finish(fold(acc));
    }

    /**
     * The checksum after a 32-bit field covered by it (an IPv4 address, at an even offset) changes from
     * {@code oldValue32} to {@code newValue32}: eqn. 3 of RFC 1624 applied to both of its 16-bit words.
     */
    public static int update32(int oldChecksum, int oldValue32, int newValue32) {
        long acc = (~oldChecksum & 0xFFFF)
            + (~oldValue32 >>> 16) + (~oldValue32 & 0xFFFF)
            + (newValue32 >>> 16) + (newValue32 & 0xFFFF);
        return finish(fold(acc));
    }

    /**
     * The IPv4 header checksum after the forwarding TTL decrement (RFC 1812 5.3.1). TTL is the high byte of
     * the word it shares with the protocol, so the word drops by {@code 0x0100} and {@code ~m + m'} is the
     * constant {@code 0xFEFF}: eqn. 3 of RFC 1624 becomes {@code ~(~HC + 0xFEFF)}. TTL must be at least 1.
     */
    public static int updateForTtlDecrement(int oldChecksum) {
        return finish(fold((~oldChecksum & 0xFFFF) + 0xFEFFL));
    }

    /** Folds a 64-bit sum (taken as unsigned) to 16 bits with end-around carry; non-zero in, non-zero out. */
    static int fold(long acc) {
        acc = (acc >>> 32) + (acc & 0xFFFF_FFFFL);
        acc = (acc >>> 16) + (acc & 0xFFFF);
        acc = (acc >>> 16) + (acc & 0xFFFF);
        acc = (acc >>> 16) + (acc & 0xFFFF);
        return (int) acc;
    }

    private static int swap(int s) {
        return (s & 0xFF) << 8 | s >>> 8;
    }
}
