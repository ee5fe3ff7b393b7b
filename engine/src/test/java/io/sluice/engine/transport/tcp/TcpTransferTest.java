package io.sluice.engine.transport.tcp;

import static io.sluice.engine.transport.tcp.TcpSim.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(PbufLeakExtension.class)
class TcpTransferTest {
    /** Sends {@code size} random bytes A to B over the simulation and returns the virtual nanoseconds it took. */
    static long transfer(TcpSim sim, int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        TcpApps.Sink server = new TcpApps.Sink();
        sim.b.listen(0, 80, c -> server);
        TcpApps.Source client = new TcpApps.Source(sim.p, data);
        long start = sim.now;
        assertNotNull(sim.a.connect(sim.p, B, 80, client));
        boolean done = sim.runUntil(() -> client.closed() && server.closed(), 600_000 * MS);
        assertTrue(done, () -> "transfer did not finish: received " + server.bytes.size() + " of " + size
            + "; a " + sim.a.counters() + " b " + sim.b.counters() + " conn " + client.conn);
        assertEquals(TcpCloseReason.NORMAL, client.closedReason);
        assertEquals(TcpCloseReason.NORMAL, server.closedReason);
        assertArrayEquals(data, server.bytes.toByteArray(), "the bytes arrive whole and in order");
        return sim.now - start;
    }

    @org.junit.jupiter.api.Test
    void aTransferCompletesWhenThePoolRunsDry() {
        // 320 pbufs (160 KiB) for a 64 KiB send buffer, a 256 KiB receive window and the wire: the pool runs
        // dry again and again; data goes in smaller segments from the reserve, out-of-order queues are pruned,
        // and every byte arrives.
        try (TcpSim sim = new TcpSim(43, config().sendBuffer(64 * 1024), config(), 320)) {
            sim.loss = 0.02;
            sim.bytesPerSecond = 12_500_000;
            byte[] data = new byte[2 << 20];
            new Random(43).nextBytes(data);
            TcpApps.Sink server = new TcpApps.Sink();
            sim.b.listen(0, 80, c -> server);
            TcpApps.Source client = new TcpApps.Source(sim.p, data);
            sim.onTick = () -> {
                if (client.conn != null && !client.closed()) {
                    client.pump(client.conn);
                }
            };
            sim.a.connect(sim.p, B, 80, client);
            assertTrue(sim.runUntil(() -> client.closed() && server.closed(), 600_000 * MS),
                () -> "received " + server.bytes.size() + "; a " + sim.a.counters() + " b " + sim.b.counters());
            assertEquals(TcpCloseReason.NORMAL, client.closedReason, () -> TcpCloseReason.name(client.closedReason)
                + " " + TcpCloseReason.name(server.closedReason) + "; a " + sim.a.counters() + " b "
                + sim.b.counters());
            assertArrayEquals(data, server.bytes.toByteArray());
            String denied = sim.pool.netstat().lines().filter(l -> l.endsWith("requests for pbufs denied"))
                .findFirst().orElseThrow().trim().split(" ")[0];
            assertTrue(Long.parseLong(denied) > 0, "the pool ran dry: " + sim.pool.netstat());
            assertTrue(sim.a.counters().get(TcpMib.tcpReserveSegs) > 0);
        }
    }

    @ParameterizedTest(name = "{0}, loss {1}, reorder {2}, duplicate {3}")
    @CsvSource({
        "cubic, 0, 0, 0",
        "reno, 0, 0, 0",
        "cubic, 0.01, 0, 0",
        "cubic, 0.02, 0, 0",
        "cubic, 0.05, 0, 0",
        "reno, 0.02, 0, 0",
        "cubic, 0.01, 0.05, 0.02",
        "reno, 0.02, 0.05, 0.02",
    })
    void bulkTransferArrivesExactly(String cc, double loss, double reorder, double duplicate) {
        try (TcpSim sim = new TcpSim(42, config().congestion(cc), config().congestion(cc))) {
            sim.loss = loss;
            sim.reorder = reorder;
            sim.duplicate = duplicate;
            sim.bytesPerSecond = 12_500_000; // 100 Mbit/s
            int size = loss == 0 ? 8 << 20 : 3 << 20;
            long took = transfer(sim, size, 7);
            if (loss > 0) {
                assertTrue(sim.a.counters().get(TcpMib.tcpRetransSegs) > 0);
            }
            assertTrue(took > 0);
        }
    }
}
