package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/**
 * A bound datagram (UDP) socket, used on the stack's thread only. Datagrams go to its {@link DatagramHandler}
 * when it has one, else into its bounded receive queue for {@link #poll}.
 */
public interface DatagramSocket {
    /** The local address it is bound to; 0 for any of the host's addresses. */
    int localAddress();

    int localPort();

    /**
     * Sends {@code chain} (the payload) to {@code dstAddr:dstPort}: the transport header is prepended into the
     * chain's headroom, then the IP layer's.
     *
     * @return {@link SocketResult#SENT}; {@link SocketResult#NO_ROOM} with the chain still the caller's;
     *     {@link SocketResult#DROPPED} when it was freed and counted
     */
    int sendTo(Pbufs p, int chain, int dstAddr, int dstPort);

    /** As {@link #sendTo} to the peer given to {@link #connect}. */
    int send(Pbufs p, int chain);

    /**
     * Sets the default peer for {@link #send} and, as a connected BSD socket does, takes datagrams from that
     * peer only (others find no socket and get Port Unreachable). {@code 0, 0} disconnects.
     */
    void connect(int peerAddr, int peerPort);

    /** Sets (or, with null, removes) the handler; without one, datagrams queue for {@link #poll}. */
    void handler(DatagramHandler handler);

    /**
     * Hands up to {@code max} queued datagrams to {@code handler}, oldest first.
     *
     * @return how many
     */
    int poll(Pbufs p, DatagramHandler handler, int max);

    /**
     * The ICMP error reported for this connected socket since the last call, as {@code type << 8 | code}, or 0;
     * reading clears it (BSD's {@code SO_ERROR}). Unconnected sockets get none: an error about one datagram of
     * many peers says nothing about the socket.
     */
    int takeError();

    /** Datagrams in the receive queue. */
    int queued();

    /** Unbinds, frees the queued datagrams and fails the blocking callers still waiting. Idempotent. */
    void close(Pbufs p);

    boolean isClosed();
}
