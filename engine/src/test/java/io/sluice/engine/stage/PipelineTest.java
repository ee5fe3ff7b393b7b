package io.sluice.engine.stage;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ConfigException;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.phy.FaultInjectingPort;
import io.sluice.engine.phy.Faults;
import io.sluice.engine.phy.LoopbackPair;
import io.sluice.engine.phy.SyntheticPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(PbufLeakExtension.class)
class PipelineTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private static PipelineConfig config(String layout, String policy) {
        return new PipelineConfig().layout(layout).idle("yield").backPressure(policy).ringSize(256).batch(32);
    }

    private static void assertPoolFull(PbufPool pool) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> pool.leakReport().toString());
        assertEquals(s.total(), s.free() + s.cached(), "every slot is back on a free list");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fused", "per-stage", "rx | ip+transport+tx", "rx+ip | transport | tx"})
    void carriesEveryFrameThroughEveryLayout(String layout) {
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort gen = SyntheticPort.builder("gen").frameSize(60).flows(8).count(200_000).build();
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            AtomicInteger seen = new AtomicInteger();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen)
                .stage("ip", (p, h) -> {
                    seen.lazySet(seen.get() + 1);
                    return h;
                })
                .stage("transport", PacketHandler.PASS)
                .transmitTo(sink).config(config(layout, "hold")).build().start();
            assertTrue(Await.until(() -> sink.sunk() == 200_000, LIMIT), () -> "sunk " + sink.sunk());
            pipeline.close();
            assertTrue(pipeline.shutdownReport().drained());
            assertEquals(200_000, seen.get());
            assertEquals(0, sink.corrupt());
            assertEquals(0, sink.reordered(), "one flow of rings keeps order");
            assertEquals(200_000, pipeline.stages().getFirst().counters().packets());
            assertPoolFull(pool);
        }
    }

    @Test
    void orderlyShutdownUnderLoadReturnsEveryPbuf() {
        try (PbufPool pool = PbufPool.create(2048)) {
            SyntheticPort gen = SyntheticPort.builder("gen").frameSize(1514).build(); // never runs dry
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen).stage("ip", PacketHandler.PASS)
                .transmitTo(sink).config(config("per-stage", "hold")).build().start();
            assertTrue(Await.until(() -> sink.sunk() > 50_000, LIMIT));
            pipeline.close();
            Pipeline.ShutdownReport r = pipeline.shutdownReport();
            assertTrue(r.drained(), "the receive stage stopped first, so the rings drained");
            assertEquals(gen.generated(), sink.sunk(), "every generated frame reached the sink");
            assertPoolFull(pool);
        }
    }

    @Test
    void holdPolicySlowsTheProducerInsteadOfDropping() {
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort gen = SyntheticPort.builder("gen").count(20_000).build();
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen)
                .stage("ip", (p, h) -> {
                    for (int i = 0; i < 2000; i++) {
                        Thread.onSpinWait(); // a slow stage
                    }
                    return h;
                })
                .transmitTo(sink).config(config("per-stage", "hold").ringSize(8)).build().start();
            assertTrue(Await.until(() -> sink.sunk() == 20_000, LIMIT), () -> "sunk " + sink.sunk());
            pipeline.close();
            long drops = pipeline.stages().stream().mapToLong(s -> s.counters().drops()).sum();
            assertEquals(0, drops);
            assertTrue(pipeline.rings().getFirst().fullEvents() > 0, "the ring did fill up");
            assertPoolFull(pool);
        }
    }

    @Test
    void dropPolicyFreesAndCountsWhatDoesNotFit() {
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort gen = SyntheticPort.builder("gen").count(20_000).build();
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen)
                .stage("ip", (p, h) -> {
                    for (int i = 0; i < 2000; i++) {
                        Thread.onSpinWait();
                    }
                    return h;
                })
                .transmitTo(sink).config(config("per-stage", "drop").ringSize(8)).build().start();
            Stage rx = pipeline.stages().getFirst();
            assertTrue(Await.until(() -> gen.exhausted() && sink.sunk() + pipeline.stages().stream()
                .mapToLong(s -> s.counters().drops(StageDrop.RING_FULL)).sum() == 20_000, LIMIT),
                () -> "generated " + gen.generated() + " sunk " + sink.sunk() + " rx drops " + rx.counters().drops()
                    + " ip " + pipeline.stages().get(1).counters().packets());
            pipeline.close();
            assertTrue(rx.counters().drops(StageDrop.RING_FULL) > 0, "a slow stage makes the receive stage drop");
            assertPoolFull(pool);
        }
    }

    @Test
    void handlerDropsAreCountedAndFreed() {
        try (PbufPool pool = PbufPool.create(1024)) {
            SyntheticPort gen = SyntheticPort.builder("gen").count(10_000).flows(2).build();
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen)
                .stage("ip", (p, h) -> {
                    if (p.flowHash(h) % 2 == 0) {
                        p.freem(h);
                        return PbufHandle.NULL;
                    }
                    return h;
                })
                .transmitTo(sink).config(config("fused", "hold")).build().start();
            Stage ip = pipeline.stages().get(1);
            assertTrue(Await.until(() -> ip.counters().packets() == 10_000, LIMIT));
            pipeline.close();
            assertEquals(5_000, ip.counters().drops(StageDrop.HANDLER));
            assertEquals(5_000, sink.sunk());
            assertPoolFull(pool);
        }
    }

    @Test
    void throughFaultsNothingLeaks() {
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort gen = SyntheticPort.builder("gen").count(50_000).flows(4).build();
            Faults faults = Faults.NONE.withDrop(0.05).withCorrupt(0.05).withDuplicate(0.05).withReorder(0.05)
                .withSeed(42);
            FaultInjectingPort faulty = new FaultInjectingPort(gen, faults, Faults.NONE, System::nanoTime);
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(faulty).stage("ip", PacketHandler.PASS)
                .transmitTo(sink).config(config("rx | ip+tx", "hold")).build().start();
            assertTrue(Await.until(() -> gen.exhausted() && pipeline.stages().getFirst().counters().packets()
                == sink.sunk() && sink.sunk() > 0, LIMIT));
            pipeline.close();
            assertTrue(faulty.dropped() > 0 && faulty.duplicated() > 0 && faulty.reordered() > 0);
            assertEquals(50_000 - faulty.dropped() + faulty.duplicated(), sink.sunk());
            assertTrue(sink.reordered() > 0, "reordering reached the sink");
            assertPoolFull(pool);
        }
    }

    @Test
    void manyReceiveQueuesFeedOneStage() {
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort a = SyntheticPort.builder("a").count(30_000).build();
            SyntheticPort b = SyntheticPort.builder("b").count(20_000).build();
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(a).receiveFrom(b).stage("ip", PacketHandler.PASS)
                .transmitTo(sink).config(config("rx | ip+tx", "hold")).build().start();
            assertEquals(List.of("rx.0", "rx.1", "ip", "tx"), pipeline.stages().stream().map(Stage::roleName).toList());
            assertTrue(Await.until(() -> sink.sunk() == 50_000, LIMIT));
            pipeline.close();
            assertPoolFull(pool);
        }
    }

    @Test
    void loopbackPairCarriesFramesBetweenTwoPipelines() {
        try (PbufPool pool = PbufPool.create(4096)) {
            LoopbackPair wire = LoopbackPair.create("wire", 512, 32);
            SyntheticPort gen = SyntheticPort.builder("gen").count(30_000).build();
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline sender = Pipeline.builder(pool).receiveFrom(gen).transmitTo(wire.a())
                .config(config("fused", "hold")).build().start();
            Pipeline receiver = Pipeline.builder(pool).receiveFrom(wire.b()).transmitTo(sink)
                .config(config("fused", "hold")).build().start();
            assertTrue(Await.until(() -> sink.sunk() == 30_000, LIMIT));
            sender.close();
            receiver.close();
            assertEquals(30_000, wire.a().counters().txPackets());
            assertEquals(30_000, wire.b().counters().rxPackets());
            assertPoolFull(pool);
        }
    }

    @Test
    void commandsRunOnTheStageThread() throws Exception {
        try (PbufPool pool = PbufPool.create(256)) {
            SyntheticPort gen = SyntheticPort.builder("gen").count(0).build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen).stage("ip", PacketHandler.PASS)
                .transmitTo(SyntheticPort.builder("sink").build()).config(config("rx+tx | ip", "hold")).build()
                .start();
            String[] thread = new String[1];
            pipeline.execute("ip", p -> thread[0] = Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
            pipeline.close();
            assertEquals("sluice-ip", thread[0]);
            assertThrows(IllegalArgumentException.class, () -> pipeline.execute("nope", p -> { }));
        }
    }

    @Test
    void badLayoutsAreRejectedWithTheStageNamed() {
        try (PbufPool pool = PbufPool.create(64)) {
            var b = Pipeline.builder(pool).receiveFrom(SyntheticPort.builder("g").count(0).build())
                .stage("ip", PacketHandler.PASS).transmitTo(SyntheticPort.builder("s").build());
            ConfigException e = assertThrows(ConfigException.class, () -> b.config(config("rx+ip", "hold")).build());
            assertTrue(e.getMessage().contains("\"tx\" has no thread"), e.getMessage());
            e = assertThrows(ConfigException.class, () -> b.config(config("rx+ip+tx+ipx", "hold")).build());
            assertTrue(e.getMessage().contains("unknown stage \"ipx\""), e.getMessage());
            e = assertThrows(ConfigException.class, () -> b.config(config("rx+ip | ip+tx", "hold")).build());
            assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
            e = assertThrows(ConfigException.class, () -> b.config(config("fused", "hold").idle("spin")).build());
            assertTrue(e.getMessage().contains("sluice.pipeline.idle=spin"), e.getMessage());
        }
    }

    @Test
    void aPinningFailureIsAWarningNotACrash() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pipeline pipeline = startThousandFrames(pool, config("rx+tx@4095", "hold"));
            pipeline.close();
            String pinning = pipeline.pinning().values().iterator().next();
            assertTrue(pinning.contains("4095"), pinning);
            assertFalse(pinning.startsWith("pinned"), pinning);
        }
    }

    /** Real-time stage threads: granted to root (as in CI), refused with the reason otherwise; never a crash. */
    @Test
    void aRealtimeStageThreadRunsUnderSchedRrOrSaysWhyNot() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pipeline pipeline = startThousandFrames(pool, config("fused", "hold").realtime("rr"));
            String scheduling = pipeline.pinning().values().iterator().next();
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                assertTrue(realtimeThreads() > 1, "the stage and the JVM's own threads");
            }
            pipeline.close();
            assertTrue(root ? scheduling.contains("SCHED_RR priority 1") : scheduling.contains("SCHED_RR refused"),
                scheduling);
            assertEquals(0, realtimeThreads(), "every thread of the JVM is normal again after close");
        }
    }

    /** A running pipeline that has moved 1000 synthetic frames from a generator to a sink. */
    private static Pipeline startThousandFrames(PbufPool pool, PipelineConfig config) {
        SyntheticPort gen = SyntheticPort.builder("gen").count(1000).build();
        SyntheticPort sink = SyntheticPort.builder("sink").build();
        Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen).transmitTo(sink).config(config).build().start();
        assertTrue(Await.until(() -> sink.sunk() == 1000, LIMIT));
        return pipeline;
    }

    /** Threads of this JVM under a real-time policy: field 41 of /proc/self/task/TID/stat (proc(5)). */
    private static int realtimeThreads() {
        int n = 0;
        for (java.io.File t : java.util.Objects.requireNonNull(new java.io.File("/proc/self/task").listFiles())) {
            try {
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (Integer.parseInt(fields[41 - 3]) != 0) {
                    n++;
                }
            } catch (java.io.IOException e) {
                // the thread ended
            }
        }
        return n;
    }
}
