package io.sluice.engine.socket;

/** Opens datagram sockets (UDP). On the stack's thread, or before the stack starts. */
public interface DatagramTransport {
    /**
     * Binds a socket.
     *
     * @param localAddr     one of the host's addresses, or 0 for any
     * @param localPort     1..65535, or 0 for a free ephemeral port
     * @param handler       called for each datagram, or null to queue them for {@link DatagramSocket#poll}
     * @param queueCapacity datagrams the receive queue holds before it drops (a power of two is not needed)
     * @throws IllegalStateException    when the address and port are taken, or no ephemeral port is free
     * @throws IllegalArgumentException when the address is not one of the host's, or the port is out of range
     */
    DatagramSocket bind(int localAddr, int localPort, DatagramHandler handler, int queueCapacity);
}
