package io.sluice.bench.pktgen;

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

    private final PktgenConfig c;
    private final MemorySegment template;
    private final long srcSpan;
    private final long dstSpan;
    private final int sportSpan;
    private final int dportSpan;

    FrameBuilder(PktgenConfig c) {
        this.c = c;
        this.template = MemorySegment.ofArray(TestFrame.template(c.pktSize(), c.dstMac(), c.srcMac(), c.srcMin(), c.dstMin()));
        this.srcSpan = PktgenConfig.span(c.srcMin(), c.srcMax());
        this.dstSpan = PktgenConfig.span(c.dstMin(), c.dstMax());
        this.sportSpan = c.udpSrcMax() - c.udpSrcMin() + 1;
        this.dportSpan = c.udpDstMax() - c.udpDstMin() + 1;
    }

    /** A frame for packet {@code seq}, or NULL when the pool is empty. */
    int build(Pbufs p, long seq, long timestamp) {
        int size = c.pktSize();
        int h = p.alloc(io.sluice.engine.pbuf.Layer.RAW, size);
        if (h == PbufHandle.NULL) {
            return h;
        }
        p.copyback(h, 0, template, 0, size);
        MemorySegment s = p.segment();
        long f = p.address(h); // the first pbuf holds the first 464 bytes: every patched field is there
        long k = seq % c.flows();
        int src = (int) ((c.srcMin() & 0xFFFFFFFFL) + k % srcSpan);
        k /= srcSpan;
        int dst = (int) ((c.dstMin() & 0xFFFFFFFFL) + k % dstSpan);
        k /= dstSpan;
        int sport = c.udpSrcMin() + (int) (k % sportSpan);
        k /= sportSpan;
        int dport = c.udpDstMin() + (int) (k % dportSpan);
        long ip = f + TestFrame.IP_OFFSET;
        s.set(INT_BE, ip + 12, src);
        s.set(INT_BE, ip + 16, dst);
        s.set(SHORT_BE, ip + 10, (short) 0);
        s.set(SHORT_BE, ip + 10, (short) checksum(s, ip));
        s.set(SHORT_BE, f + TestFrame.UDP_OFFSET, (short) sport);
        s.set(SHORT_BE, f + TestFrame.UDP_OFFSET + 2, (short) dport);
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
