package io.sluice.engine.transport.tcp;

import static io.sluice.engine.transport.tcp.TcpSim.*;
import static io.sluice.engine.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class TcpScaleTest {
    @Test
    void aThousandConcurrentConnectionsEachCarryTheirBytes() {
        try (TcpSim sim = new TcpSim(20, config(), config().synBacklog(1024), 1 << 17)) {
            sim.bytesPerSecond = 12_500_000;
            sim.loss = 0.005;
            List<TcpApps.Sink> servers = new ArrayList<>();
            sim.b.listen(0, 7, c -> {
                TcpApps.Sink s = new TcpApps.Sink();
                servers.add(s);
                return s;
            });
            int n = 1000;
            List<TcpApps.Source> clients = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            Random rnd = new Random(20);
            for (int i = 0; i < n; i++) {
                byte[] d = new byte[1 + rnd.nextInt(20_000)];
                rnd.nextBytes(d);
                sent.add(d);
                TcpApps.Source c = new TcpApps.Source(sim.p, d);
                clients.add(c);
                assertNotNull(sim.a.connect(sim.p, B, 7, c));
            }
            assertEquals(n, sim.a.connections());
            assertTrue(sim.runUntil(() -> servers.size() == n && servers.stream().allMatch(TcpApps.Recorder::closed)
                && clients.stream().allMatch(TcpApps.Recorder::closed), 60_000 * MS),
                () -> "a " + sim.a.counters() + " b " + sim.b.counters());
            // Each server connection received exactly one client's bytes: match them by content.
            java.util.Set<String> expected = new java.util.HashSet<>();
            for (byte[] d : sent) {
                expected.add(java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(d, Math.min(d.length, 32)))
                    + "/" + d.length + "/" + java.util.Arrays.hashCode(d));
            }
            for (TcpApps.Sink s : servers) {
                byte[] d = s.bytes.toByteArray();
                assertTrue(expected.remove(java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(d,
                    Math.min(d.length, 32))) + "/" + d.length + "/" + java.util.Arrays.hashCode(d)));
            }
            assertTrue(expected.isEmpty());
            for (TcpApps.Source c : clients) {
                assertEquals(TcpCloseReason.NORMAL, c.closedReason);
            }
            sim.run(1_100 * MS);
            assertEquals(0, sim.a.connections(), "TIME-WAIT over");
        }
    }

    @Test
    void aSynFloodIsBoundedByTheBacklogAndCookiesKeepTheServiceUp() {
        try (TcpSim sim = new TcpSim(21, config(), config().synBacklog(64).synRetries(3))) {
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            Random rnd = new Random(21);
            int flood = 20_000;
            for (int i = 0; i < flood; i++) {
                // Spoofed sources that never answer: their SYN-ACKs go nowhere.
                int src = 0x0A090000 | rnd.nextInt(1 << 16);
                sim.inject(sim.endB, Segments.datagram(sim.p, src, 1024 + rnd.nextInt(60_000), B, 80, rnd.nextInt(),
                    0, SYN));
                if (i % 1000 == 999) {
                    sim.run(MS);
                }
            }
            sim.run(MS);
            assertEquals(64, sim.b.connections(), "half-open connections stop at the backlog");
            assertTrue(sim.b.counters().get(TcpMib.tcpSynCookiesSent) >= flood - 64);
            assertTrue(sim.pool.netstat().contains("pbufs"), "the pool is not exhausted");
            // A genuine client gets through on a cookie while the backlog is still full.
            byte[] data = new byte[50_000];
            rnd.nextBytes(data);
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            sim.a.connect(sim.p, B, 80, client);
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 5_000 * MS),
                () -> "b " + sim.b.counters());
            assertArrayEquals(data, server.bytes.toByteArray());
            assertEquals(1, sim.b.counters().get(TcpMib.tcpSynCookiesRecv));
            // The half-open connections time out (SYN-ACK retries) and the backlog empties.
            sim.run(2_000 * MS);
            assertEquals(0, sim.b.connections());
        }
    }

    @Test
    void withoutCookiesAFloodIsDroppedAndCountedAndTheBacklogDrains() {
        try (TcpSim sim = new TcpSim(22, config(), config().synBacklog(16).synRetries(2).synCookies(false))) {
            sim.b.listen(0, 80, c -> new TcpApps.Sink());
            for (int i = 0; i < 1000; i++) {
                sim.inject(sim.endB, Segments.datagram(sim.p, 0x0A090000 | i, 4000 + i, B, 80, i, 0, SYN));
            }
            sim.run(MS);
            assertEquals(16, sim.b.connections());
            assertEquals(1000 - 16, sim.b.counters().get(TcpDrop.LISTEN_OVERFLOW));
            sim.run(1_000 * MS);
            assertEquals(0, sim.b.connections());
            assertEquals(16, sim.b.counters().get(TcpMib.tcpAttemptFails));
        }
    }
}
