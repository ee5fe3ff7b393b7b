package io.sluice.bench.pktgen;

/**
 * When the next burst of a paced pktgen may go: a token bucket one burst deep, filling at the rate, that lets a
 * burst go only whole. Sending whatever tokens had come in (one or two frames after each wake-up) made each frame
 * its own transmit call, and the sender fell to about 60 % of the rate asked for; whole bursts keep the call count
 * at rate / burst. Pure arithmetic on the caller's clock, so tests drive it without waiting.
 */
final class BurstPacer {
    private final double perNano;
    private final int depth;
    private double tokens;
    private long last;

    /**
     * The burst a paced sender uses: its configured burst, but at most a millisecond of the rate (at least one
     * frame), so that a low rate still sends steadily rather than a burst every few seconds.
     */
    static int pacedBurst(long ratePps, int burst) {
        return (int) Math.max(1, Math.min(burst, ratePps / 1000));
    }

    /** A bucket {@code burst} frames deep that starts full at {@code now}: the first burst goes at once. */
    BurstPacer(long ratePps, int burst, long now) {
        if (ratePps <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate=" + ratePps + " burst=" + burst + ": both must be positive");
        }
        this.perNano = ratePps / 1e9;
        this.depth = burst;
        this.tokens = burst;
        this.last = now;
    }

    /**
     * Takes the tokens of {@code frames} frames (at most a burst) when they are all there.
     *
     * @return 0 when the frames may go now (their tokens taken); otherwise the nanoseconds until they may
     */
    long delayFor(int frames, long now) {
        if (frames < 1 || frames > depth) {
            throw new IllegalArgumentException("frames=" + frames + " must be in 1.." + depth);
        }
        tokens = Math.min(depth, tokens + (now - last) * perNano);
        last = now;
        if (tokens + 1e-9 >= frames) {
            tokens = Math.max(0, tokens - frames);
            return 0;
        }
        return Math.max(1, (long) Math.ceil((frames - tokens) / perNano));
    }
}
