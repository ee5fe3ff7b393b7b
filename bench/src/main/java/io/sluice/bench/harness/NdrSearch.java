package io.sluice.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * The no-drop rate (NDR) and partial-drop rate (PDR) search of FD.io CSIT, in its binary form: trials at target
 * rates between a minimum and a maximum, each returning what was offered and delivered, narrow an interval per
 * loss ratio (0 for the NDR; {@link Config#pdrLossRatio()}, CSIT's 0.5 %, for the PDR) until its relative width
 * {@code (upper - lower) / upper} is at most {@link Config#precision()}, or the trials run out.
 *
 * <p>Both rates are searched in one pass, as CSIT's MLRsearch does: every trial narrows every interval it falls
 * in. The bounds are recomputed from all trials after each one: the upper bound of a ratio is the lowest target
 * whose loss exceeded it, the lower bound the highest target below that one whose loss did not. So a noisy device
 * that passes at a rate and then fails below it gets the conservative answer (the pass above the failure no longer
 * counts), and the search goes on below.
 *
 * <p>The first trial is at the maximum; if a ratio fails there, the next is at the minimum; then the midpoint of
 * the first unfinished interval (the NDR's first). A ratio that fails even at the minimum is reported
 * {@link Status#BELOW_MIN}; one that passes at the maximum {@link Status#AT_MAX} (the rate is at least the maximum:
 * the generator, not the device, was the limit).
 */
public final class NdrSearch {

    /**
     * @param minPps       the lowest target tried
     * @param maxPps       the highest (typically what the generator reaches unthrottled)
     * @param pdrLossRatio the PDR's loss tolerance, e.g. 0.005
     * @param precision    the relative width at which an interval is narrow enough, e.g. 0.02
     * @param maxTrials    a bound on the trials of one search
     */
    public record Config(double minPps, double maxPps, double pdrLossRatio, double precision, int maxTrials) {
        public Config {
            if (!(minPps > 0) || !(maxPps > minPps)) {
                throw new IllegalArgumentException("minPps=" + minPps + " maxPps=" + maxPps + ": need 0 < min < max");
            }
            if (!(pdrLossRatio > 0 && pdrLossRatio < 1)) {
                throw new IllegalArgumentException("pdrLossRatio=" + pdrLossRatio + " must be in (0, 1)");
            }
            if (!(precision > 0 && precision < 1)) {
                throw new IllegalArgumentException("precision=" + precision + " must be in (0, 1)");
            }
            if (maxTrials < 2) {
                throw new IllegalArgumentException("maxTrials=" + maxTrials + " must be >= 2 (the maximum and the minimum)");
            }
        }
    }

    public enum Status {
        /** The interval is within the precision goal. */
        PRECISE,
        /** No loss beyond the ratio at the maximum rate: the rate is at least the maximum. */
        AT_MAX,
        /** Loss beyond the ratio even at the minimum rate. */
        BELOW_MIN,
        /** The trials ran out before the interval was narrow enough: the lower bound holds, with a wider interval. */
        TRIALS_EXHAUSTED
    }

    /**
     * One loss ratio's answer.
     *
     * @param lowerPps       the highest target that passed below the upper bound (0 if none)
     * @param lowerOfferedPps what the generator offered in that trial (the figure to report: a generator may fall short of its target)
     * @param lowerDeliveredPps what came out in that trial
     * @param upperPps       the lowest target that failed (NaN if none did)
     */
    public record Bound(double lossRatio, double lowerPps, double lowerOfferedPps, double lowerDeliveredPps,
                        double upperPps, Status status) {
        public double relativeWidth() {
            return Double.isNaN(upperPps) ? 0 : (upperPps - lowerPps) / upperPps;
        }
    }

    /** A trial of the search, in order. */
    public record Step(int n, double targetPps, double offeredPps, double deliveredPps, double lossRatio) {
    }

    public record Result(Bound ndr, Bound pdr, List<Step> trials) {
        public Result {
            trials = List.copyOf(trials);
        }
    }

    /** Told of each trial as it ends (live progress). */
    @FunctionalInterface
    public interface Listener {
        void trial(Step step, TrialResult result);
    }

    private final Config config;

    public NdrSearch(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    public Result search(Trial trial, Listener listener) throws Exception {
        List<Step> steps = new ArrayList<>();
        List<TrialResult> results = new ArrayList<>();
        double[] ratios = {0, config.pdrLossRatio()};
        while (steps.size() < config.maxTrials()) {
            double next = Double.NaN;
            for (double ratio : ratios) {
                next = nextTarget(steps, ratio);
                if (!Double.isNaN(next)) {
                    break;
                }
            }
            if (Double.isNaN(next)) {
                break;
            }
            TrialResult r = trial.run(next);
            Step s = new Step(steps.size() + 1, next, r.offeredPps(), r.deliveredPps(), r.lossRatio());
            steps.add(s);
            results.add(r);
            if (listener != null) {
                listener.trial(s, r);
            }
        }
        return new Result(bound(steps, 0), bound(steps, config.pdrLossRatio()), steps);
    }

    /** The target of the next trial for this ratio, or NaN when its answer is settled. */
    private double nextTarget(List<Step> steps, double ratio) {
        if (steps.isEmpty()) {
            return config.maxPps();
        }
        Bound b = bound(steps, ratio);
        return switch (b.status()) {
            case AT_MAX, BELOW_MIN, PRECISE -> Double.NaN;
            case TRIALS_EXHAUSTED -> b.lowerPps() == 0 ? config.minPps() : (b.lowerPps() + b.upperPps()) / 2;
        };
    }

    /** The bound of a ratio from all the trials so far ({@code TRIALS_EXHAUSTED} while it is still open). */
    private Bound bound(List<Step> steps, double ratio) {
        double upper = Double.NaN;
        for (Step s : steps) {
            if (fails(s, ratio) && !(s.targetPps() >= upper)) {
                upper = s.targetPps();
            }
        }
        Step lower = null;
        for (Step s : steps) {
            if (!fails(s, ratio) && (Double.isNaN(upper) || s.targetPps() < upper)
                && (lower == null || s.targetPps() > lower.targetPps())) {
                lower = s;
            }
        }
        double lo = lower == null ? 0 : lower.targetPps();
        Status status;
        if (Double.isNaN(upper)) {
            status = Status.AT_MAX; // no trial failed: the first one, at the maximum, passed
        } else if (lower == null && upper <= config.minPps()) {
            status = Status.BELOW_MIN;
        } else if (lower != null && (upper - lo) / upper <= config.precision()) {
            status = Status.PRECISE;
        } else {
            status = Status.TRIALS_EXHAUSTED;
        }
        return new Bound(ratio, lo, lower == null ? 0 : lower.offeredPps(), lower == null ? 0 : lower.deliveredPps(),
            upper, status);
    }

    private static boolean fails(Step s, double ratio) {
        return !(s.lossRatio() <= ratio); // NaN (nothing offered) fails
    }
}
