package io.sluice.engine.transport.tcp;

/** A listener's application: takes each connection whose handshake completed. */
@FunctionalInterface
public interface TcpAcceptor {
    /**
     * A passive open completed (RFC 9293 3.10.7.4, SYN-RECEIVED to ESTABLISHED).
     *
     * @return the connection's handler, or null to refuse it (it is reset)
     */
    TcpHandler onAccept(TcpConnection c);
}
