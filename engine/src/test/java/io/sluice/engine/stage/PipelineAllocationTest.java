package io.sluice.engine.stage;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.phy.SyntheticPort;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Steady state allocates nothing on the data path: after a warm-up, a fused pipeline (generator, a stage,
 * sink) moves a million more frames while its thread's allocation counter stays put.
 */
@ExtendWith(PbufLeakExtension.class)
class PipelineAllocationTest {
    /** Slack for the odd JIT or safepoint bookkeeping object; a per-packet allocation would be tens of MB. */
    private static final long SLACK_BYTES = 64 * 1024;

    @Test
    void aFusedPipelineAllocatesNothingPerPacket() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PbufPool pool = PbufPool.create(4096)) {
            SyntheticPort gen = SyntheticPort.builder("gen").frameSize(60).flows(16).build();
            SyntheticPort sink = SyntheticPort.builder("sink").build();
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(gen)
                .stage("ip", (p, h) -> {
                    p.setPktFlags(h, p.pktFlags(h) | 1);
                    return h;
                })
                .transmitTo(sink)
                .config(new PipelineConfig().layout("fused").idle("busy").ringSize(1024).batch(32)).build().start();
            try {
                long tid = pipeline.threads().getFirst().threadId();
                assertTrue(Await.until(() -> sink.sunk() > 2_000_000, Duration.ofSeconds(60)), "warm-up");
                long before = threads.getThreadAllocatedBytes(tid);
                long sunkBefore = sink.sunk();
                assertTrue(Await.until(() -> sink.sunk() > sunkBefore + 1_000_000, Duration.ofSeconds(60)));
                long allocated = threads.getThreadAllocatedBytes(tid) - before;
                long frames = sink.sunk() - sunkBefore;
                assertTrue(allocated < SLACK_BYTES, () -> allocated + " bytes allocated for " + frames + " frames ("
                    + (double) allocated / frames + " B/frame)");
            } finally {
                pipeline.close();
            }
        }
    }
}
