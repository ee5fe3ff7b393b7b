package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/**
 * Opens stream (TCP) sockets: what the TCP engine implements ({@code transport.tcp.TcpTransport}), beside
 * {@link DatagramTransport}. On the stack's thread, or (listen) before the stack starts. {@link BlockingSockets}
 * wraps it for plain code: accept, connect, read and write as commands completed by these callbacks.
 */
public interface StreamTransport {
    /**
     * Listens on {@code localAddr:localPort} (0 for any address).
     *
     * @param backlog connections completed but not yet accepted, and half-open ones, it keeps at most (a hint:
     *                a transport may bound them by its own configuration instead)
     * @return a handle whose {@link AutoCloseable#close} stops listening (on the stack's thread)
     * @throws IllegalStateException when the port already has a listener
     */
    AutoCloseable listen(int localAddr, int localPort, int backlog, StreamListener listener);

    /**
     * Opens a connection (active open); {@link StreamHandler#onConnected} or {@link StreamHandler#onClosed}
     * follows. The stack's thread only.
     *
     * @return the socket, or null when there is no route to {@code remoteAddr}, no free connection or no free port
     */
    StreamSocket connect(Pbufs p, int remoteAddr, int remotePort, StreamHandler handler);
}
