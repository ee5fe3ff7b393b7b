package io.sluice.engine.transport.tcp;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from RTT samples (2.2, 2.3), RTO = SRTT + max(G,
 * 4 RTTVAR) bounded by the configured minimum and maximum (2.4, 2.5), doubled on each timeout (5.5). Karn's rule
 * (3) is the caller's: it never samples a retransmitted segment.
 */
final class RttEstimator {
    /** The clock granularity G: the stack's tick. */
    private static final long GRANULARITY = 1_000_000L;

    private final long minRto;
    private final long maxRto;
    private final long initialRto;
    private long srtt;
    private long rttvar;
    private boolean sampled;
    private int backoff;

    RttEstimator(long minRto, long maxRto, long initialRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.initialRto = initialRto;
    }

    void reset() {
        srtt = 0;
        rttvar = 0;
        sampled = false;
        backoff = 0;
    }

    /** A measured round trip (RFC 6298 2.2 and 2.3, alpha 1/8, beta 1/4). Clears the backoff (5.7's spirit). */
    void sample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (!sampled) {
            srtt = rtt;
            rttvar = rtt / 2;
            sampled = true;
        } else {
            long err = Math.abs(srtt - rtt);
            rttvar = rttvar - (rttvar >> 2) + (err >> 2);
            srtt = srtt - (srtt >> 3) + (rtt >> 3);
        }
        backoff = 0;
    }

    /** RFC 6298 5.5: back the timer off after a timeout. */
    void backOff() {
        if (backoff < 30) {
            backoff++;
        }
    }

    /** The current RTO, backed off. */
    long rto() {
        long base = sampled ? srtt + Math.max(GRANULARITY, 4 * rttvar) : initialRto;
        base = Math.max(base, minRto);
        long r = backoff >= 30 ? maxRto : base << backoff;
        return r < 0 || r > maxRto ? maxRto : r;
    }

    long srtt() {
        return sampled ? srtt : 0;
    }

    boolean sampled() {
        return sampled;
    }
}
