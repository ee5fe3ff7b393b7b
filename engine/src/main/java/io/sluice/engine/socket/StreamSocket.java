package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/**
 * One stream (TCP) connection, used on the stack's thread only. Implemented over the TCP engine by
 * {@code io.sluice.engine.transport.tcp.TcpTransport}. The socket must not be used after
 * {@link StreamHandler#onClosed}: it then refuses every call (sends drop, the rest do nothing).
 */
public interface StreamSocket {
    int localAddress();

    int localPort();

    int remoteAddress();

    int remotePort();

    /**
     * Queues the whole of {@code chain} for sending, or nothing. The transport copies its bytes into segments
     * with headroom for the headers, so a chain of any layer will do (a received one, to echo it).
     *
     * @return {@link SocketResult#SENT} when the whole chain was taken; {@link SocketResult#NO_ROOM} when the
     *     send buffer has no room for all of it (the chain is still the caller's: wait for
     *     {@link StreamHandler#onSendSpace}); {@link SocketResult#TOO_BIG} when the chain is longer than the whole
     *     send buffer, so no amount of waiting would make room for it (the chain is still the caller's: use
     *     {@link #sendSome}); {@link SocketResult#DROPPED} when the connection can no longer send (closed, or
     *     after {@link #shutdownOutput}): the chain was freed
     */
    int send(Pbufs p, int chain);

    /**
     * Queues as much of {@code chain} as the send buffer takes (a BSD partial write).
     *
     * @return {@link io.sluice.engine.pbuf.PbufHandle#NULL} when it took the whole chain, else the bytes it did
     *     not take as a chain of their own, still the caller's ({@link StreamHandler#onSendSpace} says when to
     *     try again); a connection that can no longer send takes nothing and returns the chain
     */
    int sendSome(Pbufs p, int chain);

    /** Bytes the send buffer takes now. */
    int sendSpace();

    /**
     * The application is done with {@code bytes} of the data {@link StreamHandler#onData} handed it (it freed
     * them, sent them on, or copied them out). Received bytes count against the receive window until then: an
     * application that holds data closes the window, and the peer waits (back-pressure, RFC 9293 3.8.6).
     */
    void consumed(int bytes);

    /**
     * Asks for one {@link StreamHandler#onTick} at the stack's next tick (about every millisecond). For a handler
     * whose pbuf allocation failed while nothing was in flight: no acknowledgment will come to call
     * {@link StreamHandler#onSendSpace}, so without this it would wait for ever once the pool refills.
     */
    void requestTick();

    /** Disables Nagle's algorithm (RFC 9293 3.7.4): small segments go at once. */
    void setNoDelay(boolean on);

    /** Sends FIN after the queued data (RFC 9293 3.6); receiving goes on. */
    void shutdownOutput(Pbufs p);

    /**
     * Closes in order: FIN after the queued data; {@link StreamHandler#onClosed} follows once the peer has
     * closed too. Data that still arrives is the handler's as before (free it and call {@link #consumed}).
     */
    void close(Pbufs p);

    /** Resets the connection at once (RST) and frees what it holds. */
    void abort(Pbufs p);

    /** Whether the connection has ended ({@link StreamHandler#onClosed} was called). */
    boolean isClosed();
}
