package io.sluice.engine.transport.tcp;

import static io.sluice.engine.transport.tcp.TcpSim.*;
import static io.sluice.engine.wire.TcpHeader.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class TcpBehaviourTest {
    /** An established pair: A's client connection to B's server on port 80. */
    private static final class Pair {
        final TcpApps.Sink server = new TcpApps.Sink();
        final TcpApps.Recorder client = new TcpApps.Recorder();
        TcpConnection a;
        TcpConnection b;

        Pair(TcpSim sim) {
            sim.b.listen(0, 80, c -> {
                b = c;
                return server;
            });
            a = sim.a.connect(sim.p, B, 80, client);
            assertTrue(sim.runUntil(() -> client.connected && server.connected, 1_000 * MS));
        }
    }

    @Test
    void timeWaitHoldsTheTupleForTwoMslAndAcksARetransmittedFin() {
        try (TcpSim sim = new TcpSim(10, config(), config())) {
            Pair pair = new Pair(sim);
            pair.a.close();
            assertTrue(sim.runUntil(() -> pair.client.closed() && pair.server.closed(), 1_000 * MS));
            assertEquals(TcpState.TIME_WAIT, pair.a.state());
            assertEquals(TcpCloseReason.NORMAL, pair.client.closedReason);
            // The peer's FIN again (as if our ACK were lost): answered with an ACK, and 2 MSL starts again.
            long out = sim.a.counters().get(TcpMib.tcpOutSegs);
            int fin = Segments.datagram(sim.p, B, 80, A, pair.a.localPort(), pair.a.rcvNxt - 1, pair.a.sndNxt,
                FIN | ACK);
            sim.run(900 * MS);
            sim.inject(sim.endA, fin);
            sim.run(MS);
            assertEquals(out + 1, sim.a.counters().get(TcpMib.tcpOutSegs));
            assertEquals(TcpState.TIME_WAIT, pair.a.state());
            sim.run(500 * MS);
            assertEquals(1, sim.a.connections(), "2 MSL (1 s) restarted by the FIN");
            // B's listener answered our ACK with a RST: RFC 1337 says TIME-WAIT ignores it.
            assertEquals(1, sim.b.counters().get(TcpDrop.LISTEN_BAD_SEGMENT));
            assertEquals(1, sim.a.counters().get(TcpDrop.RST_IN_TIME_WAIT));
            sim.run(600 * MS);
            assertEquals(0, sim.a.connections());
        }
    }

    /**
     * A server that closes first keeps each connection in TIME-WAIT for 2 MSL; with its table full of them, a new
     * connection takes the block of the one nearest its end instead of being refused.
     */
    @Test
    void aTableFullOfTimeWaitGivesTheOldestUpToANewConnection() {
        try (TcpSim sim = new TcpSim(12, config(), config().maxConnections(4))) {
            TcpConnection[] accepted = new TcpConnection[1];
            sim.b.listen(0, 80, c -> {
                accepted[0] = c;
                return new TcpApps.Sink();
            });
            for (int i = 0; i < 10; i++) {
                TcpApps.Sink client = new TcpApps.Sink();
                accepted[0] = null;
                sim.a.connect(sim.p, B, 80, client);
                assertTrue(sim.runUntil(() -> client.connected && accepted[0] != null, 1_000 * MS), "connection " + i);
                TcpConnection server = accepted[0];
                server.close(); // the server closes first: its side ends in TIME-WAIT
                assertTrue(sim.runUntil(client::closed, 1_000 * MS), "connection " + i + " closed");
                sim.run(10 * MS);
                assertEquals(TcpState.TIME_WAIT, server.state(), "connection " + i);
            }
            assertEquals(4, sim.b.connections(), "four blocks, all in TIME-WAIT");
            assertEquals(6, sim.b.counters().get(TcpMib.tcpTimeWaitRecycled));
            assertEquals(0, sim.b.counters().get(TcpDrop.TABLE_FULL));
        }
    }

    /** RFC 1122 4.2.2.13: a new SYN from the same port, its sequence number past the old one's, takes the tuple over. */
    @Test
    void aNewSynForATupleInTimeWaitOpensANewConnection() {
        try (TcpSim sim = new TcpSim(13, config(), config())) {
            TcpConnection[] accepted = new TcpConnection[1];
            sim.b.listen(0, 80, c -> {
                accepted[0] = c;
                return new TcpApps.Sink();
            });
            TcpApps.Sink first = new TcpApps.Sink();
            TcpConnection a = sim.a.connect(sim.p, 40000, B, 80, first);
            assertTrue(sim.runUntil(() -> first.connected && accepted[0] != null, 1_000 * MS));
            TcpConnection old = accepted[0];
            old.close(); // the server closes first and keeps the tuple in TIME-WAIT
            assertTrue(sim.runUntil(first::closed, 1_000 * MS));
            sim.run(10 * MS);
            assertEquals(TcpState.TIME_WAIT, old.state());
            assertEquals(0, sim.a.connections(), "the client closed second: no TIME-WAIT on its side");
            TcpApps.Sink second = new TcpApps.Sink();
            accepted[0] = null;
            sim.run(100 * MS); // the client's clock, and so its next ISN, moves on
            assertNotNull(sim.a.connect(sim.p, 40000, B, 80, second));
            assertTrue(sim.runUntil(() -> second.connected && accepted[0] != null, 1_000 * MS),
                "connected at once, not after 2 MSL");
            assertEquals(1, sim.b.counters().get(TcpMib.tcpTimeWaitReused));
            assertEquals(a.localPort(), accepted[0].remotePort());
        }
    }

    @Test
    void simultaneousCloseGoesThroughClosingToTimeWaitOnBothSides() {
        try (TcpSim sim = new TcpSim(11, config(), config())) {
            Pair pair = new Pair(sim);
            pair.server.closeOnFin = false;
            pair.a.close();
            pair.b.close();
            assertTrue(sim.runUntil(() -> pair.client.closed() && pair.server.closed(), 1_000 * MS));
            assertEquals(TcpState.TIME_WAIT, pair.a.state());
            assertEquals(TcpState.TIME_WAIT, pair.b.state());
            assertEquals(TcpCloseReason.NORMAL, pair.client.closedReason);
            assertEquals(TcpCloseReason.NORMAL, pair.server.closedReason);
        }
    }

    @Test
    void outOfWindowRstIsIgnoredInWindowRstChallengedExactRstResets() {
        try (TcpSim sim = new TcpSim(12, config(), config())) {
            Pair pair = new Pair(sim);
            TcpConnection b = pair.b;
            int aPort = pair.a.localPort();
            // Far outside the window: ignored without an answer.
            sim.inject(sim.endB, Segments.datagram(sim.p, A, aPort, B, 80, b.rcvNxt + (1 << 30), 0, RST));
            sim.run(5 * MS);
            assertEquals(1, sim.b.counters().get(TcpDrop.RST_OUT_OF_WINDOW));
            assertEquals(TcpState.ESTABLISHED, b.state());
            // In the window but not at RCV.NXT: a challenge ACK (RFC 5961 3.2), and the connection lives.
            sim.inject(sim.endB, Segments.datagram(sim.p, A, aPort, B, 80, b.rcvNxt + 100, 0, RST));
            sim.run(5 * MS);
            assertEquals(1, sim.b.counters().get(TcpDrop.RST_CHALLENGED));
            assertEquals(1, sim.b.counters().get(TcpMib.tcpChallengeAcks));
            assertEquals(TcpState.ESTABLISHED, b.state());
            assertEquals(TcpState.ESTABLISHED, pair.a.state(), "the genuine peer ignores the challenge ACK");
            // Exactly at RCV.NXT: the connection is reset.
            sim.inject(sim.endB, Segments.datagram(sim.p, A, aPort, B, 80, b.rcvNxt, 0, RST));
            assertTrue(sim.runUntil(pair.server::closed, 5 * MS));
            assertEquals(TcpCloseReason.RESET, pair.server.closedReason);
            assertEquals(1, sim.b.counters().get(TcpMib.tcpEstabResets));
            pair.a.abort();
        }
    }

    @Test
    void synInAnEstablishedConnectionDrawsAChallengeAckNotAReset() {
        try (TcpSim sim = new TcpSim(13, config(), config())) {
            Pair pair = new Pair(sim);
            TcpConnection b = pair.b;
            sim.inject(sim.endB, Segments.datagram(sim.p, A, pair.a.localPort(), B, 80, b.rcvNxt + 5, 0, SYN));
            sim.run(5 * MS);
            assertEquals(1, sim.b.counters().get(TcpDrop.SYN_CHALLENGED));
            assertEquals(1, sim.b.counters().get(TcpMib.tcpChallengeAcks));
            assertEquals(TcpState.ESTABLISHED, b.state());
            // An ACK of data never sent (RFC 5961 5.2): challenged and dropped.
            sim.inject(sim.endB, Segments.datagram(sim.p, A, pair.a.localPort(), B, 80, b.rcvNxt, b.sndMax + 1000,
                ACK));
            sim.run(5 * MS);
            assertEquals(1, sim.b.counters().get(TcpDrop.ACK_UNACCEPTABLE));
            assertEquals(2, sim.b.counters().get(TcpMib.tcpChallengeAcks));
            assertEquals(TcpState.ESTABLISHED, b.state());
            pair.a.abort();
            assertTrue(sim.runUntil(pair.server::closed, 100 * MS));
        }
    }

    @Test
    void challengeAcksAreRateLimited() {
        try (TcpSim sim = new TcpSim(14, config(), config().challengeAcksPerSecond(10))) {
            Pair pair = new Pair(sim);
            for (int i = 0; i < 100; i++) {
                sim.inject(sim.endB, Segments.datagram(sim.p, A, pair.a.localPort(), B, 80, pair.b.rcvNxt + 1 + i,
                    0, RST));
            }
            sim.run(5 * MS);
            assertEquals(100, sim.b.counters().get(TcpDrop.RST_CHALLENGED));
            assertTrue(sim.b.counters().get(TcpMib.tcpChallengeAcks) <= 10);
            assertTrue(sim.b.counters().get(TcpDrop.CHALLENGE_ACK_LIMITED) >= 90);
            assertEquals(TcpState.ESTABLISHED, pair.b.state());
            pair.a.abort();
            assertTrue(sim.runUntil(pair.server::closed, 100 * MS));
        }
    }

    @Test
    void aZeroWindowStallsTheSenderWhoProbesUntilTheApplicationReadsAgain() {
        try (TcpSim sim = new TcpSim(15, config(), config().receiveBuffer(16 * 1460))) {
            TcpApps.Sink server = new TcpApps.Sink();
            server.hold = true;
            sim.b.listen(0, 80, c -> server);
            byte[] data = new byte[200_000];
            new Random(15).nextBytes(data);
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            sim.a.connect(sim.p, B, 80, client);
            sim.run(2_000 * MS);
            assertEquals(16 * 1460, server.heldBytes, "the window closes at the receive buffer");
            assertEquals(0, server.conn.receiveWindow());
            long probes = sim.a.counters().get(TcpMib.tcpWindowProbes);
            assertTrue(probes >= 3, "persist probes while the window is zero: " + probes);
            assertFalse(client.closed(), "probes keep the connection alive");
            server.hold = false;
            server.release(sim.p);
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 30_000 * MS),
                () -> "received " + server.bytes.size() + " " + sim.a.counters() + " " + sim.b.counters());
            assertArrayEquals(data, server.bytes.toByteArray());
        }
    }

    @Test
    void aDeadPeerTimesOutAfterTheRetries() {
        try (TcpSim sim = new TcpSim(16, config().maxRetries(4), config())) {
            Pair pair = new Pair(sim);
            sim.filter = h -> false; // the wire is cut
            int chain = sim.p.alloc(io.sluice.engine.pbuf.Layer.RAW, 1000);
            assertEquals(io.sluice.engine.pbuf.PbufHandle.NULL, pair.a.send(sim.p, chain));
            assertTrue(sim.runUntil(pair.client::closed, 60_000 * MS));
            assertEquals(TcpCloseReason.TIMEOUT, pair.client.closedReason);
            assertEquals(4, sim.a.counters().get(TcpMib.tcpTimeouts));
            pair.b.abort();
        }
    }

    @Test
    void keepaliveProbesAnIdlePeerAndDropsADeadOne() {
        TcpConfig ka = config().keepalive(1_000 * MS, 100 * MS, 3);
        try (TcpSim sim = new TcpSim(17, ka, config())) {
            Pair pair = new Pair(sim);
            pair.a.setKeepAlive(true);
            sim.run(3_500 * MS);
            assertTrue(sim.a.counters().get(TcpMib.tcpKeepaliveProbes) >= 3, "one probe per idle second");
            assertEquals(TcpState.ESTABLISHED, pair.a.state(), "an answering peer keeps it alive");
            sim.filter = h -> false;
            assertTrue(sim.runUntil(pair.client::closed, 3_000 * MS));
            assertEquals(TcpCloseReason.TIMEOUT, pair.client.closedReason);
            pair.b.abort();
        }
    }

    @Test
    void aFullTransmitPathDelaysOutputWithoutLosingIt() {
        try (TcpSim sim = new TcpSim(18, config(), config())) {
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            byte[] data = new byte[300_000];
            new Random(18).nextBytes(data);
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            sim.bytesPerSecond = 1_250_000;
            sim.a.connect(sim.p, B, 80, client);
            sim.run(20 * MS);
            sim.endA.full = true;
            sim.run(30 * MS);
            sim.endA.full = false;
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 10_000 * MS),
                () -> client.conn + " " + sim.a.counters() + " / " + server.conn + " " + sim.b.counters());
            assertArrayEquals(data, server.bytes.toByteArray());
            assertTrue(sim.a.counters().get(TcpDrop.OUTPUT_FULL) > 0);
        }
    }

    @Test
    void aSegmentWithABadChecksumIsCountedAndFreed() {
        try (TcpSim sim = new TcpSim(19, config(), config())) {
            int h = Segments.datagram(sim.p, A, 1234, B, 80, 1, 0, SYN);
            sim.p.putByte(h, 20 + 16, (byte) (sim.p.getByte(h, 20 + 16) ^ 1));
            sim.inject(sim.endB, h);
            sim.run(MS);
            assertEquals(1, sim.b.counters().get(io.sluice.engine.wire.WireError.TCP_BAD_CHECKSUM));
            assertEquals(1, sim.b.counters().get(TcpMib.tcpInErrs));
        }
    }

    @Test
    void simultaneousOpenMeetsInSynReceived() {
        try (TcpSim sim = new TcpSim(40, config(), config())) {
            TcpApps.Recorder ha = new TcpApps.Recorder();
            TcpApps.Recorder hb = new TcpApps.Recorder();
            TcpConnection a = sim.a.connect(sim.p, 5000, B, 6000, ha);
            TcpConnection b = sim.b.connect(sim.p, 6000, A, 5000, hb);
            assertNull(sim.a.connect(sim.p, 5000, B, 6000, ha), "the 4-tuple is taken");
            // RFC 9293 3.5 figure 8: both SYNs cross, both sides go through SYN-RECEIVED to ESTABLISHED.
            assertTrue(sim.runUntil(() -> ha.connected && hb.connected, 1_000 * MS));
            assertEquals(TcpState.ESTABLISHED, a.state());
            assertEquals(TcpState.ESTABLISHED, b.state());
            a.attach("mine");
            assertEquals("mine", a.attachment());
            int h = sim.p.alloc(io.sluice.engine.pbuf.Layer.RAW, 100);
            assertEquals(io.sluice.engine.pbuf.PbufHandle.NULL, a.send(sim.p, h));
            a.close();
            b.close();
            assertTrue(sim.runUntil(() -> ha.closed() && hb.closed(), 1_000 * MS));
            assertTrue(hb.events.contains("data 100"), hb.events::toString);
        }
    }
}
