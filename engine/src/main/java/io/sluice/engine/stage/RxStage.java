package io.sluice.engine.stage;

import io.sluice.engine.phy.NicPort;
import io.sluice.engine.ring.SpscRing;

/** Driver receive: bursts from a port into the ring of the first processing stage. */
public final class RxStage extends Stage {
    private final NicPort port;
    private volatile boolean receiving = true;

    RxStage(String name, NicPort port, SpscRing ring, BackPressure policy, int batch) {
        super(name, batch);
        this.port = port;
        outlet(new RingOutlet(ring, policy, counters, batch));
    }

    @Override
    boolean accepting() {
        return receiving;
    }

    @Override
    int take(int[] into, int max) {
        return port.receiveBurst(p, into, max);
    }

    /** Stops taking frames from the port (the first step of an orderly shutdown). */
    void stopReceiving() {
        receiving = false;
    }

    public NicPort port() {
        return port;
    }
}
