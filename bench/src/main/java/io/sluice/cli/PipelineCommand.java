package io.sluice.cli;

import io.sluice.bench.pipeline.PipelineRun;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sluice pipeline}: the in-memory pipeline under load, with live progress; a target for {@code stat}. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = {"Runs generator -> ip (MAC swap) -> sink on in-memory ports for a while, printing the rates",
        "each second, then the latency percentiles and the netstat -m report. Needs no privileges.",
        "While it runs, ./sluice stat --pid PID shows its pools, rings, stages and ports."})
final class PipelineCommand implements Callable<Integer> {
    @Option(names = "--layout", defaultValue = "fused", description = "Thread layout: fused, per-stage, or groups such as 'rx | ip+tx@1' (default ${DEFAULT-VALUE}).")
    String layout;

    @Option(names = "--seconds", defaultValue = "10", description = "How long to measure (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Seconds of warm-up first (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--size", defaultValue = "60", description = "Frame size without FCS, 60..1514 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--flows", defaultValue = "16", description = "UDP flows (default ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--rate", defaultValue = "0", description = "Offered frames per second, 0 for as many as it takes (default ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--idle", defaultValue = "backoff", description = "Idle strategy: busy, yield, backoff, sleep (default ${DEFAULT-VALUE}).")
    String idle;

    @Override
    public Integer call() {
        System.out.printf("sluice pipeline: pid %d, layout %s, %d-byte frames, %s%n", ProcessHandle.current().pid(),
            layout, size, rate == 0 ? "unlimited rate" : rate + " pps offered");
        PipelineRun.Result r = PipelineRun.run(new PipelineRun.Spec(layout, size, flows, rate, warmup, seconds,
            65536, idle), System.out);
        Histogram l = r.latency();
        System.out.printf("delivered %,d frames in %.2f s: %,.0f pps; drops %d; drained %s; pool full %s%n",
            r.delivered(), r.seconds(), r.pps(), r.drops(), r.drained(), r.poolFull());
        System.out.printf("latency rx->tx: p50 %,d ns, p99 %,d ns, p99.9 %,d ns, max %,d ns%n",
            l.getValueAtPercentile(50), l.getValueAtPercentile(99), l.getValueAtPercentile(99.9), l.getMaxValue());
        return r.poolFull() ? 0 : 1;
    }
}
