package io.sluice.engine.wire;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Checks, getters, checksums and builders allocate nothing: after a warm-up that lets the JIT compile them,
 * a million rounds leave this thread's allocation counter where it was.
 */
@ExtendWith(PbufLeakExtension.class)
class WireAllocationTest {
    /** Slack for the odd JIT or safepoint bookkeeping object; one allocation per round would be tens of MB. */
    private static final long SLACK_BYTES = 64 * 1024;

    @Test
    void theDataPathAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            int h = p.alloc(Layer.RAW, 1514);
            MemorySegment seg = p.segment();
            long frame = p.address(h);
            long ip = frame + EthernetFrame.HEADER_LENGTH;
            EthernetFrame.write(seg, frame, MacAddress.BROADCAST, 0x0200_0000_0001L, EthernetFrame.ETHERTYPE_IPV4);
            Ipv4Header.write(seg, ip, 0, 1500, 1, 0, 64, Ipv4Header.PROTOCOL_UDP, 0x0A000001, 0x0A000002);
            UdpHeader.write(seg, ip + 20, 5000, 53, 1480);
            long sink = 0;
            for (int i = 0; i < 200_000; i++) {
                sink += round(p, h, seg, frame, ip);
            }
            long tid = Thread.currentThread().threadId();
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 1_000_000; i++) {
                sink += round(p, h, seg, frame, ip);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertTrue(allocated < SLACK_BYTES, allocated + " bytes allocated in a million rounds");
            assertNotEquals(42, sink);
            p.freem(h);
            p.close();
        }
    }

    private static long round(Pbufs p, int h, MemorySegment seg, long frame, long ip) {
        long acc = EthernetFrame.check(seg, frame, 1514).ordinal() + EthernetFrame.dst(seg, frame)
            + EthernetFrame.payloadEthertype(seg, frame);
        if (Ipv4Header.ttl(seg, ip) < 2) {
            Ipv4Header.setTtl(seg, ip, 64);
            Ipv4Header.fillChecksum(seg, ip);
        }
        acc += Ipv4Header.check(seg, ip, 1500).ordinal() + Ipv4Header.src(seg, ip) + Ipv4Header.totalLength(seg, ip);
        Ipv4Header.decrementTtl(seg, ip);
        acc += UdpHeader.check(seg, ip + 20, 1480).ordinal() + UdpHeader.dstPort(seg, ip + 20);
        acc += Checksum.sum(p, h, 34, 1480) + Checksum.update32(0x1234, 1, 2);
        return acc;
    }
}
