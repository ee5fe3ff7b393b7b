package io.sluice.bench.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.engine.ring.SpscRing;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link SpscRing#offerBurst} then {@link SpscRing#pollBurst} across the ring's wrap point: the producer
 * copies three handles (two at the end of the array, one at its start) and publishes them with one release
 * store of {@code tail}, so the consumer gets none or all three, each the value written. The ring
 * (capacity 4) is wound forward by 7 in the constructor so that the burst wraps and every slot it uses holds
 * an old handle (7).
 */
@JCStressTest
@Description("SpscRing burst offer/poll publishes a whole burst, across the wrap, with one tail store.")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The consumer polled before the burst was published.")
@Outcome(id = "3, 0", expect = ACCEPTABLE_INTERESTING, desc = "The consumer got all three handles, each right.")
@Outcome(id = {"1, .*", "2, .*"}, expect = FORBIDDEN,
    desc = "PARTIAL burst: one tail store covers all three handles, so seeing only part of it is impossible.")
@Outcome(id = {"3, 1", "3, 2", "3, 3"}, expect = FORBIDDEN,
    desc = "STALE: all three polled, but that many of them were an old handle (7) or not the one written.")
@Outcome(expect = FORBIDDEN, desc = "Any other count or mismatch: torn or invented values.")
@State
public class SpscRingBurstPublicationTest {
    final SpscRing ring = new SpscRing("jcstress", 4);
    final int[] src = {101, 102, 103};
    final int[] dst = new int[4];

    public SpscRingBurstPublicationTest() {
        int[] old = {7, 7, 7, 7};
        ring.offerBurst(old, 0, 4); // every slot holds 7
        ring.pollBurst(dst, 0, 4);
        ring.offerBurst(old, 0, 3); // head = tail = 7: the next burst uses slots 3, 0, 1
        ring.pollBurst(dst, 0, 3);
        java.util.Arrays.fill(dst, -1);
    }

    @Actor
    public void producer() {
        ring.offerBurst(src, 0, 3);
    }

    @Actor
    public void consumer(II_Result r) {
        int k = ring.pollBurst(dst, 0, 4);
        int wrong = 0;
        for (int i = 0; i < k; i++) {
            wrong += dst[i] == 101 + i ? 0 : 1;
        }
        r.r1 = k;
        r.r2 = wrong;
    }
}
