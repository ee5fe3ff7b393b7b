package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/**
 * The callbacks of a stream (TCP) connection, run on the stack's thread. This is the shape the TCP engine
 * plugs into: it calls these as the connection's state changes (RFC 9293 3.3.2), and the application answers
 * through the {@link StreamSocket} it is given. No blocking, no allocation.
 */
public interface StreamHandler {
    /** The handshake completed (an active open, or a connection {@link StreamListener} accepted). */
    default void onConnected(Pbufs p, StreamSocket s) {
    }

    /**
     * In-order data arrived. Zero copy: {@code chain} holds the bytes (its data starts at the first new byte)
     * and is the handler's: it frees it, keeps it, or sends it on. The bytes count against the receive window
     * until the handler reports them with {@link StreamSocket#consumed}: holding data closes the window.
     */
    void onData(Pbufs p, StreamSocket s, int chain);

    /** Room opened in the send buffer after {@link StreamSocket#send} refused or took part of a chain. */
    default void onSendSpace(Pbufs p, StreamSocket s, int bytes) {
    }

    /**
     * The stack's tick, once after {@link StreamSocket#requestTick}: try again what found the pool dry (ask again
     * if it still does).
     */
    default void onTick(Pbufs p, StreamSocket s) {
    }

    /** The peer sent FIN: no more data will come; the application may still send, then close. */
    default void onPeerClosed(Pbufs p, StreamSocket s) {
    }

    /**
     * The connection is gone (closed in order, reset, or timed out); the socket must not be used again.
     *
     * @param reason a transport's reason code, 0 for an orderly close
     */
    default void onClosed(Pbufs p, StreamSocket s, int reason) {
    }
}
