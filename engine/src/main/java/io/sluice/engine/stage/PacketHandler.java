package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;

/**
 * The work of a processing stage on one packet, on the stage's thread.
 *
 * <p>Ownership: the handler receives the packet. It returns the packet to pass on (possibly a new head after
 * a prepend or adj), or {@link io.sluice.engine.pbuf.PbufHandle#NULL} when it consumed the packet or freed
 * it, in which case it counts why. It must not throw for bad input; if it does, the stage frees the packet
 * and counts {@link StageDrop#HANDLER_ERROR}.
 */
@FunctionalInterface
public interface PacketHandler {
    int handle(Pbufs p, int packet);

    /** Passes every packet on unchanged. */
    PacketHandler PASS = (p, h) -> h;
}
