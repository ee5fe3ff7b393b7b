package io.sluice.bench.pktgen;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.TestFrame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Builds pktgen frames into pbufs: a template copied in, then the flow's addresses and ports, the IPv4
 * checksum, and the pktgen payload header (magic, sequence, timestamp) at the offsets {@link TestFrame} uses,
 * so Sluice's sink and {@link io.sluice.engine.phy.SyntheticPort} both read them.
 *
 * <p>Flow {@code k} of {@code flows} takes the k-th combination of source address, destination address,
 * UDP source port and UDP destination port, walking the ranges in that order; packet {@code seq} belongs to
 * flow {@code seq % flows}. Nothing is allocated per frame.
 */
final class FrameBuilder {
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int size;
    private final int flows;
    private final MemorySegment template;
    /** Per flow: source and destination address, the UDP ports (source in the high half), the IPv4 checksum. */
    private final int[] src;
    private final int[] dst;
    private final int[] ports;
    private final short[] ipChecksum;

    FrameBuilder(PktgenConfig c) {
        this.size = c.pktSize();
        this.flows = c.flows();
        this.template = MemorySegment.ofArray(TestFrame.template(c.pktSize(), c.dstMac(), c.srcMac(), c.srcMin(), c.dstMin()));
        long srcSpan = PktgenConfig.span(c.srcMin(), c.srcMax());
        long dstSpan = PktgenConfig.span(c.dstMin(), c.dstMax());
        int sportSpan = c.udpSrcMax() - c.udpSrcMin() + 1;
        int dportSpan = c.udpDstMax() - c.udpDstMin() + 1;
        // The headers of every flow, once: the per-frame work is then a copy and a few stores, no division (a
        // 64-bit division costs tens of cycles, and there were six a frame).
        src = new int[flows];
        dst = new int[flows];
        ports = new int[flows];
        ipChecksum = new short[flows];
        MemorySegment header = MemorySegment.ofArray(new byte[20]);
        for (int flow = 0; flow < flows; flow++) {
            long k = flow;
            src[flow] = (int) ((c.srcMin() & 0xFFFFFFFFL) + k % srcSpan);
            k /= srcSpan;
            dst[flow] = (int) ((c.dstMin() & 0xFFFFFFFFL) + k % dstSpan);
            k /= dstSpan;
            int sport = c.udpSrcMin() + (int) (k % sportSpan);
            k /= sportSpan;
            int dport = c.udpDstMin() + (int) (k % dportSpan);
            ports[flow] = sport << 16 | dport;
            MemorySegment.copy(template, TestFrame.IP_OFFSET, header, 0, 20);
            header.set(INT_BE, 12, src[flow]);
            header.set(INT_BE, 16, dst[flow]);
            header.set(SHORT_BE, 10, (short) 0);
            ipChecksum[flow] = (short) checksum(header, 0);
        }
    }

    /** A frame for packet {@code seq}, or NULL when the pool is empty. */
    int build(Pbufs p, long seq, long timestamp) {
        int h = p.alloc(Layer.RAW, size);
        if (h == PbufHandle.NULL) {
            return h;
        }
        p.copyback(h, 0, template, 0, size);
        MemorySegment s = p.segment();
        long f = p.address(h); // the first pbuf holds the first 464 bytes: every patched field is there
        int flow = flows == 1 ? 0 : (int) (seq % flows);
        long ip = f + TestFrame.IP_OFFSET;
        s.set(INT_BE, ip + 12, src[flow]);
        s.set(INT_BE, ip + 16, dst[flow]);
        s.set(SHORT_BE, ip + 10, ipChecksum[flow]);
        s.set(INT_BE, f + TestFrame.UDP_OFFSET, ports[flow]);
        s.set(INT_BE, f + TestFrame.SEQ_OFFSET, (int) seq);
        s.set(LONG_BE, f + TestFrame.TIMESTAMP_OFFSET, timestamp);
        return h;
    }

    private static int checksum(MemorySegment s, long ip) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += s.get(SHORT_BE, ip + i) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return ~sum & 0xFFFF;
    }
}
