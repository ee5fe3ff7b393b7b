package io.sluice.engine.transport;

import io.sluice.engine.inet.LocalProtocol;
import io.sluice.engine.pbuf.Pbufs;
import java.util.Map;

/**
 * A transport protocol plugged into the plane (UDP, TCP): it takes the datagrams addressed to this host through
 * {@link LocalProtocol#deliver}, sends through the {@link IpOutput} it is given when it is attached, and runs
 * its timers in {@link #tick}. Everything runs on the IP stage's thread.
 */
public interface TransportProtocol extends LocalProtocol {
    /** The IP protocol number it takes. */
    int protocolNumber();

    /** Its name in reports: the prefix of its counters' names ({@code udp.udpInDatagrams}). */
    default String name() {
        return "ip" + protocolNumber();
    }

    /** Its counters that are not zero, by name; read from any thread (JMX, a status line, the closed report). */
    default Map<String, Long> nonZeroCounters() {
        return Map.of();
    }

    /** Called once, before the first packet, with the plane's output path. */
    void attach(IpOutput output);

    /**
     * Timer work (retransmission, delayed ACK, TIME_WAIT), and sends the application asked for, about every
     * millisecond and whenever the stage is idle.
     *
     * @param nanoTime {@link System#nanoTime()} now (or a simulation's virtual clock)
     * @return work done, for the idle strategy
     */
    default int tick(Pbufs p, long nanoTime) {
        return 0;
    }

    /**
     * An ICMP error about a datagram this host sent with this protocol's number: Destination Unreachable,
     * Time Exceeded or Parameter Problem (RFC 1122 3.2.2.1 and 4.1.3.3: UDP passes them to the application;
     * RFC 9293 3.10.7.4 and RFC 5927 for TCP). The quoted datagram's IP header and the 8 bytes after it (RFC
     * 792) lie contiguous in the first pbuf at {@code quoteOffset}, checked as a version 4 header whose source is
     * one of this host's addresses. The packet stays the plane's: read it, do not keep it.
     *
     * @param rest the ICMP header's last four bytes (the next-hop MTU of Fragmentation Needed, RFC 1191)
     */
    default void icmpError(Pbufs p, int packet, int quoteOffset, int type, int code, int rest) {
    }

    /** The stage is stopping: free every pbuf the protocol holds (queues, out-of-order segments). */
    default void release(Pbufs p) {
    }
}
