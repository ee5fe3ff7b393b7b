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
 * {@link SpscRing#offer} then {@link SpscRing#poll}: the handle is written into the slot before the release
 * store of {@code tail}, so a consumer that sees the new tail (acquire) sees the handle, and with it
 * everything the producer wrote before the offer (here a plain payload field).
 *
 * <p>The ring (capacity 2) is wound forward twice in the constructor, so the slot the producer writes still
 * holds an old handle (7): a consumer that read the slot before the producer's store would return 7, not 0.
 */
@JCStressTest
@Description("SpscRing offer/poll publishes the handle and the producer's earlier writes.")
@Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "The consumer polled before the offer: ring empty.")
@Outcome(id = "42, 48879", expect = ACCEPTABLE_INTERESTING,
    desc = "The consumer got the handle and sees the payload written before the offer.")
@Outcome(id = "42, 0", expect = FORBIDDEN,
    desc = "Got the handle but not the payload written before the offer: the tail was published too early.")
@Outcome(id = "7, .*", expect = FORBIDDEN,
    desc = "STALE slot: the consumer saw the new tail but read the slot's old handle (7).")
@Outcome(expect = FORBIDDEN, desc = "Any other handle or payload: torn or invented values.")
@State
public class SpscRingPublicationTest {
    static final int PAYLOAD = 0xBEEF;

    final SpscRing ring = new SpscRing("jcstress", 2);
    int payload;

    public SpscRingPublicationTest() {
        for (int k = 0; k < 2; k++) {
            ring.offer(7);
            ring.poll(-1);
        }
    }

    @Actor
    public void producer() {
        payload = PAYLOAD;
        ring.offer(42);
    }

    @Actor
    public void consumer(II_Result r) {
        int h = ring.poll(-1);
        r.r1 = h;
        r.r2 = h == -1 ? -1 : payload;
    }
}
