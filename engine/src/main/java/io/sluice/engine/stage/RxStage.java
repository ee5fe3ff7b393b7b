package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;
import io.sluice.engine.ring.SpscRing;

/** Driver receive: bursts from a port into the ring of the first processing stage. */
public final class RxStage extends Stage {
    private final NicPort port;
    private final Outlet out;
    private volatile boolean receiving = true;
    private volatile boolean holding;

    RxStage(String name, NicPort port, SpscRing ring, BackPressure policy, int batch) {
        super(name, batch);
        this.port = port;
        this.out = new RingOutlet(ring, policy, counters, batch);
    }

    @Override
    protected int work() {
        int work = out.flush(p);
        if (out.blocked() || !receiving) {
            holding = out.blocked();
            return work;
        }
        int n = port.receiveBurst(p, burst, batch);
        if (n > 0) {
            counters.batch(n);
            out.push(p, burst, n);
        }
        holding = out.blocked();
        return work + n;
    }

    /** Stops taking frames from the port (the first step of an orderly shutdown). */
    void stopReceiving() {
        receiving = false;
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
