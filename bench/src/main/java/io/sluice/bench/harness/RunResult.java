package io.sluice.bench.harness;

/**
 * One measured run: a frame size, a forwarder (router), the placement of its receive work, the run's number, and
 * what the trial measured.
 *
 * @param frameSize bytes on the wire with the FCS (RFC 2544's frame sizes: 64 .. 1518)
 * @param router    "kernel" or "sluice"
 * @param placement "generator" (the router's receive work on the generator's core) or "engine" (on the router's)
 */
public record RunResult(int frameSize, String router, String placement, int run, TrialResult trial) {
    public double lossRatio() {
        return trial.lossRatio();
    }
}
