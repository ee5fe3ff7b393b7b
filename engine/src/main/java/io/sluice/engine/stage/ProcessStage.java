package io.sluice.engine.stage;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.ring.FanIn;
import io.sluice.engine.ring.SpscRing;
import org.agrona.ErrorHandler;

/**
 * A processing stage (IP, transport, socket, or any application step): takes a batch from its input rings,
 * runs the {@link PacketHandler} on each packet and passes the survivors to the next stage's ring.
 */
public final class ProcessStage extends Stage {
    private final FanIn in;
    private final PacketHandler handler;
    private final ErrorHandler errors;

    ProcessStage(String name, FanIn in, PacketHandler handler, SpscRing out, BackPressure policy,
                 ErrorHandler errors, int batch) {
        super(name, batch);
        this.in = in;
        this.handler = handler;
        this.errors = errors;
        outlet(new RingOutlet(out, policy, counters, batch));
    }

    @Override
    int take(int[] into, int max) {
        return in.pollBurst(into, 0, max);
    }

    @Override
    int process(int[] packets, int n) {
        int kept = 0;
        for (int k = 0; k < n; k++) {
            int r;
            try {
                r = handler.handle(p, packets[k]);
            } catch (RuntimeException e) {
                // The handler broke its contract; it may have freed the packet already, so it is not
                // touched again: a leak the leak report shows is better than a double free.
                counters.drop(StageDrop.HANDLER_ERROR, 1);
                errors.onError(e);
                continue;
            }
            if (r == PbufHandle.NULL) {
                counters.drop(StageDrop.HANDLER, 1);
            } else {
                packets[kept++] = r;
            }
        }
        return kept;
    }
}
