package io.sluice.bench.pktgen;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class BurstPacerTest {
    @Test
    void wholeBurstsGoAtTheRate() {
        BurstPacer pacer = new BurstPacer(1_000_000, 32, 0); // a frame a microsecond
        assertEquals(0, pacer.delayFor(32, 0), "the bucket starts full: the first burst goes at once");
        assertEquals(32_000, pacer.delayFor(32, 0), "the next waits for all 32 tokens, not for the first of them");
        assertEquals(22_000, pacer.delayFor(32, 10_000), "10 µs later: 10 tokens in, 22 µs to go");
        assertEquals(0, pacer.delayFor(32, 32_000));

        BurstPacer fresh = new BurstPacer(1_000_000, 32, 0);
        long sent = 0;
        for (long now = 0; now <= 1_000_000; now += 1_000) { // a sender that looks every microsecond for 1 ms
            if (fresh.delayFor(32, now) == 0) {
                sent += 32;
            }
        }
        assertEquals(1_024, sent, "the 32 of the full bucket and the 1,000 earned in a millisecond, in whole bursts");
    }

    @Test
    void anIdleSpellEarnsOneBurstAtMost() {
        BurstPacer pacer = new BurstPacer(1_000_000, 32, 0);
        assertEquals(0, pacer.delayFor(32, 0));
        assertEquals(0, pacer.delayFor(32, 1_000_000_000L), "a second later the bucket is full again...");
        assertEquals(32_000, pacer.delayFor(32, 1_000_000_000L), "...but only one burst deep: no catch-up train");
    }

    @Test
    void aShortLastBurstWaitsOnlyForItsOwnTokens() {
        BurstPacer pacer = new BurstPacer(1_000_000, 32, 0);
        assertEquals(0, pacer.delayFor(32, 0));
        assertEquals(5_000, pacer.delayFor(5, 0));
        assertEquals(0, pacer.delayFor(5, 5_000));
    }

    @Test
    void aLowRateSendsSmallBurstsOftenRatherThanABurstEverySoOften() {
        assertEquals(32, BurstPacer.pacedBurst(300_000, 32));
        assertEquals(10, BurstPacer.pacedBurst(10_000, 32), "a millisecond of frames");
        assertEquals(1, BurstPacer.pacedBurst(50, 32), "at least one frame");
        BurstPacer slow = new BurstPacer(100, 1, 0);
        assertEquals(0, slow.delayFor(1, 0));
        assertEquals(10_000_000, slow.delayFor(1, 0), "100 pps: a frame every 10 ms");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BurstPacer(0, 32, 0));
        assertThrows(IllegalArgumentException.class, () -> new BurstPacer(1000, 0, 0));
        BurstPacer pacer = new BurstPacer(1000, 4, 0);
        assertThrows(IllegalArgumentException.class, () -> pacer.delayFor(5, 0), "more than the bucket holds never goes");
        assertThrows(IllegalArgumentException.class, () -> pacer.delayFor(0, 0));
    }
}
