package io.sluice.engine.transport;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.wire.Ipv4Header;

/**
 * One direction of an in-memory wire between two hosts' transports, without the plane: {@link #send} prepends the
 * IPv4 header into the segment's headroom, as the plane's output does, and queues the datagram; {@link #deliverTo}
 * hands what is queued to the other host's transport. For benchmarks and simulations of a transport on one thread;
 * it allocates nothing.
 */
public final class LoopbackIpOutput implements IpOutput {
    private final int address;
    private final int peer;
    private final int mtu;
    private final int[] ring;
    private long head;
    private long tail;

    /**
     * @param address  this host's address (the only one {@link #isLocal})
     * @param peer     the other host's, the only destination with a route
     * @param capacity datagrams queued at most (a power of two); more is NO_ROOM
     */
    public LoopbackIpOutput(int address, int peer, int mtu, int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity + " is not a power of two");
        }
        this.address = address;
        this.peer = peer;
        this.mtu = mtu;
        this.ring = new int[capacity];
    }

    @Override
    public int send(Pbufs p, int segment, int src, int dst, int protocol, int tos, boolean dontFragment) {
        if (tail - head == ring.length) {
            return NO_ROOM;
        }
        int h = p.prepend(segment, Ipv4Header.MIN_HEADER_LENGTH);
        if (h == PbufHandle.NULL) {
            return DROPPED; // prepend freed the chain
        }
        Ipv4Header.write(p.segment(), p.address(h), tos, p.length(h), 0, dontFragment ? Ipv4Header.FLAG_DF : 0, 64,
            protocol, src, dst);
        ring[(int) (tail++ & (ring.length - 1))] = h;
        return SENT;
    }

    @Override
    public int sourceFor(int dst) {
        return dst == peer ? address : 0;
    }

    @Override
    public int mtuFor(int dst) {
        return dst == peer ? mtu : 0;
    }

    @Override
    public boolean isLocal(int a) {
        return a == address;
    }

    /** Datagrams queued. */
    public int queued() {
        return (int) (tail - head);
    }

    /** Delivers everything queued (the IPv4 header at offset 0) to {@code to}, in order. */
    public void deliverTo(TransportProtocol to, Pbufs p, Emitter e) {
        deliverTo(to, p, e, Integer.MAX_VALUE);
    }

    /** Delivers at most {@code max} of the datagrams queued, in order. @return how many */
    public int deliverTo(TransportProtocol to, Pbufs p, Emitter e, int max) {
        int n = 0;
        while (head != tail && n < max) {
            to.deliver(p, ring[(int) (head++ & (ring.length - 1))], 0, e);
            n++;
        }
        return n;
    }

    /** Frees everything queued. */
    public void free(Pbufs p) {
        while (head != tail) {
            p.freem(ring[(int) (head++ & (ring.length - 1))]);
        }
    }
}
