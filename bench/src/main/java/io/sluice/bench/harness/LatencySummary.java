package io.sluice.bench.harness;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Latency of one run, in nanoseconds: the percentiles the tables show, and the percentile curve the plots draw
 * (a point per percentile of {@link #CURVE}, as HdrHistogram's percentile distribution gives them).
 *
 * @param count frames measured
 * @param curve (percentile, nanoseconds) points, percentiles ascending
 */
public record LatencySummary(long count, double p50, double p90, double p99, double p999, double max, List<Point> curve) {
    /** The percentiles of the curve: dense towards the tail, where latency distributions differ. */
    static final double[] CURVE = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 97.5, 98, 98.5, 99,
        99.25, 99.5, 99.75, 99.9, 99.95, 99.99, 99.999, 100};

    public record Point(double percentile, double nanos) {
    }

    public LatencySummary {
        curve = curve == null ? List.of() : List.copyOf(curve);
    }

    public static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return null;
        }
        List<Point> curve = new ArrayList<>();
        for (double p : CURVE) {
            curve.add(new Point(p, p == 100 ? h.getMaxValue() : h.getValueAtPercentile(p)));
        }
        return new LatencySummary(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
            h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), curve);
    }

    /** The median, point by point, of several runs' latencies (null ones left out); null if none. */
    public static LatencySummary median(List<LatencySummary> runs) {
        List<LatencySummary> l = runs.stream().filter(r -> r != null && r.count > 0).toList();
        if (l.isEmpty()) {
            return null;
        }
        List<Point> curve = new ArrayList<>();
        int points = l.stream().mapToInt(r -> r.curve.size()).min().orElse(0);
        for (int i = 0; i < points; i++) {
            int k = i;
            curve.add(new Point(l.getFirst().curve.get(k).percentile(), Stats.median(l.stream().map(r -> r.curve.get(k).nanos()).toList())));
        }
        return new LatencySummary(l.stream().mapToLong(LatencySummary::count).sum(),
            Stats.median(l.stream().map(LatencySummary::p50).toList()), Stats.median(l.stream().map(LatencySummary::p90).toList()),
            Stats.median(l.stream().map(LatencySummary::p99).toList()), Stats.median(l.stream().map(LatencySummary::p999).toList()),
            Stats.median(l.stream().map(LatencySummary::max).toList()), curve);
    }
}
