package io.sluice.nativeio.linux;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters;
import io.sluice.engine.wire.TcpHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Cutting segmentation-offload frames allocates nothing in steady state: 10,000 frames of 60,000 bytes (420,000
 * segments) after a warm-up, each segment freed as it comes out, under 64 KiB allocated by the thread. Runs with
 * unchecked pbufs (native-io's {@code unchecked} execution), as production does.
 */
class GsoSegmenterAllocationTest {
    private static final long SLACK_BYTES = 64 * 1024;
    private static final int WARM_UP = 10_000;
    private static final int MEASURED = 10_000;

    @Test
    void cuttingFramesAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] bytes = GsoSegmenterTest.tcpFrame(60_000, TcpHeader.ACK | TcpHeader.PSH);
        try (Arena arena = Arena.ofConfined(); PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            MemorySegment frame = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, frame, ValueLayout.JAVA_BYTE, 0, bytes.length);
            GsoSegmenter gso = new GsoSegmenter(arena);
            PortCounters counters = new PortCounters();
            int[] out = new int[32];
            long tid = Thread.currentThread().threadId();
            long before = 0;
            long segments = 0;
            for (int i = 0; i < WARM_UP + MEASURED; i++) {
                if (i == WARM_UP) {
                    before = threads.getThreadAllocatedBytes(tid);
                }
                assertTrue(gso.begin(frame, 0, bytes.length, Linux.ETH_P_8021Q, ReceivedFrames.NO_VLAN,
                    VirtioNetHdr.GSO_TCPV4, 1448, (i & 1) == 0, 1518, counters));
                while (gso.pending()) {
                    int n = gso.emit(p, out, 0, out.length, counters);
                    segments += n;
                    p.freem(out, n);
                }
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            p.close();
            assertEquals(42L * (WARM_UP + MEASURED), segments, "42 segments a frame, none dropped");
            assertEquals(0, pool.stats().inUse(), "every segment back in the pool");
            assertTrue(allocated < SLACK_BYTES, () -> allocated + " bytes allocated while " + 42L * MEASURED
                + " segments were cut");
            System.out.printf("GsoSegmenter: %,d bytes allocated while %,d segments were cut%n", allocated,
                42L * MEASURED);
        }
    }
}
