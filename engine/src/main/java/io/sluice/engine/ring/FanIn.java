package io.sluice.engine.ring;

/**
 * Many producers into one consumer: one {@link SpscRing} per producer (a receive queue each), polled in turn
 * by the consumer. The starting ring rotates on every poll so that no producer starves the others; there is
 * no shared write index and so no contended atomic.
 */
public final class FanIn {
    private final SpscRing[] rings;
    private int next;

    public FanIn(SpscRing... rings) {
        if (rings.length == 0) {
            throw new IllegalArgumentException("a fan-in needs at least one ring");
        }
        this.rings = rings.clone();
    }

    /** Consumer: takes up to {@code n} handles, visiting each ring at most once. @return how many */
    public int pollBurst(int[] dst, int off, int n) {
        int got = 0;
        int count = rings.length;
        int start = next;
        next = start + 1 == count ? 0 : start + 1;
        for (int k = 0; k < count && got < n; k++) {
            int r = start + k;
            got += rings[r < count ? r : r - count].pollBurst(dst, off + got, n - got);
        }
        return got;
    }

    /** Handles waiting in all rings. */
    public int size() {
        int s = 0;
        for (SpscRing r : rings) {
            s += r.size();
        }
        return s;
    }

    public SpscRing ring(int i) {
        return rings[i];
    }

    public int rings() {
        return rings.length;
    }
}
