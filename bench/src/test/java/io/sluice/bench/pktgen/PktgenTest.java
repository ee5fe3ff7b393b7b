package io.sluice.bench.pktgen;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ConfigException;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.LoopbackPair;
import io.sluice.engine.phy.TestFrame;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class PktgenTest {
    private static final byte[] DST = Ipv4.parseMac("02:00:00:00:00:02");
    private static final byte[] SRC = Ipv4.parseMac("02:00:00:00:00:01");

    private static PktgenConfig config(long count, int flows, long rate) {
        return new PktgenConfig(count, 60, 10, DST, SRC, Ipv4.parse("198.19.0.1"), Ipv4.parse("198.19.0.4"),
            Ipv4.parse("198.18.0.1"), Ipv4.parse("198.18.0.2"), 1000, 1001, 9, 9, flows, rate, 32);
    }

    @Test
    void generatorAndSinkAgreeOverALoopback() throws Exception {
        try (PbufPool pool = PbufPool.create(8192)) {
            LoopbackPair wire = LoopbackPair.create("wire", 1024, 64);
            CompletableFuture<PktgenSink.Result> sink = CompletableFuture.supplyAsync(() -> {
                try (Pbufs ignored = pool.local()) {
                    return PktgenSink.run(wire.b(), pool, 100_000, 30, 5, null);
                }
            });
            Pktgen.Result tx;
            try (Pbufs ignored = pool.local()) {
                tx = Pktgen.run(wire.a(), pool, config(100_000, 16, 0), null);
            }
            PktgenSink.Result rx = sink.get(60, TimeUnit.SECONDS);
            assertEquals(100_000, tx.sent());
            assertEquals(100_000, rx.received());
            assertEquals(0, rx.lost());
            assertEquals(0, rx.reordered());
            assertEquals(0, rx.foreign());
            assertEquals(100_000, rx.latency().getTotalCount());
            try (Pbufs p = pool.local()) {
                wire.a().close(p);
                wire.b().close(p);
            }
            assertEquals(0, pool.stats().inUse());
        }
    }

    @Test
    void flowsWalkTheAddressAndPortRanges() {
        try (PbufPool pool = PbufPool.create(1024); Pbufs p = pool.local()) {
            FrameBuilder b = new FrameBuilder(config(0, 16, 0));
            Set<String> tuples = new HashSet<>();
            for (long seq = 0; seq < 32; seq++) {
                int h = b.build(p, seq, 0);
                byte[] f = p.toArray(h);
                assertEquals(60, f.length);
                assertEquals(0, TestFrame.ipv4HeaderChecksum(withChecksumZero(f), 14) - checksumField(f),
                    "the IPv4 checksum is right for every flow");
                tuples.add(ip(f, 26) + ">" + ip(f, 30) + ":" + port(f, 34) + ">" + port(f, 36));
                assertEquals((int) seq, ((f[46] & 0xFF) << 24) | ((f[47] & 0xFF) << 16) | ((f[48] & 0xFF) << 8) | (f[49] & 0xFF));
                p.freem(h);
            }
            assertEquals(16, tuples.size(), "2 sources x 4 destinations x 2 source ports = 16 flows");
            assertTrue(tuples.contains("198.18.0.1>198.19.0.1:1000>9"));
            assertTrue(tuples.contains("198.18.0.2>198.19.0.4:1001>9"));
        }
    }

    @Test
    void badParametersNameTheParameter() {
        ConfigException e = assertThrows(ConfigException.class, () -> new PktgenConfig(1, 59, 0, DST, SRC, 1, 1, 1, 1, 9, 9, 9, 9, 1, 0, 32));
        assertTrue(e.getMessage().startsWith("pkt_size=59"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new PktgenConfig(0, 60, 0, DST, SRC, 1, 1, 1, 1, 9, 9, 9, 9, 1, 0, 32));
        assertTrue(e.getMessage().contains("needs a duration"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Ipv4.parse("10.0.0.256"));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Ipv4.parseMac("02:00:00:00:00"));
        assertTrue(e.getMessage().contains("MAC"), e.getMessage());
    }

    private static byte[] withChecksumZero(byte[] f) {
        byte[] c = f.clone();
        c[24] = 0;
        c[25] = 0;
        return c;
    }

    private static int checksumField(byte[] f) {
        return ((f[24] & 0xFF) << 8) | (f[25] & 0xFF);
    }

    private static String ip(byte[] f, int off) {
        return (f[off] & 0xFF) + "." + (f[off + 1] & 0xFF) + "." + (f[off + 2] & 0xFF) + "." + (f[off + 3] & 0xFF);
    }

    private static int port(byte[] f, int off) {
        return ((f[off] & 0xFF) << 8) | (f[off + 1] & 0xFF);
    }
}
