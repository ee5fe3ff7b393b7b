package io.sluice.engine.phy;

import io.sluice.engine.pbuf.Pbufs;

/**
 * A network port as the pipeline sees it: bursts of packets in and out. Implementations: the in-memory
 * {@link LoopbackPair}, the {@link SyntheticPort} generator and sink, the {@link PcapPort} file port and the
 * {@link FaultInjectingPort} wrapper here; AF_PACKET and io_uring ports in native-io.
 *
 * <p>Threading: one thread receives and one thread transmits on a port (they may be the same thread). Each
 * passes its own {@link Pbufs}.
 *
 * <p>Ownership: received packets (pbuf chains with a packet header) belong to the caller. On transmit the
 * port takes the packets it accepts, the first {@code k} of the burst, and frees them once sent; the caller
 * keeps the rest ({@code handles[off + k .. off + n)}) to retry or drop.
 */
public interface NicPort extends AutoCloseable {

    String name();

    PortCapabilities capabilities();

    /**
     * Receives up to {@code max} packets into {@code out[0..)}.
     *
     * @return how many packets were received, 0 when none are waiting
     */
    int receiveBurst(Pbufs p, int[] out, int max);

    /**
     * Offers {@code handles[off .. off + n)} for transmission.
     *
     * @return how many, from the front of the burst, the port took
     */
    int transmitBurst(Pbufs p, int[] handles, int off, int n);

    PortCounters counters();

    /**
     * Stops the port and frees every packet it still holds, using {@code p}. After this the port receives
     * and transmits nothing.
     */
    void close(Pbufs p);

    /** Releases resources that need no pbufs (files, sockets); {@link #close(Pbufs)} is the full close. */
    @Override
    default void close() {
    }
}
