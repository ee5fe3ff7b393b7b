package io.sluice.engine.stage;

import io.sluice.engine.phy.NicPort;
import io.sluice.engine.ring.SpscRing;

/** Driver receive: bursts from a port into the ring of the first processing stage, each packet stamped with the port's input index. */
public final class RxStage extends Stage {
    private final NicPort port;
    private final int input;
    private volatile boolean receiving = true;

    RxStage(String name, NicPort port, int input, SpscRing ring, BackPressure policy, int batch) {
        super(name, batch);
        this.port = port;
        this.input = input;
        outlet(new RingOutlet(ring, policy, counters, batch));
    }

    @Override
    boolean accepting() {
        return receiving;
    }

    @Override
    int take(int[] into, int max) {
        int n = port.receiveBurst(p, into, max);
        // The pipeline's own number for the port: kernel ifindexes say nothing across network namespaces.
        for (int k = 0; k < n; k++) {
            p.setRcvif(into[k], input);
        }
        return n;
    }

    /** Stops taking frames from the port (the first step of an orderly shutdown). */
    void stopReceiving() {
        receiving = false;
    }

    public NicPort port() {
        return port;
    }
}
