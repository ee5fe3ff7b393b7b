package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.Pbufs;

/**
 * What an application hears from one connection. Every callback runs on the stage's thread, from inside the
 * stack: it must not block. It may call the connection's methods ({@link TcpConnection#send}, {@link
 * TcpConnection#close}, ...); what they send goes out when the callback returns.
 */
public interface TcpHandler {
    /** The handshake completed: the connection is ESTABLISHED and may send. */
    default void onConnected(TcpConnection c) {
    }

    /**
     * In-order data arrived. Zero copy: {@code chain} is the received pbufs with the headers trimmed off, and
     * it is the application's to free. The bytes count against the receive window until the application calls
     * {@link TcpConnection#consumed} for them: that is the back-pressure that reaches the peer.
     */
    void onData(TcpConnection c, Pbufs p, int chain);

    /** The send buffer has room again after a {@link TcpConnection#send} returned a remainder. */
    default void onSendSpace(TcpConnection c, int space) {
    }

    /**
     * The stack's tick, once after {@link TcpConnection#requestTick}: try again what found the pool dry (ask
     * again if it still does).
     */
    default void onTick(TcpConnection c) {
    }

    /** The peer sent FIN: no more data will come. The connection may still send, then close. */
    default void onPeerClosed(TcpConnection c) {
    }

    /**
     * The connection is finished ({@link TcpCloseReason}); the application must drop its reference. Sent at most
     * once; never sent for a connection the application never saw (a passive open that did not complete).
     */
    default void onClosed(TcpConnection c, int reason) {
    }
}
