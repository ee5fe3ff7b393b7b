package io.sluice.engine.transport.tcp;

/**
 * CUBIC (RFC 9438): after a loss the window follows W(t) = C (t - K)^3 + W_max, concave up to the previous
 * maximum and convex beyond it, so that it grows independently of the round trip; never slower than Reno
 * would (the Reno-friendly region, 4.3). Windows in segments inside, bytes outside.
 */
public final class Cubic extends CongestionControl {
    /** RFC 9438 4.6: beta_cubic. */
    private static final double BETA = 0.7;
    /** RFC 9438 5: C. */
    private static final double C = 0.4;
    /** RFC 9438 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta). */
    private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    /** W_max: the window before the last reduction, in segments. */
    private double wMax;
    /** The window the Reno-friendly estimate has reached, in segments. */
    private double wEst;
    private double k;
    private long epochStart;
    private boolean inEpoch;

    @Override
    protected void reset() {
        wMax = 0;
        wEst = 0;
        k = 0;
        inEpoch = false;
    }

    @Override
    protected void congestionAvoidance(int acked, long now, long srtt) {
        double w = (double) cwnd / mss;
        if (!inEpoch) {
            // RFC 9438 4.2: a congestion avoidance epoch starts; K from the window at its start.
            inEpoch = true;
            epochStart = now;
            wEst = w;
            if (w < wMax) {
                k = Math.cbrt((wMax - w) / C);
            } else {
                k = 0;
                wMax = w;
            }
        }
        double t = (now - epochStart + srtt) / 1e9;
        double target = C * Math.pow(t - k, 3) + wMax;
        // RFC 9438 4.2: the target is clamped to [cwnd, 1.5 cwnd].
        target = Math.max(w, Math.min(target, 1.5 * w));
        double segmentsAcked = (double) acked / mss;
        // RFC 9438 4.3: the Reno-friendly estimate grows by alpha per window (1 once past W_max).
        wEst += (wEst >= wMax ? 1.0 : ALPHA) * segmentsAcked / w;
        double next;
        if (wEst > target) {
            next = wEst;
        } else {
            next = w + (target - w) / w * segmentsAcked; // 4.4 and 4.5: (target - cwnd) / cwnd per segment
        }
        cwnd = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(cwnd, next * mss));
    }

    @Override
    public void onCongestion(int flight, long now) {
        double w = (double) cwnd / mss;
        // RFC 9438 4.7 fast convergence: release bandwidth to newer flows when the maximum keeps falling.
        wMax = w < wMax ? w * (1 + BETA) / 2 : w;
        ssthresh = Math.max((int) (Math.max(flight, mss) * BETA), 2 * mss); // 4.6
        inEpoch = false;
    }

    @Override
    public void onTimeout(int flight, long now) {
        super.onTimeout(flight, now);
        inEpoch = false;
    }
}
