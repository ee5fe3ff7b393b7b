package io.sluice.engine.inet;

/**
 * A token bucket for ICMP errors (RFC 1812 4.3.2.8: a router must be able to limit the rate at which it
 * originates them). {@code ratePerSecond} tokens a second, a burst of at most that many; 0 turns errors off.
 * Time comes from the caller so that tests control it and the data path reads no clock per packet.
 */
public final class IcmpRateLimiter {
    private final long nanosPerToken;
    private final long burstNanos;
    /** The time at which the bucket would be empty; tokens are the distance from now to it. */
    private long emptyAt;
    /** Whether {@link #emptyAt} is set: the first call does, since the caller's clock may have any origin. */
    private boolean started;

    public IcmpRateLimiter(int ratePerSecond) {
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("ICMP rate limit " + ratePerSecond + " must be >= 0");
        }
        this.nanosPerToken = ratePerSecond == 0 ? Long.MAX_VALUE : 1_000_000_000L / ratePerSecond;
        this.burstNanos = ratePerSecond == 0 ? 0 : nanosPerToken * ratePerSecond;
    }

    /** Takes a token if there is one at {@code now}. */
    public boolean tryAcquire(long now) {
        if (burstNanos == 0) {
            return false;
        }
        if (!started) { // a full bucket: a fixed "long ago" is in the future of a clock near its wrap
            started = true;
            emptyAt = now - burstNanos;
        }
        long floor = now - burstNanos;
        long start = emptyAt - floor < 0 ? floor : emptyAt; // a full bucket holds no more than the burst
        long next = start + nanosPerToken;
        if (next - now > 0) {
            return false;
        }
        emptyAt = next;
        return true;
    }
}
