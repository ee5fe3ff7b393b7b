package io.sluice.cli;

import io.sluice.bench.pipeline.PipelineRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench pipeline}: the pipeline load harness. Interleaves runs of the fused and the
 * thread-per-stage layouts at full offered load (so that drift in the machine hits both alike), takes the
 * median of each, then measures each layout's latency at 50 % and 90 % of its own median maximum.
 */
@Command(name = "bench-pipeline", mixinStandardHelpOptions = true,
    description = "Pipeline throughput (fused and per-stage) and latency at 50 % and 90 % of each one's maximum.")
final class BenchPipelineCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per run (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Warm-up seconds per run (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each layout (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--size", defaultValue = "60", description = "Frame size without FCS (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--layouts", defaultValue = "fused,per-stage", split = ",", description = "Layouts to compare (default ${DEFAULT-VALUE}).")
    List<String> layouts;

    @Option(names = "--idle", defaultValue = "backoff", description = "Idle strategy (default ${DEFAULT-VALUE}).")
    String idle;

    @Override
    public Integer call() {
        System.out.printf("pipeline harness: %d-byte frames, %d runs x (%.0f s warm-up + %.0f s), %d cpus, %s%n", size,
            runs, warmup, seconds, Runtime.getRuntime().availableProcessors(), Runtime.version());
        double[][] pps = new double[layouts.size()][runs];
        boolean clean = true;
        for (int r = 0; r < runs; r++) {
            for (int l = 0; l < layouts.size(); l++) {
                PipelineRun.Result res = PipelineRun.run(spec(layouts.get(l), 0), null);
                pps[l][r] = res.pps();
                clean &= res.poolFull();
                System.out.printf("  run %d %-10s %,14.0f pps  drops %d  pool full %s%n", r + 1, layouts.get(l),
                    res.pps(), res.drops(), res.poolFull());
            }
        }
        System.out.println();
        System.out.println("| layout | median pps | min | max | ratio to " + layouts.getFirst() + " |");
        System.out.println("|---|---:|---:|---:|---:|");
        double base = median(pps[0]);
        for (int l = 0; l < layouts.size(); l++) {
            System.out.printf("| %s | %,.0f | %,.0f | %,.0f | %.2f |%n", layouts.get(l), median(pps[l]),
                Arrays.stream(pps[l]).min().orElse(0), Arrays.stream(pps[l]).max().orElse(0), median(pps[l]) / base);
        }
        System.out.println();
        System.out.println("| layout | offered pps (share of its maximum) | delivered pps | p50 ns | p99 ns | p99.9 ns | max ns |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (double load : new double[] {0.5, 0.9}) {
            for (int l = 0; l < layouts.size(); l++) {
                long rate = (long) (median(pps[l]) * load); // of this layout's own maximum
                List<PipelineRun.Result> results = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    results.add(PipelineRun.run(spec(layouts.get(l), rate), null));
                }
                clean &= results.stream().allMatch(PipelineRun.Result::poolFull);
                System.out.printf("| %s | %,d (%.0f %%) | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f |%n", layouts.get(l), rate,
                    load * 100, med(results, res -> res.pps()), med(results, res -> pct(res.latency(), 50)),
                    med(results, res -> pct(res.latency(), 99)), med(results, res -> pct(res.latency(), 99.9)),
                    med(results, res -> (double) res.latency().getMaxValue()));
            }
        }
        System.out.println(clean ? "every run ended with the pool full" : "SOME RUN ENDED WITH PBUFS MISSING");
        return clean ? 0 : 1;
    }

    private PipelineRun.Spec spec(String layout, long rate) {
        return new PipelineRun.Spec(layout, size, 16, rate, warmup, seconds, 65536, idle);
    }

    private static double pct(Histogram h, double p) {
        return h.getValueAtPercentile(p);
    }

    private static double med(List<PipelineRun.Result> rs, java.util.function.ToDoubleFunction<PipelineRun.Result> f) {
        return median(rs.stream().mapToDouble(f).toArray());
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? 0 : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
