package io.sluice.bench.harness;

/** The forwarding lab as the harness drives it: one trial at a time (the real lab is {@link LabSession}). */
public interface Lab {
    /**
     * Runs one trial: {@code router} ("kernel" or "sluice") forwarding {@code frameSize}-byte frames with its
     * receive work placed on the "generator" or "engine" core, offered at {@code ratePps} (0: as fast as the
     * generator goes, measured over a window of {@code seconds} after a warm-up; otherwise a counted run of
     * {@code ratePps * seconds} frames).
     */
    TrialResult trial(String router, String placement, int frameSize, long ratePps, int seconds, TickListener ticks) throws Exception;

    /**
     * A soak of Sluice alone: a fresh forwarder with a GC log, a counted run at {@code ratePps} for {@code seconds},
     * its resident memory sampled each second, its pool checked at the end.
     */
    SoakResult soak(String placement, int frameSize, long ratePps, int seconds, double warmupSeconds, TickListener ticks) throws Exception;

    /** A second of a running trial (live progress). */
    @FunctionalInterface
    interface TickListener {
        void tick(double offeredPps, double deliveredPps);
    }
}
