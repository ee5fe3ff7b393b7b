package io.sluice.nativeio.linux;

import io.sluice.engine.pbuf.PacketFlags;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters;
import io.sluice.engine.wire.Checksum;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.TcpHeader;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Cuts a segmentation-offload super-frame into the frames its sender would have put on a wire, as Linux's
 * {@code tcp_gso_segment} and {@code __udp_gso_segment} do for a device without the offload.
 *
 * <p>Why a port needs it: a peer namespace's stack hands a veth frames of up to 64 KiB (TSO/GSO: one TCP header
 * for many MSS-sized segments), and a real NIC's GRO merges received segments the same way before packet sockets
 * see them. Such a frame is larger than the MTU, so the engine would drop it as oversize, and the sender would
 * retransmit into the same wall forever. The port learns the segment size from the {@code virtio_net_hdr} the
 * kernel writes in front of the frame ({@link VirtioNetHdr}) and hands the engine one frame per segment.
 *
 * <p>Each segment gets the super-frame's link, IPv4 and TCP (or UDP) headers, with: the IPv4 total length, the
 * identification plus the segment's index, and the header checksum; TCP's sequence number advanced by the bytes
 * before it, FIN and PSH on the last segment only, CWR on the first only (RFC 3168 6.1.2); UDP's length. The
 * transport checksum is what a device without the offload would have been handed: a frame whose checksum the
 * sender left to offload ({@link VirtioNetHdr#F_NEEDS_CSUM}, a local kernel's GSO) gives segments whose checksum
 * field holds their pseudo-header's sum, marked {@link PacketFlags#CSUM_PARTIAL}, as a frame from a local kernel
 * always is (local delivery trusts it; forwarding finishes it); any other (a NIC's GRO, verified on arrival) gives
 * segments with the checksum computed in full, marked {@link PacketFlags#CSUM_VALID}. Computing it for every
 * segment of a local kernel's stream cost a second pass over the data: 1.85 against 3.45 Gbit/s of the same
 * stream sent unsegmented, before this (bench tcp-bulk, 2026-12-07).
 *
 * <p>A frame is cut in steps: {@link #begin} checks and keeps its headers, {@link #emit} writes as many segments
 * as the caller has room for; the frame must stay readable in between (it is in a receive block the caller holds).
 * One per receiving thread; nothing is allocated per frame.
 */
public final class GsoSegmenter {
    /** Link header with an outer tag put back and two more in band, plus the largest IPv4 and TCP headers. */
    static final int MAX_HEADERS = Linux.ETH_HLEN + 3 * Linux.VLAN_HLEN + Ipv4Header.MAX_HEADER_LENGTH
        + TcpHeader.MAX_HEADER_LENGTH;
    private static final int MACS = 12;
    private static final int UDP_HLEN = 8;
    private static final int UDP_LENGTH = 4;
    private static final int UDP_CHECKSUM = 6;
    private static final int ETH_P_IP = 0x0800;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The headers of the frame being cut, as on the wire (a stripped tag put back); patched per segment. */
    private final MemorySegment headers;

    private MemorySegment src;
    /** Where the payload starts in {@link #src}, and its length. */
    private long payload;
    private int payloadLen;
    private int segmentSize;
    /** Length of {@link #headers}, and where its IPv4 and transport headers start. */
    private int headerLen;
    private int l3;
    private int l4;
    private boolean tcp;
    private int firstId;
    private int firstSeq;
    private int tcpFlags;
    private int tci;
    /** Whether the sender left the transport checksum to offload: segments get the pseudo-header's sum only. */
    private boolean partial;
    /** Offset of the IPv4 header and end of the datagram in the frame as received, set by {@link #parse}. */
    private int ipStart;
    private int ipEnd;
    /** Payload bytes already cut, or -1 when no frame is being cut. */
    private int done = -1;
    private int index;

    public GsoSegmenter(Arena arena) {
        this.headers = arena.allocate(MAX_HEADERS);
    }

    /** Whether a frame is being cut: {@link #emit} has segments left. */
    public boolean pending() {
        return done >= 0;
    }

    /** Forgets the frame being cut (its block went back to the kernel). */
    public void reset() {
        done = -1;
        src = null;
    }

    /** {@link #take}: the frame is no segmentation-offload frame; copy it as it is. */
    public static final int PLAIN = 0;
    /** {@link #take}: the frame is being cut; its segments come from {@link #emit}. */
    public static final int CUT = 1;
    /** {@link #take}: the frame could not be cut and was counted as a drop. */
    public static final int DROPPED = 2;

    /**
     * Looks at the virtio_net_hdr the kernel wrote in front of a received frame and, for a segmentation-offload
     * frame, {@link #begin begins} cutting it: the one place the receive paths read that header.
     *
     * @param data where the frame starts in {@code src}; its virtio_net_hdr is the {@link VirtioNetHdr#LENGTH}
     *             bytes before it
     * @return {@link #PLAIN}, {@link #CUT} or {@link #DROPPED}
     */
    public int take(MemorySegment src, long data, int len, int tpid, int tci, int maxFrame, PortCounters counters) {
        long hdr = data - VirtioNetHdr.LENGTH;
        int type = VirtioNetHdr.gsoType(src, hdr);
        if (type == VirtioNetHdr.GSO_NONE) {
            return PLAIN;
        }
        return begin(src, data, len, tpid, tci, type, VirtioNetHdr.gsoSize(src, hdr),
            VirtioNetHdr.needsChecksum(src, hdr), maxFrame, counters) ? CUT : DROPPED;
    }

    /**
     * Checks a super-frame and keeps its headers for {@link #emit}.
     *
     * @param src      where the frame is
     * @param data     offset of its first byte in {@code src}
     * @param len      its length as received (without a stripped tag)
     * @param tpid     the stripped tag's protocol id (ignored without a tag)
     * @param tci      the stripped tag's TCI, or {@link ReceivedFrames#NO_VLAN}
     * @param gsoType  the {@code virtio_net_hdr} GSO type, without {@link VirtioNetHdr#GSO_ECN}
     * @param gsoSize  payload bytes per segment ({@code gso_size})
     * @param partial  the frame's transport checksum was left to offload ({@link VirtioNetHdr#F_NEEDS_CSUM})
     * @param maxFrame longest frame the port takes (link header and tags included)
     * @return whether segments follow; if not, the frame was counted as a drop (RX_GSO_UNSUPPORTED, or RX_OVERSIZE
     *     when its segments would not fit {@code maxFrame})
     */
    public boolean begin(MemorySegment src, long data, int len, int tpid, int tci, int gsoType, int gsoSize,
                         boolean partial, int maxFrame, PortCounters counters) {
        reset();
        boolean isTcp = gsoType == VirtioNetHdr.GSO_TCPV4;
        int hdrLen = parse(src, data, len, isTcp, gsoType == VirtioNetHdr.GSO_UDP_L4, gsoSize);
        if (hdrLen < 0) {
            counters.rxDrop(PortCounters.Drop.RX_GSO_UNSUPPORTED);
            return false;
        }
        boolean vlan = ReceivedFrames.restoresTag(len, tci);
        int shift = vlan ? Linux.VLAN_HLEN : 0;
        int end = ipEnd;
        if (hdrLen + shift + Math.min(gsoSize, end - hdrLen) > maxFrame) {
            // Segments of the sender's MSS would still be larger than this port takes.
            counters.rxDrop(PortCounters.Drop.RX_OVERSIZE);
            return false;
        }
        if (vlan) {
            MemorySegment.copy(src, data, headers, 0, MACS);
            headers.set(U16, MACS, (short) tpid);
            headers.set(U16, MACS + 2, (short) tci);
            MemorySegment.copy(src, data + MACS, headers, MACS + Linux.VLAN_HLEN, hdrLen - MACS);
        } else {
            MemorySegment.copy(src, data, headers, 0, hdrLen);
        }
        this.src = src;
        this.payload = data + hdrLen;
        this.payloadLen = end - hdrLen;
        this.segmentSize = gsoSize;
        this.headerLen = hdrLen + shift;
        this.l3 = ipStart + shift;
        this.l4 = l3 + Ipv4Header.headerLength(headers, l3);
        this.tcp = isTcp;
        this.firstId = Ipv4Header.identification(headers, l3);
        this.firstSeq = isTcp ? headers.get(U32, l4 + TcpHeader.SEQ_OFFSET) : 0;
        this.tcpFlags = isTcp ? headers.get(ValueLayout.JAVA_BYTE, l4 + TcpHeader.FLAGS_OFFSET) & 0xFF : 0;
        this.tci = vlan ? tci : ReceivedFrames.NO_VLAN;
        this.partial = partial;
        this.index = 0;
        this.done = 0;
        return true;
    }

    /**
     * @return the length of the link, IPv4 and transport headers in the frame as received, or -1 when the frame is
     *     not one this class can cut: IPv4 carrying the protocol the GSO type names, not a fragment, whole headers,
     *     at least one payload byte, a segment size of at least one byte
     */
    private int parse(MemorySegment s, long data, int len, boolean isTcp, boolean isUdp, int gsoSize) {
        if (!isTcp && !isUdp || gsoSize < 1 || len < Linux.ETH_HLEN) {
            return -1;
        }
        int at = MACS;
        int type = Short.toUnsignedInt(s.get(U16, data + at));
        for (int tags = 0; (type == Linux.ETH_P_8021Q || type == Linux.ETH_P_8021AD) && tags < 2; tags++) {
            at += Linux.VLAN_HLEN;
            if (len < at + 2) {
                return -1;
            }
            type = Short.toUnsignedInt(s.get(U16, data + at));
        }
        int ip = at + 2;
        if (type != ETH_P_IP || Ipv4Header.check(s, data + ip, len - ip) != WireError.OK) {
            return -1;
        }
        long ipAt = data + ip;
        int hl = Ipv4Header.headerLength(s, ipAt);
        int end = ip + Ipv4Header.totalLength(s, ipAt);
        int protocol = Ipv4Header.protocol(s, ipAt);
        if (Ipv4Header.isFragment(s, ipAt) || protocol != (isTcp ? Ipv4Header.PROTOCOL_TCP : Ipv4Header.PROTOCOL_UDP)) {
            return -1;
        }
        int l4At = ip + hl;
        int thl;
        if (isTcp) {
            if (end < l4At + TcpHeader.MIN_HEADER_LENGTH) {
                return -1;
            }
            thl = (s.get(ValueLayout.JAVA_BYTE, data + l4At + TcpHeader.DATA_OFFSET_OFFSET) >>> 4 & 0xF) * 4;
            if (thl < TcpHeader.MIN_HEADER_LENGTH) {
                return -1;
            }
        } else {
            thl = UDP_HLEN;
            if (end < l4At + UDP_HLEN || Short.toUnsignedInt(s.get(U16, data + l4At + UDP_LENGTH)) != end - l4At) {
                return -1;
            }
        }
        int hdrLen = l4At + thl;
        if (end <= hdrLen) {
            return -1;
        }
        ipStart = ip;
        ipEnd = end;
        return hdrLen;
    }

    /**
     * Writes the next segments into {@code out[n..max)}, each a new packet with the VLAN TCI (when a tag was put
     * back) and {@link PacketFlags#CSUM_PARTIAL} or {@link PacketFlags#CSUM_VALID}; the caller adds the rest of
     * the packet header. A segment for which
     * the pool has no pbufs is dropped and counted (RX_NO_PBUFS): the sender retransmits it.
     *
     * @return the new count of packets in {@code out}; {@link #pending()} turns false after the last segment
     */
    public int emit(Pbufs p, int[] out, int n, int max, PortCounters counters) {
        while (done >= 0 && n < max) {
            int len = Math.min(segmentSize, payloadLen - done);
            boolean first = done == 0;
            boolean last = done + len == payloadLen;
            int h = p.allocReceive(headerLen + len);
            if (h == PbufHandle.NULL) {
                counters.rxDrop(PortCounters.Drop.RX_NO_PBUFS);
            } else {
                patch(len, first, last);
                p.copyback(h, 0, headers, 0, headerLen);
                p.copyback(h, headerLen, src, payload + done, len);
                if (tci != ReceivedFrames.NO_VLAN) {
                    p.setVlanTci(h, tci);
                }
                p.setPktFlags(h, partial ? PacketFlags.CSUM_PARTIAL : PacketFlags.CSUM_VALID);
                out[n++] = h;
            }
            index++;
            done += len;
            if (last) {
                reset();
            }
        }
        return n;
    }

    /** Makes {@link #headers} those of the segment of {@code len} payload bytes at {@link #done}. */
    private void patch(int len, boolean first, boolean last) {
        int segment = headerLen - l4 + len;
        Ipv4Header.setTotalLength(headers, l3, l4 - l3 + segment);
        Ipv4Header.setIdentification(headers, l3, firstId + index & 0xFFFF);
        Ipv4Header.setChecksum(headers, l3, 0);
        Ipv4Header.setChecksum(headers, l3, Checksum.of(headers, l3, l4 - l3));
        int field;
        if (tcp) {
            headers.set(U32, l4 + TcpHeader.SEQ_OFFSET, firstSeq + done);
            int flags = tcpFlags;
            if (!last) {
                flags &= ~(TcpHeader.FIN | TcpHeader.PSH);
            }
            if (!first) {
                flags &= ~TcpHeader.CWR;
            }
            headers.set(ValueLayout.JAVA_BYTE, l4 + TcpHeader.FLAGS_OFFSET, (byte) flags);
            field = l4 + TcpHeader.CHECKSUM_OFFSET;
        } else {
            headers.set(U16, l4 + UDP_LENGTH, (short) segment);
            field = l4 + UDP_CHECKSUM;
        }
        int pseudo = Checksum.pseudoHeaderSum(Ipv4Header.src(headers, l3), Ipv4Header.dst(headers, l3),
            tcp ? Ipv4Header.PROTOCOL_TCP : Ipv4Header.PROTOCOL_UDP, segment);
        if (partial) {
            // As Linux leaves it for a device to finish: the pseudo-header's sum, not complemented.
            headers.set(U16, field, (short) pseudo);
            return;
        }
        headers.set(U16, field, (short) 0);
        int sum = Checksum.add(Checksum.add(pseudo, Checksum.sum(headers, l4, headerLen - l4)),
            Checksum.sum(src, payload + done, len));
        int checksum = Checksum.finish(sum);
        // RFC 768: a computed UDP checksum of zero goes on the wire as all ones (zero means "none").
        headers.set(U16, field, (short) (checksum == 0 && !tcp ? 0xFFFF : checksum));
    }
}
