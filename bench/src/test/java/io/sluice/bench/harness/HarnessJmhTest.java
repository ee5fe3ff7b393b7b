package io.sluice.bench.harness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading JMH's JSON results and flagging the benchmarks that allocate. */
class HarnessJmhTest {
    // Trimmed from a real `-prof gc -rf json` file: JMH 1.37 names the metric "gc.alloc.rate.norm", older ones "·gc.alloc.rate.norm".
    static final String JSON = """
        [
          {
            "jmhVersion" : "1.37", "benchmark" : "io.sluice.bench.jmh.RouteLookupBenchmark.lookup", "mode" : "avgt",
            "threads" : 1, "forks" : 1,
            "params" : { "traffic" : "uniform", "routes" : "1000000" },
            "primaryMetric" : { "score" : 4.28, "scoreError" : 0.12, "scoreUnit" : "ns/op", "rawData" : [[4.2, 4.3]] },
            "secondaryMetrics" : {
              "gc.alloc.rate" : { "score" : 0.001, "scoreUnit" : "MB/sec" },
              "gc.alloc.rate.norm" : { "score" : 0.00001, "scoreUnit" : "B/op" },
              "gc.count" : { "score" : 0.0, "scoreUnit" : "counts" }
            }
          },
          {
            "jmhVersion" : "1.37", "benchmark" : "io.sluice.bench.jmh.Leaky.boxes", "mode" : "thrpt",
            "primaryMetric" : { "score" : 12.5, "scoreError" : "NaN", "scoreUnit" : "ops/us" },
            "secondaryMetrics" : { "\u00b7gc.alloc.rate.norm" : { "score" : 16.0, "scoreUnit" : "B/op" } }
          },
          {
            "jmhVersion" : "1.37", "benchmark" : "io.sluice.bench.jmh.ChecksumBenchmark.rfc1071", "mode" : "avgt",
            "params" : { "size" : "1500" },
            "primaryMetric" : { "score" : 80.1, "scoreError" : 1.5, "scoreUnit" : "ns/op" },
            "secondaryMetrics" : { }
          }
        ]
        """;

    @Test
    void parsesScoresParametersAndAllocation() throws Exception {
        List<JmhAllocations.Entry> e = JmhAllocations.parse(JSON);
        assertEquals(3, e.size());
        assertEquals("io.sluice.bench.jmh.RouteLookupBenchmark.lookup {routes=1000000, traffic=uniform}", e.get(0).name());
        assertEquals(4.28, e.get(0).score());
        assertEquals("ns/op", e.get(0).unit());
        assertEquals(0.00001, e.get(0).bytesPerOp());
        assertEquals(16.0, e.get(1).bytesPerOp(), "the older metric name is read too");
        assertTrue(Double.isNaN(e.get(1).scoreError()));
        assertTrue(Double.isNaN(e.get(2).bytesPerOp()), "no -prof gc: not measured, not zero");
    }

    @Test
    void flagsOnlyWhatAllocatesAboveTheThreshold() throws Exception {
        List<JmhAllocations.Entry> e = JmhAllocations.parse(JSON);
        assertEquals(List.of("io.sluice.bench.jmh.Leaky.boxes"),
            JmhAllocations.allocating(e, JmhAllocations.DEFAULT_THRESHOLD).stream().map(JmhAllocations.Entry::name).toList());
        assertEquals(List.of(), JmhAllocations.allocating(e, 16.0));
        String report = JmhAllocations.report(e, JmhAllocations.DEFAULT_THRESHOLD);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("ALLOCATES io.sluice.bench.jmh.Leaky.boxes")), report);
        assertTrue(report.lines().noneMatch(l -> l.startsWith("ALLOCATES io.sluice.bench.jmh.RouteLookup")), report);
        assertTrue(report.contains("B/op not measured (run with -prof gc)"));
        assertTrue(report.strip().endsWith("3 benchmark(s), 1 allocate more than 0.1 B/op, 1 without an allocation figure"), report);
    }

    @Test
    void refusesWhatIsNotJmhOutput() {
        assertThrows(Exception.class, () -> JmhAllocations.parse("{\"benchmark\": \"x\"}"));
        assertThrows(Exception.class, () -> JmhAllocations.parse("[{\"mode\": \"avgt\"}]"));
        assertThrows(Exception.class, () -> JmhAllocations.parse("not json"));
    }
}
