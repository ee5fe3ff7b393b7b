package io.sluice.bench.harness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The NDR/PDR search against simulated devices whose capacity is known. */
class HarnessNdrSearchTest {
    private static final double MAX = 1_000_000;
    private static final double MIN = 10_000;

    /** A device that forwards up to {@code capacity} pps and drops the excess; a generator that reaches {@code generator} pps at most. */
    static Trial device(double capacity, double generator) {
        return rate -> {
            double offered = Math.min(rate, generator);
            long sent = Math.round(offered * 2);
            long received = Math.min(sent, Math.round(capacity * 2));
            return new TrialResult(rate, offered, received / 2.0, sent, received, 2, Double.NaN, null);
        };
    }

    @Test
    void findsTheCapacityOfACleanDeviceWithinThePrecision() throws Exception {
        NdrSearch s = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 30));
        NdrSearch.Result r = s.search(device(600_000, 2e6), null);
        assertEquals(NdrSearch.Status.PRECISE, r.ndr().status());
        assertTrue(r.ndr().lowerPps() <= 600_000, "the NDR never claims more than the device does: " + r.ndr());
        assertTrue(r.ndr().lowerPps() >= 600_000 * 0.99, "and is within the precision of it: " + r.ndr());
        assertTrue(r.ndr().upperPps() > 600_000);
        // PDR at 0.5 %: the device loses (rate - C) / rate, which is 0.5 % at C / 0.995.
        double pdr = 600_000 / 0.995;
        assertEquals(NdrSearch.Status.PRECISE, r.pdr().status());
        assertTrue(r.pdr().lowerPps() <= pdr && r.pdr().lowerPps() >= pdr * 0.99, r.pdr().toString());
        assertTrue(r.pdr().lowerPps() >= r.ndr().lowerPps());
        assertEquals(MAX, r.trials().getFirst().targetPps(), "the first trial is at the maximum");
        assertTrue(r.trials().size() <= 30);
        for (int i = 0; i < r.trials().size(); i++) {
            assertEquals(i + 1, r.trials().get(i).n());
        }
    }

    @Test
    void aDeviceFasterThanTheGeneratorIsReportedAtTheMaximumInOneTrial() throws Exception {
        NdrSearch.Result r = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 10)).search(device(5e6, 2e6), null);
        assertEquals(1, r.trials().size());
        assertEquals(NdrSearch.Status.AT_MAX, r.ndr().status());
        assertEquals(NdrSearch.Status.AT_MAX, r.pdr().status());
        assertEquals(MAX, r.ndr().lowerPps());
        assertEquals(MAX, r.ndr().lowerOfferedPps());
    }

    @Test
    void theFigureIsWhatTheGeneratorOfferedWhenItFallsShortOfTheTarget() throws Exception {
        NdrSearch.Result r = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 10)).search(device(5e6, 700_000), null);
        assertEquals(NdrSearch.Status.AT_MAX, r.ndr().status());
        assertEquals(700_000, r.ndr().lowerOfferedPps(), "the target was 1 M; the generator offered 700 k, and that is the figure");
    }

    @Test
    void aDeviceThatLosesEvenAtTheMinimumIsBelowIt() throws Exception {
        List<Double> targets = new ArrayList<>();
        NdrSearch.Result r = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 10))
            .search(device(1_000, 2e6), (step, result) -> targets.add(step.targetPps()));
        assertEquals(List.of(MAX, MIN), targets);
        assertEquals(NdrSearch.Status.BELOW_MIN, r.ndr().status());
        assertEquals(NdrSearch.Status.BELOW_MIN, r.pdr().status());
        assertEquals(0, r.ndr().lowerPps());
    }

    @Test
    void theTrialBoundIsKeptAndTheAnswerSaysSo() throws Exception {
        NdrSearch.Result r = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.0001, 5)).search(device(333_333, 2e6), null);
        assertEquals(5, r.trials().size());
        assertEquals(NdrSearch.Status.TRIALS_EXHAUSTED, r.ndr().status());
        assertTrue(r.ndr().lowerPps() <= 333_333 && r.ndr().lowerPps() > 0, r.ndr().toString());
        assertTrue(r.ndr().relativeWidth() > 0.0001);
    }

    @Test
    void aDeviceWithALossFloorHasItsNdrBelowItsPdr() throws Exception {
        // Loses 0.1 % of everything above 400 k pps, and everything above 800 k pps.
        Trial t = rate -> {
            long sent = Math.round(rate * 2);
            double lossRatio = rate <= 400_000 ? 0 : rate <= 800_000 ? 0.001 : 1 - 800_000 / rate;
            long received = Math.round(sent * (1 - lossRatio));
            return new TrialResult(rate, rate, received / 2.0, sent, received, 2, Double.NaN, null);
        };
        NdrSearch.Result r = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 40)).search(t, null);
        assertTrue(r.ndr().lowerPps() <= 400_000 && r.ndr().lowerPps() >= 396_000, r.ndr().toString());
        double pdr = 800_000 / 0.995;
        assertTrue(r.pdr().lowerPps() <= pdr && r.pdr().lowerPps() >= pdr * 0.99, r.pdr().toString());
    }

    @Test
    void aNoisyDeviceGivesAConservativeAnswerNearItsCapacity() throws Exception {
        // Capacity 500 k pps, varying by ±3 % from trial to trial (seeded): every answer stays under the highest
        // capacity seen and the NDR interval's lower bound is a rate that passed.
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<Double> capacities = new ArrayList<>();
            Trial t = rate -> {
                double capacity = 500_000 * (0.97 + 0.06 * random.nextDouble());
                capacities.add(capacity);
                long sent = Math.round(rate * 2);
                long received = Math.min(sent, Math.round(capacity * 2));
                return new TrialResult(rate, rate, received / 2.0, sent, received, 2, Double.NaN, null);
            };
            NdrSearch.Result r = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 20)).search(t, null);
            assertTrue(r.trials().size() <= 20);
            assertTrue(r.ndr().lowerPps() <= 500_000 * 1.03, "seed " + seed + ": " + r.ndr());
            assertTrue(r.ndr().lowerPps() >= 500_000 * 0.97 * 0.99 * 0.97, "seed " + seed + ": " + r.ndr());
            NdrSearch.Step best = r.trials().stream().filter(s -> s.targetPps() == r.ndr().lowerPps()).findFirst().orElseThrow();
            assertEquals(0, best.lossRatio(), "the NDR is a trial without loss");
            assertTrue(Double.isNaN(r.ndr().upperPps()) || r.ndr().upperPps() > r.ndr().lowerPps());
        }
    }

    @Test
    void aPassAboveAFailureDoesNotCount() throws Exception {
        // 0.1 % loss in (400 k, 600 k], none in (600 k, 800 k] (noise), all the excess above 800 k. The PDR's search
        // passes through 752.5 k without loss, above the NDR's failure at 505 k: the NDR must still come from below.
        List<Double> targets = new ArrayList<>();
        Trial t = rate -> {
            long sent = Math.round(rate * 2);
            double lossRatio = rate <= 400_000 ? 0 : rate <= 600_000 ? 0.001 : rate <= 800_000 ? 0 : 1 - 800_000 / rate;
            long received = Math.round(sent * (1 - lossRatio));
            return new TrialResult(rate, rate, received / 2.0, sent, received, 2, Double.NaN, null);
        };
        NdrSearch.Result r = new NdrSearch(new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 40))
            .search(t, (step, result) -> targets.add(step.targetPps()));
        assertTrue(targets.stream().anyMatch(x -> x > 600_000 && x <= 800_000), "a trial fell in the pocket: " + targets);
        assertTrue(r.ndr().lowerPps() <= 400_000 && r.ndr().lowerPps() >= 396_000, r.ndr().toString());
    }

    @Test
    void badConfigurationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new NdrSearch.Config(0, MAX, 0.005, 0.01, 10));
        assertThrows(IllegalArgumentException.class, () -> new NdrSearch.Config(MAX, MIN, 0.005, 0.01, 10));
        assertThrows(IllegalArgumentException.class, () -> new NdrSearch.Config(MIN, MAX, 0, 0.01, 10));
        assertThrows(IllegalArgumentException.class, () -> new NdrSearch.Config(MIN, MAX, 0.005, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new NdrSearch.Config(MIN, MAX, 0.005, 0.01, 1));
    }
}
