package io.sluice.engine.transport;

import io.sluice.engine.pbuf.Pbufs;

/**
 * The IPv4 layer as a transport protocol sees it when it sends: prepends the IP header into the segment's
 * headroom, routes, resolves the next hop through ARP and fragments to the egress MTU. Implemented by the
 * forwarding plane; a simulation or a test may implement it with a wire of its own.
 *
 * <p>Called on the IP stage's thread only (from {@link TransportProtocol#deliver} or {@link
 * TransportProtocol#tick}, or from work the stage runs for an application).
 */
public interface IpOutput {
    /** The default time to live of datagrams this host originates (RFC 1700's 64). */
    int DEFAULT_TTL = 64;

    /**
     * Sends a transport segment as one IPv4 datagram.
     *
     * @param segment  a packet whose data starts at the transport header, its checksum already filled in, with
     *                 the headroom of {@link io.sluice.engine.pbuf.Layer#TRANSPORT} or at least
     *                 {@link io.sluice.engine.pbuf.Layer#IP} in front
     * @param src      the source address: one of this host's, as {@link #sourceFor} chose it
     * @param protocol the IP protocol number (6 TCP, 17 UDP)
     * @param tos      the type-of-service byte (DSCP and ECN)
     * @param dontFragment whether to set DF (TCP does, for path MTU discovery)
     * @return {@link #SENT} when the datagram went to the transmit path or waits for ARP (it is no longer the
     *     caller's); {@link #NO_ROOM} when the stage's output has no room now (the segment is still the caller's:
     *     try again later, as TCP does with its send queue); {@link #DROPPED} when it was freed and counted
     *     (no route, no pbufs, too big with DF)
     */
    int send(Pbufs p, int segment, int src, int dst, int protocol, int tos, boolean dontFragment);

    int SENT = 0;
    int NO_ROOM = 1;
    int DROPPED = 2;

    /** The source address this host uses to reach {@code dst} (its egress port's), or 0 without a route. */
    int sourceFor(int dst);

    /** The MTU of the egress port towards {@code dst}, or 0 without a route (for TCP's MSS, RFC 9293 3.7.1). */
    int mtuFor(int dst);

    /** Whether {@code address} is one of this host's own addresses. */
    boolean isLocal(int address);
}
