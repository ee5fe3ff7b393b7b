package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.ring.SpscRing;

/**
 * The outlet of the last processing stage of a pipeline with several output ports: each packet goes to the
 * ring of the transmit stage its {@code txif} names ({@link Pbufs#txif}), in order. The first packet whose
 * ring is full stops the burst, so what is left is a suffix, as every outlet's contract wants; under HOLD a full
 * port therefore holds up the others until it drains (head-of-line blocking, the price of keeping order and
 * never losing a packet), under DROP its packets are dropped and counted.
 */
final class DemuxOutlet extends Outlet {
    private final SpscRing[] rings;
    private final StageCounters counters;

    DemuxOutlet(SpscRing[] rings, BackPressure policy, StageCounters counters, int capacity) {
        super(policy, counters, StageDrop.RING_FULL, capacity);
        this.rings = rings.clone();
        this.counters = counters;
    }

    @Override
    int offer(Pbufs p, int[] h, int off, int n) {
        for (int k = 0; k < n; k++) {
            int packet = h[off + k];
            int port = p.txif(packet);
            if (port >= rings.length) {
                // A routing step's bug, not the packet's fault; it is freed so that it cannot jam the outlet.
                p.freem(packet);
                counters.drop(StageDrop.NO_OUTPUT, 1);
            } else if (!rings[port].offer(packet)) {
                return k;
            }
        }
        return n;
    }
}
