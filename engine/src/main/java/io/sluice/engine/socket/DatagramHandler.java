package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/**
 * Called on the stack's thread for each datagram a socket receives. No blocking, no allocation.
 */
@FunctionalInterface
public interface DatagramHandler {
    /**
     * @param chain   the datagram's payload: a pbuf chain whose data starts at the first payload byte (possibly
     *                empty), with headroom for the headers it arrived with. The handler owns it: it frees it,
     *                keeps it, or sends it (back) with {@link DatagramSocket#sendTo}
     * @param srcAddr the sender's IPv4 address
     * @param srcPort the sender's port
     */
    void onDatagram(Pbufs p, DatagramSocket socket, int chain, int srcAddr, int srcPort);

    /**
     * An ICMP error about a datagram this connected socket sent to its peer (RFC 1122 4.1.3.3): Port
     * Unreachable (type 3, code 3) when nobody listens there, for example. The error is also kept for
     * {@link DatagramSocket#takeError()}.
     */
    default void onError(Pbufs p, DatagramSocket socket, int type, int code) {
    }
}
