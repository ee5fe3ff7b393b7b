package io.sluice.bench.harness;

/** One trial of a device under test at a target rate: what the NDR search drives (the lab, or a simulation in tests). */
@FunctionalInterface
public interface Trial {
    /** Offers traffic at {@code ratePps} and returns what was offered and delivered. */
    TrialResult run(double ratePps) throws Exception;
}
