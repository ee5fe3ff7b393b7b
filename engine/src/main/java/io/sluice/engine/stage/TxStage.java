package io.sluice.engine.stage;

import io.sluice.engine.phy.NicPort;
import io.sluice.engine.ring.FanIn;

/** Driver transmit: bursts from its ring into the output port. */
public final class TxStage extends Stage {
    private final FanIn in;
    private final NicPort port;
    private final Outlet out;
    private volatile boolean holding;

    TxStage(String name, FanIn in, NicPort port, BackPressure policy, int batch) {
        super(name, batch);
        this.in = in;
        this.port = port;
        this.out = new PortOutlet(port, policy, counters, batch);
    }

    @Override
    protected int work() {
        int work = out.flush(p);
        if (out.blocked()) {
            holding = true;
            return work;
        }
        int n = in.pollBurst(burst, 0, batch);
        if (n > 0) {
            counters.batch(n);
            out.push(p, burst, n);
        } else {
            port.transmitBurst(p, burst, 0, 0); // lets a port flush frames it queued behind a busy kernel
        }
        holding = out.blocked();
        return work + n;
    }

    public NicPort port() {
        return port;
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
