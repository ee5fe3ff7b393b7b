package io.sluice.engine.stage;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ConfigException;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.SyntheticPort;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several output ports chosen per packet ({@code txif}), and processors that emit packets and run timers. */
@ExtendWith(PbufLeakExtension.class)
class PipelineDemuxTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private static PipelineConfig config(String layout) {
        return new PipelineConfig().layout(layout).idle("yield").backPressure("hold").ringSize(256).batch(32);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fused", "per-stage", "rx+route | tx"})
    void eachPacketLeavesByTheOutputItsTxifNames(String layout) {
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort inA = SyntheticPort.builder("a").frameSize(60).count(30_000).build();
            SyntheticPort inB = SyntheticPort.builder("b").frameSize(60).count(20_000).build();
            SyntheticPort out0 = SyntheticPort.builder("out0").build();
            SyntheticPort out1 = SyntheticPort.builder("out1").build();
            SyntheticPort out2 = SyntheticPort.builder("out2").build();
            AtomicInteger fromB = new AtomicInteger();
            // Input 0 (a) goes out of output 1, input 1 (b) out of output 2; output 0 gets nothing.
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(inA).receiveFrom(inB)
                .stage("route", (PacketProcessor) (p, h, out) -> {
                    if (p.rcvif(h) == 1) {
                        fromB.lazySet(fromB.get() + 1);
                    }
                    p.setTxif(h, p.rcvif(h) + 1);
                    return h;
                })
                .transmitTo(out0).transmitTo(out1).transmitTo(out2).config(config(layout)).build().start();
            assertTrue(Await.until(() -> out1.sunk() + out2.sunk() == 50_000, LIMIT));
            pipeline.close();
            assertEquals(0, out0.sunk());
            assertEquals(30_000, out1.sunk());
            assertEquals(20_000, out2.sunk());
            assertEquals(20_000, fromB.get(), "rcvif is the input's index in the pipeline");
            assertEquals(0, out1.reordered() + out2.reordered());
        }
    }

    @Test
    void aTxifWithNoOutputIsDroppedAndCounted() {
        try (PbufPool pool = PbufPool.create(1024)) {
            SyntheticPort in = SyntheticPort.builder("in").frameSize(60).count(1000).build();
            SyntheticPort out0 = SyntheticPort.builder("out0").build();
            SyntheticPort out1 = SyntheticPort.builder("out1").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(in)
                .stage("route", (PacketProcessor) (p, h, out) -> {
                    p.setTxif(h, 7);
                    return h;
                })
                .transmitTo(out0).transmitTo(out1).config(config("fused")).build().start();
            Stage route = pipeline.stages().get(1);
            assertTrue(Await.until(() -> route.counters().drops(StageDrop.NO_OUTPUT) == 1000, LIMIT));
            pipeline.close();
            assertEquals(0, out0.sunk() + out1.sunk());
        }
    }

    @Test
    void severalOutputsNeedAStageToChoose() {
        try (PbufPool pool = PbufPool.create(64)) {
            SyntheticPort in = SyntheticPort.builder("in").build();
            ConfigException e = assertThrows(ConfigException.class, () -> Pipeline.builder(pool).receiveFrom(in)
                .transmitTo(SyntheticPort.builder("x").build()).transmitTo(SyntheticPort.builder("y").build())
                .config(config("fused")).build());
            assertTrue(e.getMessage().contains("choose"), e.getMessage());
        }
    }

    /** Doubles every packet (a copy emitted before it) and emits one fresh packet per tick. */
    private static final class Doubler implements PacketProcessor {
        final AtomicInteger ticks = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        volatile boolean ticking = true;

        @Override
        public int process(Pbufs p, int packet, Emitter out) {
            int copy = p.dup(packet);
            if (copy != PbufHandle.NULL && !out.emit(copy)) {
                refused.incrementAndGet();
                p.freem(copy);
            }
            return packet;
        }

        @Override
        public int tick(Pbufs p, long nanoTime, Emitter out) {
            if (!ticking) {
                return 0;
            }
            int h = p.alloc(Layer.LINK, 60);
            if (h != PbufHandle.NULL) {
                if (out.emit(h)) {
                    ticks.incrementAndGet();
                } else {
                    p.freem(h);
                }
            }
            return 1;
        }

        @Override
        public long tickNanos() {
            return 100_000;
        }
    }

    @Test
    void emittedPacketsAndTimerPacketsGoDownstream() {
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort in = SyntheticPort.builder("in").frameSize(60).count(10_000).build();
            SyntheticPort out = SyntheticPort.builder("out").build();
            Doubler doubler = new Doubler();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(in).stage("double", doubler)
                .transmitTo(out).config(config("per-stage")).build().start();
            assertTrue(Await.until(() -> out.sunk() >= 20_000 && doubler.ticks.get() >= 5, LIMIT),
                () -> "sunk " + out.sunk() + ", ticks " + doubler.ticks.get());
            doubler.ticking = false;
            int ticks = doubler.ticks.get();
            assertTrue(Await.until(() -> out.sunk() == 20_000L + ticks, LIMIT));
            pipeline.close();
            assertEquals(0, doubler.refused.get(), "a batch of 32 has room for 32 copies");
            assertEquals(0, pipeline.stages().get(1).counters().drops(StageDrop.HANDLER),
                "a processor's NULL is not counted as a drop");
        }
    }
}
