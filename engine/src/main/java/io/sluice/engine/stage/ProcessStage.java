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
    private final Outlet out;
    private final ErrorHandler errors;
    private volatile boolean holding;

    ProcessStage(String name, FanIn in, PacketHandler handler, SpscRing out, BackPressure policy,
                 ErrorHandler errors, int batch) {
        super(name, batch);
        this.in = in;
        this.handler = handler;
        this.out = new RingOutlet(out, policy, counters, batch);
        this.errors = errors;
    }

    @Override
    protected int work() {
        int work = out.flush(p);
        if (out.blocked()) {
            holding = true;
            return work;
        }
        int n = in.pollBurst(burst, 0, batch);
        if (n == 0) {
            holding = false;
            return work;
        }
        int kept = 0;
        for (int k = 0; k < n; k++) {
            int h = burst[k];
            int r;
            try {
                r = handler.handle(p, h);
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
                burst[kept++] = r;
            }
        }
        counters.batch(n);
        out.push(p, burst, kept);
        holding = out.blocked();
        return work + n;
    }

    @Override
    boolean holdsNothing() {
        return !holding;
    }

    @Override
    void release() {
        out.release(p);
        holding = false;
    }
}
