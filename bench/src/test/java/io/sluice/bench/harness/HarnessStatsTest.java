package io.sluice.bench.harness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class HarnessStatsTest {
    @Test
    void medianOfOddAndEvenCountsAndNaNLeftOut() {
        assertEquals(3, Stats.median(List.of(5.0, 1.0, 3.0)));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals(2, Stats.median(Arrays.asList(Double.NaN, 1.0, 3.0, null)));
        assertTrue(Double.isNaN(Stats.median(List.of())));
        assertTrue(Double.isNaN(Stats.median(List.of(Double.NaN))));
    }

    @Test
    void percentilesInterpolateBetweenRanks() {
        List<Double> v = List.of(10.0, 20.0, 30.0, 40.0, 50.0);
        assertEquals(10, Stats.percentile(v, 0));
        assertEquals(50, Stats.percentile(v, 100));
        assertEquals(30, Stats.percentile(v, 50));
        assertEquals(20, Stats.percentile(v, 25));
        assertEquals(46, Stats.percentile(v, 90), 1e-9);
        assertEquals(7, Stats.percentile(List.of(7.0), 99));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(v, 101));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(v, Double.NaN));
        assertEquals(10, Stats.min(v));
        assertEquals(50, Stats.max(v));
    }

    @Test
    void ratiosAndLossNeverDivideByZero() {
        assertEquals(0.5, Stats.ratio(1, 2));
        assertTrue(Double.isNaN(Stats.ratio(1, 0)));
        assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 2)));
        assertEquals(0.25, Stats.loss(100, 75));
        assertEquals(0, Stats.loss(100, 101), "more delivered than offered (counting windows) is no loss, not negative loss");
        assertTrue(Double.isNaN(Stats.loss(0, 0)));
    }

    @Test
    void lossFromCountsWhenTheTrialCountedWholeRuns() {
        TrialResult counted = new TrialResult(1000, 990, 985, 10_000, 9_950, 10, Double.NaN, null);
        assertEquals(0.005, counted.lossRatio(), 1e-12);
        TrialResult windowed = new TrialResult(0, 1000, 900, 0, 0, 5, Double.NaN, null);
        assertEquals(0.1, windowed.lossRatio(), 1e-12);
    }

    @Test
    void latencySummaryFromAHistogramAndTheMedianOfRuns() {
        Histogram h = new Histogram(10_000_000_000L, 3);
        for (int i = 1; i <= 10_000; i++) {
            h.recordValue(i * 1000L); // 1 µs .. 10 ms, uniform
        }
        LatencySummary l = LatencySummary.of(h);
        assertEquals(10_000, l.count());
        assertEquals(5_000_000, l.p50(), 5_000_000 * 0.002);
        assertEquals(9_900_000, l.p99(), 9_900_000 * 0.002);
        assertEquals(h.getMaxValue(), l.max());
        assertEquals(LatencySummary.CURVE.length, l.curve().size());
        for (int i = 1; i < l.curve().size(); i++) {
            assertTrue(l.curve().get(i).nanos() >= l.curve().get(i - 1).nanos(), "the curve never falls");
        }
        assertNull(LatencySummary.of(new Histogram(3)));

        LatencySummary a = new LatencySummary(10, 1, 2, 3, 4, 5, List.of(new LatencySummary.Point(50, 1)));
        LatencySummary b = new LatencySummary(10, 3, 4, 5, 6, 7, List.of(new LatencySummary.Point(50, 3)));
        LatencySummary c = new LatencySummary(10, 2, 3, 4, 5, 100, List.of(new LatencySummary.Point(50, 2)));
        LatencySummary m = LatencySummary.median(Arrays.asList(a, b, null, c));
        assertEquals(30, m.count());
        assertEquals(2, m.p50());
        assertEquals(7, m.max());
        assertEquals(2, m.curve().getFirst().nanos());
        assertNull(LatencySummary.median(Arrays.asList(null, null)));
    }

    @Test
    void soakVerdictFromGcLogAndResidentMemory() {
        String log = "[0.010s][info][gc] Using G1\n"
            + "[0.900s][info][gc] GC(0) Pause Young (Concurrent Start) (G1 Humongous Allocation) 10M->2M(64M) 1.000ms\n"
            + "[5.000s][info][gc] GC(1) Concurrent Mark Cycle 3.100ms\n"
            + "[12.5s][info][gc] GC(2) Pause Remark 4M->4M(64M) 0.700ms\n";
        assertEquals(2, SoakResult.gcPauses(log, 0));
        assertEquals(1, SoakResult.gcPauses(log, 1));
        assertEquals(0, SoakResult.gcPauses(log, 13));
        assertEquals(0, SoakResult.gcPauses("", 0));
        List<SoakResult.RssSample> rss = SoakResult.parseRss("1 1000\n2 2000\n\n3 2500\n");
        assertEquals(3, rss.size());
        assertThrows(IllegalArgumentException.class, () -> SoakResult.parseRss("1 lots\n"));
        TrialResult t = new TrialResult(1000, 1000, 1000, 10, 10, 1, Double.NaN, null);
        SoakResult ok = new SoakResult(64, "engine", t, 2, 0, 3, rss, true);
        assertEquals(2000, ok.rssAfterWarmupKb());
        assertEquals(500, ok.rssGrowthKb());
        assertTrue(ok.passed());
        assertFalse(new SoakResult(64, "engine", t, 2, 0, 3, rss, false).passed(), "pool not full");
        assertFalse(new SoakResult(64, "engine", t, 2, 0, 3, List.of(new SoakResult.RssSample(2, 1000),
            new SoakResult.RssSample(3, 1000 + SoakResult.RSS_SLACK_KB + 1)), true).passed(), "memory grew");
        assertFalse(new SoakResult(64, "engine", t, 2, 0, 3, List.of(), true).passed(), "nothing sampled");
    }
}
