package io.sluice.engine.forward;

import static io.sluice.engine.forward.ForwarderLab.*;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.services.UdpEcho;
import io.sluice.engine.transport.udp.UdpProtocol;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * UDP echo through the whole stack (Ethernet, IPv4 input, UDP checksum and demux, the echo handler, UDP and
 * IP output, ARP cache, transmit) allocates nothing per datagram: after a warm-up, the stack's thread's
 * allocation counter stays put while it echoes a hundred thousand more.
 */
@ExtendWith(PbufLeakExtension.class)
class UdpEchoAllocationTest {
    /** Slack for the odd JIT or safepoint bookkeeping object; a per-packet allocation would be megabytes. */
    private static final long SLACK_BYTES = 64 * 1024;
    private static final int BURST = 32;

    @Test
    void echoAllocatesNothingPerDatagram() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        UdpProtocol udp = new UdpProtocol();
        UdpEcho echo = new UdpEcho();
        udp.bind(0, UdpEcho.PORT, echo, 256);
        // A static neighbour: no ARP in the loop.
        try (ForwarderLab lab = new ForwarderLab(1500, b -> b.neighbour("10.10.1.2", "02:00:00:00:01:02", "gen"),
                PacketHook.NONE, fb -> fb.transport(udp))) {
            byte[] frame = UdpStackTest.request(7, Frames.data(200, 3));
            Pbufs p = lab.forwarder.pool().local();
            long tid = lab.forwarder.pipeline().threads().getFirst().threadId();
            pump(lab, p, frame, 50_000);
            long before = threads.getThreadAllocatedBytes(tid);
            long echoedBefore = echo.echoed();
            pump(lab, p, frame, 100_000);
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            long echoed = echo.echoed() - echoedBefore;
            assertEquals(100_000, echoed);
            assertTrue(allocated < SLACK_BYTES, () -> allocated + " bytes allocated for " + echoed + " echoes ("
                + (double) allocated / echoed + " B/datagram)");
            assertEquals(0, echo.dropped());
        }
    }

    /** Sends {@code n} requests in bursts and takes every reply back; bounded in time. */
    private static void pump(ForwarderLab lab, Pbufs p, byte[] frame, int n) {
        int[] burst = new int[BURST];
        int sent = 0;
        int received = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (received < n) {
            assertTrue(System.nanoTime() - deadline < 0, () -> "timed out");
            if (sent - received < 4 * BURST && sent < n) {
                int m = Math.min(BURST, n - sent);
                for (int k = 0; k < m; k++) {
                    int h = p.alloc(Layer.RAW, frame.length);
                    assertNotEquals(PbufHandle.NULL, h);
                    p.copyback(h, 0, frame, 0, frame.length);
                    burst[k] = h;
                }
                int t = lab.gen.transmitBurst(p, burst, 0, m);
                for (int k = t; k < m; k++) {
                    p.freem(burst[k]);
                }
                sent += t;
            }
            int r = lab.gen.receiveBurst(p, burst, BURST);
            for (int k = 0; k < r; k++) {
                p.freem(burst[k]);
            }
            received += r;
            if (r == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
