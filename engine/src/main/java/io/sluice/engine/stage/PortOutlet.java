package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;

/** An outlet into a port's transmit side. */
final class PortOutlet extends Outlet {
    private final NicPort port;

    PortOutlet(NicPort port, BackPressure policy, StageCounters counters, int batch) {
        super(policy, counters, StageDrop.PORT_FULL, batch);
        this.port = port;
    }

    @Override
    int offer(Pbufs p, int[] h, int off, int n) {
        return port.transmitBurst(p, h, off, n);
    }
}
