package io.sluice.bench.pktgen;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.nativeio.afpacket.AfPacketConfig;
import io.sluice.nativeio.afpacket.AfPacketPort;
import io.sluice.nativeio.afpacket.VethLab;
import io.sluice.nativeio.afpacket.VethLabExtension;
import io.sluice.nativeio.linux.NetNamespace;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * pktgen and its sink over a real veth pair between two namespaces of the test's own: at a modest rate they
 * agree on the count, with nothing lost or reordered. Needs root (CI runs as root); without it the test fails
 * and says why.
 */
@ExtendWith(PbufLeakExtension.class)
@ExtendWith(VethLabExtension.class)
class PktgenVethTest {
    private static final long FRAMES = 50_000;

    @Test
    void generatorAndSinkAgreeOverAVethPair() throws Exception {
        try (VethLab lab = VethLab.create();
             NetNamespace a = NetNamespace.enter(lab.nsA);
             NetNamespace b = NetNamespace.enter(lab.nsB);
             PbufPool pool = PbufPool.create(new PoolConfig().slots(16384).name("pktgen-veth").jmx(false))) {
            AfPacketPort out = a.call(() -> AfPacketPort.open(AfPacketConfig.builder(lab.ifA).receive(false).build()));
            AfPacketPort in = b.call(() -> AfPacketPort.open(AfPacketConfig.builder(lab.ifB).transmit(false).build()));
            try {
                CompletableFuture<PktgenSink.Result> sink = CompletableFuture.supplyAsync(() -> {
                    try (Pbufs ignored = pool.local()) {
                        return PktgenSink.run(in, pool, FRAMES, 30, 5, null);
                    }
                });
                PktgenConfig c = new PktgenConfig(FRAMES, 60, 20, Ipv4.parseMac("ff:ff:ff:ff:ff:ff"),
                    out.interfaceInfo().macBytes(), Ipv4.parse("198.19.0.1"), Ipv4.parse("198.19.0.8"),
                    Ipv4.parse("198.18.0.1"), Ipv4.parse("198.18.0.1"), 9, 9, 9, 9, 8, 100_000, 32);
                Pktgen.Result tx;
                try (Pbufs ignored = pool.local()) {
                    tx = Pktgen.run(out, pool, c, null);
                }
                PktgenSink.Result rx = sink.get(60, TimeUnit.SECONDS);
                assertEquals(FRAMES, tx.sent(), "pktgen sent its count");
                assertEquals(FRAMES, rx.received(), () -> "sink: " + rx + "; port drops " + in.counters().drops());
                assertEquals(0, rx.lost());
                assertEquals(0, rx.reordered());
                assertEquals(FRAMES, rx.latency().getTotalCount());
            } finally {
                try (Pbufs p = pool.local()) {
                    out.close(p);
                    in.close(p);
                }
            }
        }
    }
}
