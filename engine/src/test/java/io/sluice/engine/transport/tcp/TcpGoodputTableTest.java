package io.sluice.engine.transport.tcp;

import static io.sluice.engine.transport.tcp.TcpSim.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Goodput against loss rate in the simulation (100 Mbit/s bottleneck, 2 ms round trip): the table CI keeps. It
 * asserts that every transfer completes exactly and that goodput falls, roughly, as loss rises; it asserts no
 * absolute figure, and no wall-clock time.
 */
@ExtendWith(PbufLeakExtension.class)
class TcpGoodputTableTest {
    private static final double[] LOSS = {0, 0.005, 0.01, 0.02, 0.05, 0.10};

    @Test
    void goodputFallsAsLossRises() {
        for (String cc : new String[] {"reno", "cubic"}) {
            StringBuilder table = new StringBuilder("\n" + cc + ": loss   goodput (Mbit/s, virtual)   retransmitted   timeouts\n");
            double[] goodput = new double[LOSS.length];
            for (int i = 0; i < LOSS.length; i++) {
                double sum = 0;
                long retrans = 0;
                long timeouts = 0;
                int runs = 3;
                for (int seed = 0; seed < runs; seed++) {
                    try (TcpSim sim = new TcpSim(100 + seed, config().congestion(cc), config().congestion(cc))) {
                        sim.loss = LOSS[i];
                        sim.bytesPerSecond = 12_500_000;
                        int size = 2 << 20;
                        long nanos = TcpTransferTest.transfer(sim, size, seed);
                        sum += size * 8.0 / (nanos / 1e9) / 1e6;
                        retrans += sim.a.counters().get(TcpMib.tcpRetransSegs);
                        timeouts += sim.a.counters().get(TcpMib.tcpTimeouts);
                    }
                }
                goodput[i] = sum / runs;
                table.append(String.format("       %5.1f %%   %8.2f   %8d   %8d%n", LOSS[i] * 100, goodput[i],
                    retrans / runs, timeouts / runs));
            }
            System.out.print(table);
            for (int i = 1; i < LOSS.length; i++) {
                // Monotonic-ish: never better than 1.25x the goodput at a lower loss rate.
                assertTrue(goodput[i] <= goodput[i - 1] * 1.25, table::toString);
            }
            assertTrue(goodput[LOSS.length - 1] < goodput[0], table::toString);
            assertTrue(goodput[0] > 50, "an unlossy 100 Mbit/s path is mostly used: " + table);
        }
    }
}
