package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.ring.SpscRing;

/** An outlet into the next stage's ring. */
final class RingOutlet extends Outlet {
    private final SpscRing ring;

    RingOutlet(SpscRing ring, BackPressure policy, StageCounters counters, int batch) {
        super(policy, counters, StageDrop.RING_FULL, batch);
        this.ring = ring;
    }

    @Override
    int offer(Pbufs p, int[] h, int off, int n) {
        return ring.offerBurst(h, off, n);
    }
}
