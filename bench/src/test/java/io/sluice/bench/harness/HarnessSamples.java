package io.sluice.bench.harness;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Results as a real run would give them, for the tests of the files, plots and report. */
final class HarnessSamples {
    private HarnessSamples() {
    }

    static LatencySummary latency(long base) {
        Histogram h = new Histogram(10_000_000_000L, 3);
        for (int i = 0; i < 5000; i++) {
            h.recordValue(base + (i % 100) * 100L + (i == 4999 ? base * 50 : 0));
        }
        return LatencySummary.of(h);
    }

    static BenchResults results(boolean withLatency, boolean withNdr) {
        List<Integer> sizes = List.of(64, 1518);
        List<String> placements = List.of("generator", "engine");
        List<String> routers = List.of("kernel", "sluice");
        List<RunResult> runs = new ArrayList<>();
        for (int size : sizes) {
            for (String placement : placements) {
                for (int run = 1; run <= 3; run++) {
                    for (String router : routers) {
                        double offered = 1_000_000 - run * 10_000 - (size > 64 ? 100_000 : 0);
                        double delivered = router.equals("kernel") ? offered : offered * (placement.equals("engine") ? 0.84 : 0.66);
                        double cpu = router.equals("sluice") ? 900 + run : placement.equals("engine") ? 700 : Double.NaN;
                        runs.add(new RunResult(size, router, placement, run, new TrialResult(0, offered, delivered, 0, 0, 5, cpu,
                            withLatency ? latency(router.equals("kernel") ? 20_000 : 35_000) : null)));
                    }
                }
            }
        }
        List<NdrRecord> ndr = new ArrayList<>();
        if (withNdr) {
            NdrSearch.Config c = new NdrSearch.Config(10_000, 1_000_000, 0.005, 0.02, 12);
            for (int size : sizes) {
                for (String placement : placements) {
                    for (String router : routers) {
                        try {
                            double capacity = router.equals("kernel") ? 2e6 : 600_000;
                            ndr.add(new NdrRecord(size, router, placement, c, new NdrSearch(c).search(HarnessNdrSearchTest.device(capacity, 950_000), null)));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            }
        }
        BenchResults.Machine m = new BenchResults.Machine("Test CPU @ 2.60GHz | virtual", 2, 2600.0, "Linux 6.18", "Eclipse Adoptium 25+36",
            "OpenJDK 64-Bit Server VM", "0.50 0.40 0.30");
        BenchResults.Method method = new BenchResults.Method(5, 3, sizes, placements, routers, withLatency ? "sluice" : "trafgen",
            withNdr ? 12 : 0, 2, 0.005, 0.02, 0, "./sluice bench forward --seconds 5 --runs 3 --sizes 64,1518");
        List<String> notes = withLatency ? List.of() : List.of("latency: trafgen's frames carry no timestamp; use --generator sluice");
        return new BenchResults(BenchResults.SCHEMA, "2026-11-22T05:00Z", "2026-11-22T05:10Z", m, method, runs, ndr, null, notes);
    }
}
