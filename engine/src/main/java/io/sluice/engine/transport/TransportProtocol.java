package io.sluice.engine.transport;

import io.sluice.engine.inet.LocalProtocol;
import io.sluice.engine.pbuf.Pbufs;

/**
 * A transport protocol plugged into the plane (UDP, TCP): it takes the datagrams addressed to this host through
 * {@link LocalProtocol#deliver}, sends through the {@link IpOutput} it is given when it is attached, and runs
 * its timers in {@link #tick}. Everything runs on the IP stage's thread.
 */
public interface TransportProtocol extends LocalProtocol {
    /** The IP protocol number it takes. */
    int protocolNumber();

    /** Called once, before the first packet, with the plane's output path. */
    void attach(IpOutput output);

    /**
     * Timer work (retransmission, delayed ACK, TIME_WAIT), and sends the application asked for, about every
     * millisecond and whenever the stage is idle.
     *
     * @param nanoTime {@link System#nanoTime()} now (or a simulation's virtual clock)
     * @return work done, for the idle strategy
     */
    default int tick(Pbufs p, long nanoTime) {
        return 0;
    }

    /** The stage is stopping: free every pbuf the protocol holds (queues, out-of-order segments). */
    default void release(Pbufs p) {
    }
}
