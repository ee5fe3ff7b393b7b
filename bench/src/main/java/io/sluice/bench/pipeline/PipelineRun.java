package io.sluice.bench.pipeline;

import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.phy.SyntheticPort;
import io.sluice.engine.stage.Pipeline;
import io.sluice.engine.stage.StageDrop;
import java.io.PrintStream;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One run of the in-memory pipeline: a generator port, a MAC-swap stage, a sink port, for a bounded time.
 * Used by {@code ./sluice pipeline} and the pipeline load harness ({@code ./sluice bench pipeline}).
 *
 * <p>Rates count frames that reached the sink during the measured window, after a warm-up; latency is the
 * sink's histogram over the same window (receive timestamp at the generator to the sink's transmit).
 */
public final class PipelineRun {

    /** What to run. {@code ratePps} 0 means as fast as the pipeline takes frames. */
    public record Spec(String layout, int frameSize, int flows, long ratePps, double warmupSeconds,
                       double seconds, int slots, String idle) {
    }

    /** What came out. */
    public record Result(Spec spec, long delivered, double seconds, long drops, Histogram latency,
                         boolean drained, boolean poolFull) {
        public double pps() {
            return delivered / seconds;
        }
    }

    private PipelineRun() {
    }

    /**
     * @param progress where to print a status line each second, or null for none
     */
    public static Result run(Spec spec, PrintStream progress) {
        PoolConfig pool = new PoolConfig().slots(spec.slots()).name("pipeline").jmx(true);
        try (PbufPool p = PbufPool.create(pool)) {
            SyntheticPort gen = SyntheticPort.builder("gen").frameSize(spec.frameSize()).flows(spec.flows())
                .ratePps(spec.ratePps()).build();
            // Sampling 1 frame in 16 keeps the latency recorder's atomics off the measured path.
            SyntheticPort sink = SyntheticPort.builder("sink").latencySampling(16).build();
            Pipeline pipeline = Pipeline.builder(p).receiveFrom(gen).stage("ip", new MacSwap()).transmitTo(sink)
                .config(new PipelineConfig().layout(spec.layout()).idle(spec.idle()).backPressure("hold")
                    .ringSize(1024).batch(32))
                .build().start();
            long start = System.nanoTime();
            long warmEnd = start + (long) (spec.warmupSeconds() * 1e9);
            long end = warmEnd + (long) (spec.seconds() * 1e9);
            waitUntil(warmEnd, gen, sink, pipeline, progress, start);
            long before = sink.sunk();
            sink.latencyInterval(); // drop the warm-up's latencies
            long t0 = System.nanoTime();
            waitUntil(end, gen, sink, pipeline, progress, start);
            long delivered = sink.sunk() - before;
            double seconds = (System.nanoTime() - t0) / 1e9;
            Histogram latency = sink.latencyInterval();
            pipeline.close();
            long drops = pipeline.stages().stream().mapToLong(s -> s.counters().drops()
                - s.counters().drops(StageDrop.SHUTDOWN)).sum();
            PbufStats stats = p.stats();
            boolean full = stats.inUse() == 0 && stats.free() + stats.cached() == stats.total();
            return new Result(spec, delivered, seconds, drops, latency, pipeline.shutdownReport().drained(), full);
        }
    }

    private static void waitUntil(long deadline, SyntheticPort gen, SyntheticPort sink, Pipeline pipeline,
                                  PrintStream progress, long start) {
        long lastPrint = System.nanoTime();
        long lastRx = gen.generated();
        long lastTx = sink.sunk();
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(Math.min(100_000_000L, Math.max(1, deadline - System.nanoTime())));
            long now = System.nanoTime();
            if (progress != null && now - lastPrint >= 1_000_000_000L) {
                double dt = (now - lastPrint) / 1e9;
                long rx = gen.generated();
                long tx = sink.sunk();
                long drops = pipeline.stages().stream().mapToLong(s -> s.counters().drops()).sum();
                progress.printf("  %5.1f s  rx %,12.0f pps  tx %,12.0f pps  drops %,d%n", (now - start) / 1e9,
                    (rx - lastRx) / dt, (tx - lastTx) / dt, drops);
                lastPrint = now;
                lastRx = rx;
                lastTx = tx;
            }
        }
    }
}
