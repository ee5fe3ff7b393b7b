package io.sluice.engine.transport.tcp;

import static io.sluice.engine.transport.tcp.TcpSim.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class TcpHandshakeTest {
    @Test
    void threeWayHandshakeDataAndOrderlyClose() {
        try (TcpSim sim = new TcpSim(1, config(), config())) {
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            byte[] data = new byte[5000];
            new Random(1).nextBytes(data);
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            TcpConnection c = sim.a.connect(sim.p, B, 80, client);
            assertNotNull(c);
            assertEquals(TcpState.SYN_SENT, c.state());
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 5_000 * MS));
            assertArrayEquals(data, server.bytes.toByteArray());
            assertEquals(TcpCloseReason.NORMAL, client.closedReason);
            assertEquals(TcpCloseReason.NORMAL, server.closedReason);
            assertEquals(1, sim.a.counters().get(TcpMib.tcpActiveOpens));
            assertEquals(1, sim.b.counters().get(TcpMib.tcpPassiveOpens));
            assertEquals(0, sim.a.counters().get(TcpMib.tcpRetransSegs));
            assertEquals(1460, c.mss());
            // The side that closed first holds TIME-WAIT for 2 MSL, then the tuple goes.
            assertEquals(1, sim.a.connections());
            sim.run(1_100 * MS);
            assertEquals(0, sim.a.connections());
            assertEquals(0, sim.b.connections());
        }
    }

    @Test
    void aSynToAClosedPortIsAnsweredWithRst() {
        try (TcpSim sim = new TcpSim(2, config(), config())) {
            TcpApps.Recorder client = new TcpApps.Recorder();
            sim.a.connect(sim.p, B, 81, client);
            assertTrue(sim.runUntil(client::closed, 1_000 * MS));
            assertEquals(TcpCloseReason.REFUSED, client.closedReason);
            assertEquals(1, sim.b.counters().get(TcpDrop.NO_SOCKET));
            assertEquals(1, sim.b.counters().get(TcpMib.tcpOutRsts));
            assertEquals(1, sim.a.counters().get(TcpMib.tcpAttemptFails));
        }
    }

    @Test
    void lostSynAndSynAckAreRetransmitted() {
        try (TcpSim sim = new TcpSim(3, config(), config())) {
            int[] n = {0};
            sim.filter = h -> n[0]++ >= 2; // the first SYN and the first SYN-ACK... whichever two go first
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            TcpApps.Recorder client = new TcpApps.Recorder();
            sim.a.connect(sim.p, B, 80, client);
            assertTrue(sim.runUntil(() -> client.connected && server.conn != null || server.connected, 3_000 * MS));
            assertTrue(sim.a.counters().get(TcpMib.tcpTimeouts) >= 1);
            client.conn.abort();
            assertTrue(sim.runUntil(server::closed, 1_000 * MS));
            assertEquals(TcpCloseReason.RESET, server.closedReason);
        }
    }

    @Test
    void connectWithoutRouteFails() {
        try (TcpSim sim = new TcpSim(4, config(), config())) {
            assertNull(sim.a.connect(sim.p, 0x0B000001, 80, new TcpApps.Recorder()));
        }
    }

    @Test
    void framesWithALinkHeaderAndEthernetPaddingAreTakenAsThePlaneDeliversThem() {
        try (TcpSim sim = new TcpSim(5, config(), config())) {
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            io.sluice.engine.stage.Emitter e = new io.sluice.engine.stage.Emitter(4);
            // A SYN as the plane hands it over: 14 bytes of Ethernet in front, 6 bytes of padding behind.
            int syn = ethernet(sim, Segments.datagram(sim.p, A, 5555, B, 80, 100, 0,
                io.sluice.engine.wire.TcpHeader.SYN));
            assertEquals(io.sluice.engine.inet.LocalProtocol.TAKEN, sim.b.deliver(sim.p, syn, 14, e));
            TcpConnection c = sim.b.find(B, 80, A, 5555);
            assertNotNull(c);
            assertEquals(TcpState.SYN_RECEIVED, c.state());
            int ack = ethernet(sim, Segments.datagram(sim.p, A, 5555, B, 80, 101, c.sndNxt,
                io.sluice.engine.wire.TcpHeader.ACK | io.sluice.engine.wire.TcpHeader.PSH, 65_535, new byte[] {1, 2, 3}));
            sim.b.deliver(sim.p, ack, 14, e);
            assertEquals(TcpState.ESTABLISHED, c.state());
            assertEquals(1, sim.b.currentEstablished());
            assertArrayEquals(new byte[] {1, 2, 3}, server.bytes.toByteArray(), "the padding is not data");
            c.abort();
            sim.run(5 * MS);
        }
    }

    /** The datagram in an Ethernet frame padded to at least 60 bytes. */
    private static int ethernet(TcpSim sim, int datagram) {
        int h = sim.p.prepend(datagram, 14);
        int len = sim.p.length(h);
        if (len < 60) {
            assertTrue(sim.p.append(h, new byte[60 - len], 0, 60 - len));
        }
        return h;
    }

    @Test
    void theSimulationWritesWhatCrossesTheWireToAPcapFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
        throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("tcp.pcap");
        long sent;
        try (TcpSim sim = new TcpSim(6, config(), config())) {
            sim.capture(file);
            sim.loss = 0.05;
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            TcpApps.Source client = new TcpApps.Source(sim.p, new byte[100_000]);
            sim.a.connect(sim.p, B, 80, client);
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 10_000 * MS));
            sent = sim.endA.sent + sim.endB.sent;
        }
        try (io.sluice.engine.pbuf.PbufPool pool = io.sluice.engine.pbuf.PbufPool.create(64);
             io.sluice.engine.phy.PcapReader r = io.sluice.engine.phy.PcapReader.open(file)) {
            io.sluice.engine.pbuf.Pbufs p = pool.local();
            long frames = 0;
            for (int h = r.next(p); h != io.sluice.engine.pbuf.PbufHandle.NULL; h = r.next(p)) {
                frames++;
                p.freem(h);
            }
            assertEquals(sent, frames, "every datagram, the lost ones too");
            p.close();
        }
    }
}
