package io.sluice.engine.inet;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;

/**
 * A transport protocol that takes the datagrams addressed to this host (UDP, TCP), plugged into the plane by
 * protocol number. Runs on the IP stage's thread.
 */
@FunctionalInterface
public interface LocalProtocol {
    /** The datagram was taken (delivered, queued or freed and counted). */
    int TAKEN = 0;
    /** Nobody listens (no socket on that port): the plane sends the ICMP Port Unreachable and frees it. */
    int PORT_UNREACHABLE = 1;

    /**
     * @param packet   the frame: link header, then the whole (reassembled) IPv4 datagram at {@code l3Offset}
     * @param out      for replies the protocol sends at once
     * @return {@link #TAKEN} or {@link #PORT_UNREACHABLE} (then the packet is still the plane's)
     */
    int deliver(Pbufs p, int packet, int l3Offset, Emitter out);
}
