package io.sluice.engine.stage;

import io.sluice.engine.phy.NicPort;
import io.sluice.engine.ring.FanIn;

/** Driver transmit: bursts from its ring into the output port. */
public final class TxStage extends Stage {
    private final FanIn in;
    private final NicPort port;

    TxStage(String name, FanIn in, NicPort port, BackPressure policy, int batch) {
        super(name, batch);
        this.in = in;
        this.port = port;
        outlet(new PortOutlet(port, policy, counters, batch));
    }

    @Override
    int take(int[] into, int max) {
        return in.pollBurst(into, 0, max);
    }

    @Override
    void idle() {
        port.transmitBurst(p, burst, 0, 0); // lets a port flush frames it queued behind a busy kernel
    }

    public NicPort port() {
        return port;
    }
}
