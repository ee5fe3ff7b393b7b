package io.sluice.engine.socket;

/**
 * Opens stream (TCP) sockets: what the TCP engine implements, beside {@link DatagramTransport}. On the stack's
 * thread, or before the stack starts. The blocking adapter ({@link BlockingSockets}) will wrap it the way it
 * wraps {@link DatagramTransport}: accept, connect, read and write as commands completed by these callbacks.
 */
public interface StreamTransport {
    /**
     * Listens on {@code localAddr:localPort} (0 for any address).
     *
     * @param backlog connections completed but not yet accepted, and half-open ones, it keeps at most
     * @return a handle whose {@link AutoCloseable#close} stops listening
     */
    AutoCloseable listen(int localAddr, int localPort, int backlog, StreamListener listener);

    /** Opens a connection (active open); {@link StreamHandler#onConnected} or {@link StreamHandler#onClosed} follows. */
    StreamSocket connect(int remoteAddr, int remotePort, StreamHandler handler);
}
