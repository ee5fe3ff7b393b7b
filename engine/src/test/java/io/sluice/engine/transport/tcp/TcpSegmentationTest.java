package io.sluice.engine.transport.tcp;

import static io.sluice.engine.transport.tcp.TcpSim.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What goes on the wire: MSS, window scaling, Nagle, delayed ACKs. */
@ExtendWith(PbufLeakExtension.class)
class TcpSegmentationTest {
    @Test
    void nagleHoldsASecondSmallSegmentUntilTheFirstIsAcknowledged() {
        for (boolean noDelay : new boolean[] {false, true}) {
            try (TcpSim sim = new TcpSim(31, config(), config())) {
                TcpApps.Sink server = new TcpApps.Sink();
                sim.b.listen(0, 80, c -> server);
                TcpApps.Recorder client = new TcpApps.Recorder();
                TcpConnection c = sim.a.connect(sim.p, B, 80, client);
                assertTrue(sim.runUntil(() -> client.connected, 100 * MS));
                c.setNoDelay(noDelay);
                long before = sim.a.counters().get(TcpMib.tcpOutSegs);
                for (int i = 0; i < 5; i++) { // five writes outside any callback: each may go at once
                    assertEquals(PbufHandle.NULL, c.send(sim.p, sim.p.alloc(Layer.RAW, 10)));
                }
                long sent = sim.a.counters().get(TcpMib.tcpOutSegs) - before;
                assertEquals(noDelay ? 5 : 1, sent, "Nagle (RFC 9293 3.7.4): one small segment in flight");
                assertTrue(sim.runUntil(() -> server.bytes.size() == 50, 100 * MS));
                c.abort();
                sim.run(10 * MS);
            }
        }
    }

    @Test
    void theMssFollowsTheSmallerMtu() {
        try (TcpSim sim = new TcpSim(32, config(), config())) {
            sim.mtu = 1000;
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            byte[] data = new byte[20_000];
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            TcpConnection c = sim.a.connect(sim.p, B, 80, client);
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 2_000 * MS));
            assertEquals(960, c.mss(), "MTU 1000 less 40 bytes of headers (RFC 9293 3.7.1)");
        }
    }

    @Test
    void windowScalingFillsALongFatPipe() {
        // 100 Mbit/s and a 40 ms round trip: 500 KB in flight. Without scaling the window stops at 64 KiB
        // (13 Mbit/s); with it, 1 MiB buffers fill the pipe.
        TcpConfig big = config().receiveBuffer(1 << 20).sendBuffer(1 << 20);
        try (TcpSim sim = new TcpSim(33, big, big.congestion("cubic"))) {
            sim.delay = 20 * MS;
            sim.bytesPerSecond = 12_500_000;
            byte[] data = new byte[8 << 20];
            new Random(33).nextBytes(data);
            TcpApps.Sink server = new TcpApps.Sink();
            TcpConnection[] accepted = new TcpConnection[1];
            sim.b.listen(0, 80, c -> {
                accepted[0] = c;
                return server;
            });
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            TcpConnection c = sim.a.connect(sim.p, B, 80, client);
            long start = sim.now;
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 60_000 * MS));
            assertArrayEquals(data, server.bytes.toByteArray());
            assertEquals(5, c.sndScale, "1 MiB needs a shift of 5 (RFC 7323 2.3)");
            assertEquals(5, accepted[0].rcvScale);
            double mbps = data.length * 8.0 / ((sim.now - start) / 1e9) / 1e6;
            assertTrue(mbps > 50, "goodput " + mbps + " Mbit/s");
        }
    }

    @Test
    void delayedAcksAcknowledgeEverySecondSegment() {
        try (TcpSim sim = new TcpSim(34, config(), config())) {
            sim.bytesPerSecond = 1_250_000; // 10 Mbit/s: segments arrive one by one
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            byte[] data = new byte[100 * 1460];
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            sim.a.connect(sim.p, B, 80, client);
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 5_000 * MS));
            long acks = sim.b.counters().get(TcpMib.tcpOutSegs);
            assertTrue(acks <= 60, "about one ACK per two segments (RFC 1122 4.2.3.2): " + acks);
            assertTrue(acks >= 45, acks + " ACKs");
        }
    }
}
