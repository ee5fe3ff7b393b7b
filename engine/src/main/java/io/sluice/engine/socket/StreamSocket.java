package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/** One stream (TCP) connection, used on the stack's thread only. Implemented by the TCP engine. */
public interface StreamSocket {
    int localAddress();

    int localPort();

    int remoteAddress();

    int remotePort();

    /**
     * Queues {@code chain} for sending. The transport prepends its headers into the headroom of the segments it
     * cuts from it.
     *
     * @return {@link SocketResult#SENT} when the whole chain was taken; {@link SocketResult#NO_ROOM} when the
     *     send buffer is full (the chain is still the caller's: wait for {@link StreamHandler#onSendSpace})
     */
    int send(Pbufs p, int chain);

    /** Bytes the send buffer takes now. */
    int sendSpace();

    /** Sends FIN after the queued data (RFC 9293 3.6); receiving goes on. */
    void shutdownOutput(Pbufs p);

    /** Closes in order: FIN after the queued data; {@link StreamHandler#onClosed} follows. */
    void close(Pbufs p);

    /** Resets the connection at once (RST) and frees what it holds. */
    void abort(Pbufs p);
}
