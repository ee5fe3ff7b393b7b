package io.sluice.engine.inet;

import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufDescriptor;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Ipv4Header;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * IPv4 fragmentation (RFC 791 3.2 "Fragmentation and Reassembly", RFC 1812 4.2.2.7 and 5.2.6): cuts a frame
 * whose datagram is larger than the egress MTU into fragments that each fit it.
 *
 * <p>Every fragment is a new pbuf chain, allocated at {@link Layer#LINK}: the link header of the original is
 * copied to its front, then its IP header, then its share of the payload, so that the link header and the IP
 * header sit together in the fragment's first pbuf, and 18 bytes of headroom remain for an 802.1Q tag the
 * output path may insert. The payload is copied (not split off the original with {@link Pbufs#split}): the
 * original stays whole until every fragment exists, which makes the operation all or nothing without having
 * to glue a half-split chain back together, and each fragment comes out packed (a split cuts inside pbufs
 * and leaves partly filled ones, and still copies each cut pbuf's remainder). The price is one copy of the
 * payload; {@code FragmentationBenchmark} (bench module) measures the whole call.
 *
 * <p>Header rules:
 * <ul>
 *   <li>Payload pieces are multiples of 8 bytes except the last (RFC 791: the offset counts 8-octet units);
 *       each fragment but the last carries as many 8-byte units as the MTU allows.</li>
 *   <li>Offsets are relative to the original's own offset and the last piece keeps the original's MF, so a
 *       fragment can be fragmented again (RFC 791 3.2, "fragmenting a fragment"). The DF and reserved bits
 *       are copied as they are: DF is the caller's to check before it calls.</li>
 *   <li>The first fragment carries the original header with all its options. The others carry only the
 *       options whose copied flag (bit 0x80 of the type) is set, followed by End of Option List bytes up to a
 *       multiple of 4 (RFC 791 3.1, "Options"; RFC 1812 5.2.6 requires the copied ones). No Operation (type
 *       1) has its copied flag clear and is not copied: options need no alignment (they are parsed byte by
 *       byte) and the alignment of the first header would not survive the options dropped before it anyway.
 *       (BSD's {@code ip_optcopy} keeps every NOP; Linux overwrites the non-copied options with NOPs and
 *       keeps the header length; either would do.) End of Option List ends the list. A malformed option
 *       (no length byte, a length below 2 or past the end of the header) ends the copied list too: the
 *       first fragment still carries it unchanged, as the original did.</li>
 *   <li>Each fragment gets its own total length and header checksum; identification, TOS, TTL, protocol
 *       and addresses are the original's.</li>
 *   <li>The packet header of the original (receive and transmit interface, timestamp, flow hash, VLAN tag,
 *       flags) is copied to each fragment; its layer offsets are set to the fragment's own.</li>
 * </ul>
 *
 * <p>One instance per stage (thread): it keeps two header templates between the steps of a call. A call
 * allocates nothing on the Java heap.
 */
public final class Fragmenter {
    /** The largest link header a frame may carry: the link header and a 60-byte IP header fit a first pbuf. */
    public static final int MAX_L3_OFFSET =
        PbufDescriptor.PHLEN - Layer.LINK.headroom() - Ipv4Header.MAX_HEADER_LENGTH;

    private static final int OPT_EOL = 0;
    private static final int OPT_NOP = 1;
    private static final int OPT_COPIED = 0x80;
    private static final int KEEP_FLAGS = ~(Ipv4Header.FLAG_MF | Ipv4Header.FRAGMENT_OFFSET_MASK) & 0xFFFF;

    private final InetCounters counters;
    /** Link header and IP header of the original, as they go in front of the first fragment. */
    private final MemorySegment first = MemorySegment.ofArray(new byte[MAX_L3_OFFSET + Ipv4Header.MAX_HEADER_LENGTH]);
    /** Link header and IP header with the copied options only, for every fragment after the first. */
    private final MemorySegment rest = MemorySegment.ofArray(new byte[MAX_L3_OFFSET + Ipv4Header.MAX_HEADER_LENGTH]);

    public Fragmenter(InetCounters counters) {
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    /**
     * Fragments the datagram of {@code packet} to fit {@code mtu}.
     *
     * <p>Ownership: on success the original is freed and the caller owns the {@code n} fragments in
     * {@code out[outOff..outOff+n)}, in offset order. On failure (-1) the caller still owns the original,
     * which is unchanged, the fragments already made are freed (their entries in {@code out} reset to NULL),
     * and the failure is counted under
     * {@link Mib#ipFragFails} and its reason: {@link InetDrop#IP_FRAG_NO_BUFFERS} when the pool ran dry or more
     * than {@code max} fragments would be needed, {@link InetDrop#IP_FRAG_MTU_TOO_SMALL} when the MTU does not
     * hold the header and 8 bytes of payload, {@link InetDrop#IP_FRAG_BAD_OFFSET} when a fragment would start
     * past the 13-bit offset field (a malformed fragment fragmented again). A success counts
     * {@link Mib#ipFragOKs} once and {@link Mib#ipFragCreates} per fragment.
     *
     * @param packet   a whole frame: {@code l3Offset} bytes of link header, then an IPv4 datagram whose header
     *                 the caller has checked ({@link Ipv4Header#check}) and whose total length is above
     *                 {@code mtu}; bytes after the total length (Ethernet padding) are ignored
     * @param l3Offset bytes of link header, 0..{@link #MAX_L3_OFFSET}
     * @param mtu      the largest datagram (IP header and payload) a fragment may be
     * @param out      receives the fragments' handles
     * @param outOff   first index of {@code out} to write
     * @param max      the most fragments the caller takes; {@code out} must have room for them
     * @return the number of fragments, at least 2, or -1
     * @throws IllegalArgumentException  when the caller broke the contract above (a bug, not bad input)
     * @throws IndexOutOfBoundsException when {@code out[outOff..outOff+max)} is not inside {@code out}
     */
    public int fragment(Pbufs p, int packet, int l3Offset, int mtu, int[] out, int outOff, int max) {
        Objects.checkFromIndexSize(outOff, max, out.length);
        if (l3Offset < 0 || l3Offset > MAX_L3_OFFSET) {
            throw new IllegalArgumentException("l3Offset=" + l3Offset + " must be 0.." + MAX_L3_OFFSET);
        }
        int frameLength = p.pktLen(packet);
        if (frameLength < l3Offset + Ipv4Header.MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException("a frame of " + frameLength + " bytes has no IPv4 header after "
                + l3Offset + " bytes of link header");
        }
        // The headers, contiguous, whatever the chain's layout: at most 386 + 60 bytes.
        p.copydata(packet, 0, l3Offset + Ipv4Header.MIN_HEADER_LENGTH, first, 0);
        int hlen = Ipv4Header.headerLength(first, l3Offset);
        int totalLength = Ipv4Header.totalLength(first, l3Offset);
        if (hlen < Ipv4Header.MIN_HEADER_LENGTH || totalLength < hlen || totalLength > frameLength - l3Offset) {
            throw new IllegalArgumentException("an unchecked IPv4 header: IHL*4=" + hlen + " total length="
                + totalLength + " bytes after the link header=" + (frameLength - l3Offset));
        }
        if (totalLength <= mtu) {
            throw new IllegalArgumentException("total length " + totalLength + " fits the MTU " + mtu
                + ": nothing to fragment");
        }
        p.copydata(packet, l3Offset + Ipv4Header.MIN_HEADER_LENGTH, hlen - Ipv4Header.MIN_HEADER_LENGTH, first,
            l3Offset + Ipv4Header.MIN_HEADER_LENGTH);

        if (mtu - hlen < 8) {
            return fail(InetDrop.IP_FRAG_MTU_TOO_SMALL);
        }
        int payload = totalLength - hlen;
        int firstChunk = (mtu - hlen) & ~7;
        int restHlen = buildRestHeader(l3Offset, hlen);
        int restChunk = (mtu - restHlen) & ~7; // >= firstChunk: the header is no longer
        int n = 1 + (payload - firstChunk + restChunk - 1) / restChunk;
        if (n > max) {
            return fail(InetDrop.IP_FRAG_NO_BUFFERS);
        }
        int flagsFragment = Ipv4Header.flagsFragment(first, l3Offset);
        int baseUnits = flagsFragment & Ipv4Header.FRAGMENT_OFFSET_MASK;
        int lastUnits = baseUnits + (firstChunk + (n - 2) * restChunk) / 8;
        if (lastUnits > Ipv4Header.FRAGMENT_OFFSET_MASK) {
            return fail(InetDrop.IP_FRAG_BAD_OFFSET);
        }

        MemorySegment seg = p.segment();
        long located = p.locate(packet, l3Offset + hlen);
        int src = Pbufs.locatedPbuf(located);
        int srcOff = Pbufs.locatedOffset(located);
        int pos = 0;
        for (int k = 0; k < n; k++) {
            boolean isFirst = k == 0;
            boolean isLast = k == n - 1;
            int fh = isFirst ? hlen : restHlen;
            int chunk = isLast ? payload - pos : isFirst ? firstChunk : restChunk;
            int headers = l3Offset + fh;
            int frag = p.alloc(Layer.LINK, headers + chunk);
            if (frag == NULL) {
                for (int j = 0; j < k; j++) {
                    p.freem(out[outOff + j]);
                    out[outOff + j] = NULL;
                }
                return fail(InetDrop.IP_FRAG_NO_BUFFERS);
            }
            long at = p.address(frag);
            MemorySegment.copy(isFirst ? first : rest, 0, seg, at, headers);
            long ip = at + l3Offset;
            int mf = isLast ? flagsFragment & Ipv4Header.FLAG_MF : Ipv4Header.FLAG_MF;
            Ipv4Header.setTotalLength(seg, ip, fh + chunk);
            Ipv4Header.setFlagsFragment(seg, ip, flagsFragment & KEEP_FLAGS | mf | (baseUnits + pos / 8));
            Ipv4Header.fillChecksum(seg, ip);
            // Payload: from the source cursor into the fragment after its headers, pbuf by pbuf on both sides.
            int dst = frag;
            int dstOff = headers;
            int left = chunk;
            while (left > 0) {
                int srcAvail = p.len(src) - srcOff;
                if (srcAvail == 0) {
                    src = p.next(src);
                    srcOff = 0;
                    continue;
                }
                int dstAvail = p.len(dst) - dstOff;
                if (dstAvail == 0) {
                    dst = p.next(dst);
                    dstOff = 0;
                    continue;
                }
                int m = Math.min(left, Math.min(srcAvail, dstAvail));
                MemorySegment.copy(seg, p.address(src) + srcOff, seg, p.address(dst) + dstOff, m);
                srcOff += m;
                dstOff += m;
                left -= m;
            }
            p.setRcvif(frag, p.rcvif(packet));
            p.setTxif(frag, p.txif(packet));
            p.setTimestamp(frag, p.timestamp(packet));
            p.setFlowHash(frag, p.flowHash(packet));
            p.setVlanTci(frag, p.vlanTci(packet));
            p.setPktFlags(frag, p.pktFlags(packet));
            p.setLayerOffsets(frag, 0, l3Offset, headers);
            out[outOff + k] = frag;
            pos += chunk;
        }
        p.freem(packet);
        counters.inc(Mib.ipFragOKs);
        counters.add(Mib.ipFragCreates, n);
        return n;
    }

    /**
     * Fills {@link #rest} from {@link #first}: the link header, the 20 fixed bytes with a new IHL, the copied
     * options and End of Option List padding to a multiple of 4.
     *
     * @return the header length of the fragments after the first
     */
    private int buildRestHeader(int l3Offset, int hlen) {
        int fixed = l3Offset + Ipv4Header.MIN_HEADER_LENGTH;
        MemorySegment.copy(first, 0, rest, 0, fixed);
        int end = l3Offset + hlen;
        int w = fixed;
        int r = fixed;
        while (r < end) {
            int type = first.get(JAVA_BYTE, r) & 0xFF;
            if (type == OPT_EOL) {
                break;
            }
            if (type == OPT_NOP) {
                r++;
                continue;
            }
            if (r + 1 >= end) {
                break; // no length byte
            }
            int len = first.get(JAVA_BYTE, r + 1) & 0xFF;
            if (len < 2 || len > end - r) {
                break; // malformed: the rest of the list cannot be parsed
            }
            if ((type & OPT_COPIED) != 0) {
                MemorySegment.copy(first, r, rest, w, len);
                w += len;
            }
            r += len;
        }
        while (((w - fixed) & 3) != 0) {
            rest.set(JAVA_BYTE, w++, (byte) OPT_EOL);
        }
        int restHlen = w - l3Offset;
        int versionIhl = first.get(JAVA_BYTE, l3Offset) & 0xF0 | restHlen / 4;
        rest.set(JAVA_BYTE, l3Offset, (byte) versionIhl);
        return restHlen;
    }

    private int fail(InetDrop reason) {
        counters.drop(reason);
        return -1;
    }
}
