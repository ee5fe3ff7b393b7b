package io.sluice.engine.transport.udp;

/**
 * Why UDP dropped a datagram, one counter each, beside the {@link io.sluice.engine.wire.WireError}s of a
 * malformed header. Each names the {@link UdpMib} counter it also feeds.
 */
public enum UdpDrop {
    /** The socket's receive queue was full (the application does not keep up). */
    RECEIVE_QUEUE_FULL(UdpMib.udpRcvbufErrors),
    /** A datagram to send would be longer than 65535 bytes with its UDP and IP headers. */
    OUT_TOO_LONG(UdpMib.udpSndbufErrors),
    /** No route to the destination, so no source address to send from. */
    OUT_NO_ROUTE(UdpMib.udpSndbufErrors),
    /** No pbuf for the UDP header (the chain had no headroom and the pool was empty). */
    OUT_NO_BUFFERS(UdpMib.udpSndbufErrors),
    /** A send on a closed socket. */
    OUT_SOCKET_CLOSED(UdpMib.udpSndbufErrors),
    /** A send to port 0 or to address 0, which no datagram may carry (RFC 768 has no port 0 to reach). */
    OUT_BAD_DESTINATION(UdpMib.udpSndbufErrors),
    /** The IP layer dropped a datagram UDP handed it (it counted the reason: no route, ARP, fragmentation). */
    OUT_IP_DROPPED(null),
    /** Queued datagrams freed when their socket closed or the stack stopped. */
    CLOSED_WITH_DATA(null);

    private final UdpMib mib;

    UdpDrop(UdpMib mib) {
        this.mib = mib;
    }

    /** The MIB counter this drop also counts under, or null. */
    public UdpMib mib() {
        return mib;
    }
}
