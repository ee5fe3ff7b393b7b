package io.sluice.engine.transport.tcp;

/**
 * A passive open (RFC 9293 3.10.1, LISTEN) on a local port, and its bounded SYN backlog: the connections in
 * SYN-RECEIVED it holds. Made by {@link TcpStack#listen}.
 */
public final class TcpListener {
    final TcpStack stack;
    /** The local address it takes, or 0 for any of the host's. */
    final int localAddr;
    final int localPort;
    final TcpAcceptor acceptor;
    final int backlogLimit;
    /** Connections in SYN-RECEIVED from this listener. */
    int backlog;
    boolean open = true;
    /** Whether SYN cookies went out lately: only then is an ACK checked as one (a guesser gets no oracle). */
    boolean cookiesSent;
    long lastCookieAt;

    TcpListener(TcpStack stack, int localAddr, int localPort, TcpAcceptor acceptor, int backlogLimit) {
        this.stack = stack;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.acceptor = acceptor;
        this.backlogLimit = backlogLimit;
    }

    public int localAddress() {
        return localAddr;
    }

    public int localPort() {
        return localPort;
    }

    /** Half-open connections held now. */
    public int backlog() {
        return backlog;
    }

    /** Stops listening; connections already made are not affected, half-open ones are reset. */
    public void close() {
        stack.unlisten(this);
    }
}
