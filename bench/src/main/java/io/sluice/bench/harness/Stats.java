package io.sluice.bench.harness;

import java.util.Arrays;
import java.util.Collection;

/**
 * The statistics the harness reports: medians and percentiles over a handful of runs, and ratios that say
 * "no figure" (NaN) instead of dividing by zero. NaN values (a run that measured nothing) are left out.
 */
public final class Stats {
    private Stats() {
    }

    /** The median of the finite values (the mean of the two middle ones for an even count), or NaN if none. */
    public static double median(Collection<Double> values) {
        return percentile(values, 50);
    }

    /**
     * The {@code p}-th percentile (0..100) of the finite values, interpolated linearly between the closest ranks
     * (the definition of NumPy's default and Excel's PERCENTILE.INC), or NaN if there is none.
     */
    public static double percentile(Collection<Double> values, double p) {
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile p=" + p + " must be in 0..100");
        }
        double[] v = values.stream().filter(x -> x != null && Double.isFinite(x)).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        double rank = p / 100 * (v.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return v[lo] + (v[hi] - v[lo]) * (rank - lo);
    }

    public static double min(Collection<Double> values) {
        return values.stream().filter(x -> x != null && Double.isFinite(x)).mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    public static double max(Collection<Double> values) {
        return values.stream().filter(x -> x != null && Double.isFinite(x)).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** {@code a / b}, or NaN when either is not a finite number or {@code b} is 0. */
    public static double ratio(double a, double b) {
        return Double.isFinite(a) && Double.isFinite(b) && b != 0 ? a / b : Double.NaN;
    }

    /** The fraction of {@code offered} that did not arrive: 0 when all did (or more, by counting noise), NaN if nothing was offered. */
    public static double loss(double offered, double delivered) {
        return offered > 0 && Double.isFinite(delivered) ? Math.max(0, 1 - delivered / offered) : Double.NaN;
    }
}
