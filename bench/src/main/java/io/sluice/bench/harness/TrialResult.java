package io.sluice.bench.harness;

/**
 * What one trial at a target rate measured: the rate the generator reached (offered) and the rate that came out
 * of the forwarder (delivered), the frame counts behind them, the router's CPU time per delivered packet, and the
 * latency when the sink measured it.
 *
 * @param targetPps      the rate asked for; 0 = as fast as the generator goes
 * @param sent           frames the generator put on the wire in the measured window (NaN-free: 0 if unknown)
 * @param received       frames the sink's side counted in the same window
 * @param cpuNsPerPacket the router's CPU time per delivered packet, NaN when not measured
 * @param latency        null when the generator carries no timestamps (trafgen)
 */
public record TrialResult(double targetPps, double offeredPps, double deliveredPps, long sent, long received,
                          double seconds, double cpuNsPerPacket, LatencySummary latency) {

    /**
     * The fraction lost: from the counts when the trial counted whole runs (every frame sent was waited for), from
     * the rates otherwise.
     */
    public double lossRatio() {
        if (sent > 0) {
            return Math.max(0, (double) (sent - received) / sent);
        }
        return Stats.loss(offeredPps, deliveredPps);
    }

    /** A trial from the lab's machine-readable line ({@code @trial key=value ...}). */
    public static TrialResult of(LabLine line) {
        return new TrialResult(line.num("target_pps"), line.num("offered_pps"), line.num("delivered_pps"),
            line.count("sent"), line.count("received"), line.num("seconds"), line.num("cpu_ns_per_packet"), null);
    }

    public TrialResult withLatency(LatencySummary l) {
        return new TrialResult(targetPps, offeredPps, deliveredPps, sent, received, seconds, cpuNsPerPacket, l);
    }
}
