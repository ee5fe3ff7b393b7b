package io.sluice.engine.transport.tcp;

/**
 * A connection's congestion window (RFC 5681): slow start, congestion avoidance and the reaction to loss, with the
 * algorithm-specific parts pluggable ({@link Reno}, {@link Cubic}). The connection runs fast recovery itself
 * (NewReno, RFC 6582) and sets the window through {@link #setCwnd} while it lasts. Windows are in bytes.
 * One instance per connection, reused when the connection object is.
 */
public abstract class CongestionControl {
    protected int mss;
    protected int cwnd;
    protected int ssthresh;

    /** A new connection: RFC 6928's initial window, min(IW * MSS, max(2 * MSS, 14600)), and no ssthresh yet. */
    public void init(int mss, int initialWindowSegments) {
        this.mss = mss;
        this.cwnd = Math.min(initialWindowSegments * mss, Math.max(2 * mss, 14_600));
        this.ssthresh = Integer.MAX_VALUE; // "arbitrarily high" (RFC 5681 3.1)
        reset();
    }

    /** Clears algorithm state on {@link #init}. */
    protected void reset() {
    }

    public int cwnd() {
        return cwnd;
    }

    public int ssthresh() {
        return ssthresh;
    }

    /** Set by fast recovery (RFC 6582 3.2). */
    public void setCwnd(int cwnd) {
        this.cwnd = Math.max(cwnd, mss);
    }

    /**
     * New data was acknowledged outside fast recovery.
     *
     * @param acked bytes newly acknowledged
     * @param now   the clock, in nanoseconds
     * @param srtt  the smoothed round trip, in nanoseconds (0 before the first sample)
     */
    public final void onAck(int acked, long now, long srtt) {
        if (cwnd < ssthresh) {
            // RFC 5681 3.1 slow start, counting bytes (RFC 3465) with L = 1 MSS per ACK.
            cwnd = (int) Math.min(Integer.MAX_VALUE / 2, (long) cwnd + Math.min(acked, mss));
        } else {
            congestionAvoidance(acked, now, srtt);
        }
    }

    /** Congestion avoidance: grow {@link #cwnd} for {@code acked} bytes. */
    protected abstract void congestionAvoidance(int acked, long now, long srtt);

    /**
     * Loss detected by duplicate ACKs: set {@link #ssthresh} (RFC 5681 3.2 step 2 for Reno; RFC 9438 4.6 for
     * CUBIC). The connection then inflates the window for fast recovery.
     */
    public abstract void onCongestion(int flight, long now);

    /** A retransmission timeout: the loss window of one segment after {@link #onCongestion} (RFC 5681 3.1). */
    public void onTimeout(int flight, long now) {
        onCongestion(flight, now);
        cwnd = mss;
    }

    /** Fast recovery ended with a full acknowledgment (RFC 6582 3.2 step 3): deflate to ssthresh. */
    public void onRecoveryEnd(int flight) {
        cwnd = Math.max(Math.min(ssthresh, Math.max(flight, mss) + mss), mss);
    }

    /** A new instance by name ("reno", "cubic"). */
    public static CongestionControl create(String name) {
        return switch (name) {
            case "reno" -> new Reno();
            case "cubic" -> new Cubic();
            default -> throw new IllegalArgumentException("congestion=" + name + ": reno or cubic");
        };
    }
}
