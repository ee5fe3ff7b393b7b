package io.sluice.engine.transport.tcp;

/** RFC 5681 congestion avoidance: one MSS more per window of data acknowledged, half the flight on loss. */
public final class Reno extends CongestionControl {
    /** Bytes acknowledged since the window last grew (appropriate byte counting, RFC 3465 2.1). */
    private int bytesAcked;

    @Override
    protected void reset() {
        bytesAcked = 0;
    }

    @Override
    protected void congestionAvoidance(int acked, long now, long srtt) {
        bytesAcked += acked;
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            cwnd += mss;
        }
    }

    @Override
    public void onCongestion(int flight, long now) {
        ssthresh = Math.max(flight / 2, 2 * mss); // RFC 5681 (4)
        bytesAcked = 0;
    }
}
