package io.sluice.engine.transport.udp;

import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The bound UDP sockets, found by (local address, port): a primitive-keyed open-addressing map (Agrona), so a
 * lookup on the data path allocates nothing. Binding rules are BSD's without SO_REUSEADDR: one socket per
 * (address, port), and a socket on the wildcard address excludes every other on its port and the other way
 * round. The stack's thread only.
 */
final class UdpSocketTable {
    /** RFC 6335 6: the dynamic ports, from which a bind to port 0 takes one. */
    static final int EPHEMERAL_FIRST = 49_152;
    static final int EPHEMERAL_LAST = 65_535;

    private final Long2ObjectHashMap<UdpSocket> byKey = new Long2ObjectHashMap<>();
    /** Sockets per port, for the wildcard rule without a scan. */
    private final short[] perPort = new short[65_536];
    private int nextEphemeral = EPHEMERAL_FIRST;

    private static long key(int addr, int port) {
        return (addr & 0xFFFF_FFFFL) << 16 | port;
    }

    /** The socket for a datagram to {@code addr:port}: bound to that address, else to the wildcard; or null. */
    UdpSocket lookup(int addr, int port, int srcAddr, int srcPort) {
        UdpSocket s = byKey.get(key(addr, port));
        if (s != null && s.accepts(srcAddr, srcPort)) {
            return s;
        }
        s = byKey.get(key(0, port));
        return s != null && s.accepts(srcAddr, srcPort) ? s : null;
    }

    boolean available(int addr, int port) {
        if (addr == 0) {
            return perPort[port] == 0;
        }
        return !byKey.containsKey(key(addr, port)) && !byKey.containsKey(key(0, port));
    }

    /** A free port in the dynamic range for {@code addr}, or 0 when all are taken. */
    int ephemeral(int addr) {
        for (int k = EPHEMERAL_FIRST; k <= EPHEMERAL_LAST; k++) {
            int port = nextEphemeral;
            nextEphemeral = port == EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
            if (available(addr, port)) {
                return port;
            }
        }
        return 0;
    }

    void add(UdpSocket s) {
        byKey.put(key(s.localAddress(), s.localPort()), s);
        perPort[s.localPort()]++;
    }

    void remove(UdpSocket s) {
        if (byKey.remove(key(s.localAddress(), s.localPort())) == s) {
            perPort[s.localPort()]--;
        }
    }

    int size() {
        return byKey.size();
    }

    /** A copy of the sockets (off the data path: closing them all). */
    List<UdpSocket> all() {
        return new ArrayList<>(byKey.values());
    }
}
