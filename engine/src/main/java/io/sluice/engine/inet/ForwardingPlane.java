package io.sluice.engine.inet;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.route.NextHopTable;
import io.sluice.engine.route.RouteReader;
import io.sluice.engine.route.RouteTable;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.stage.PacketProcessor;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.transport.TransportProtocol;
import io.sluice.engine.wire.EthernetFrame;
import io.sluice.engine.wire.IcmpHeader;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.MacAddress;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The IPv4 forwarding plane as one pipeline stage: Ethernet demultiplexing, ARP, the RFC 1812 input checks,
 * longest-prefix routing, TTL, fragmentation, local delivery with reassembly, and ICMP. Every packet leaves
 * with its output port in {@code txif}, or is dropped under a named reason.
 *
 * <pre>
 *  frame -> Ethernet checks -+- ARP ------------------------------------> Neighbours (reply, learn, release)
 *                            +- IPv4 checks, martians -> hook -+- ours --> reassembly -> ICMP echo | LocalProtocol
 *                                                              +- other -> TTL -> route -> output (MTU, ARP, MACs)
 * </pre>
 *
 * <p>Frames are untagged Ethernet II: the IP header is at offset 14 everywhere in the plane. Time comes from
 * {@link #tick}, once a millisecond, so the data path reads no clock per packet.
 *
 * <p>Datagrams this host originates for its transports ({@link TransportProtocol}s: UDP, TCP) leave through
 * {@link #output()}, which shares the routing, ARP and fragmentation of forwarded ones.
 */
public final class ForwardingPlane implements PacketProcessor, ArpCache.Listener, Reassembler.ExpiredListener {
    private static final int L3 = EthernetFrame.HEADER_LENGTH;
    /** Headers the checks read, made contiguous in the first pbuf: Ethernet and the longest IP header. */
    private static final int PULLUP = L3 + Ipv4Header.MAX_HEADER_LENGTH;
    private static final long PLANE_TICK_NANOS = 1_000_000L;
    /** ICMP Parameter Problem (RFC 792), an error the plane passes to the transport like the others. */
    private static final int TYPE_PARAMETER_PROBLEM = 12;
    private static final long TRANSPORT_TICK_NANOS = 50_000L;

    private final InetPort[] ports;
    private final RouteTable routes;
    private final NextHopTable hops;
    private final RouteReader routeReader;
    private final InetCounters counters;
    private final Neighbours neighbours;
    private final IcmpSender icmp;
    private final Fragmenter fragmenter;
    private final Reassembler reassembler;
    private final LocalProtocol[] protocols = new LocalProtocol[256];
    private final int[] fragments = new int[64];
    private final LocalOutput localOutput;
    private TransportProtocol[] transports = new TransportProtocol[0];
    private PacketHook hook = PacketHook.NONE;
    private long now = System.nanoTime();
    private long lastTimers = now;
    /** The emitter of the tick in progress, for the cache's and reassembler's callbacks. */
    private Emitter tickOut;
    /** The emitter of the packet or tick in progress, for {@link LocalOutput}; null between them. */
    private Emitter current;

    public ForwardingPlane(InetPort[] ports, RouteTable routes, NextHopTable hops, RouteReader routeReader,
                    ArpCache arp, Reassembler reassembler, IcmpRateLimiter icmpLimit, int ttl, InetCounters counters) {
        this.ports = ports.clone();
        for (int i = 0; i < this.ports.length; i++) {
            if (this.ports[i].index() != i) {
                throw new IllegalArgumentException("port " + this.ports[i].name() + " has index "
                    + this.ports[i].index() + " but is number " + i);
            }
        }
        this.routes = routes;
        this.hops = hops;
        this.routeReader = routeReader;
        this.counters = counters;
        this.neighbours = new Neighbours(this.ports, arp, counters);
        this.icmp = new IcmpSender(counters, icmpLimit, ttl);
        this.fragmenter = new Fragmenter(counters);
        this.reassembler = reassembler;
        this.localOutput = new LocalOutput(this, counters);
    }

    /** Sets the application's hook (before the pipeline starts, or through a stage command). */
    public void hook(PacketHook h) {
        this.hook = h == null ? PacketHook.NONE : h;
    }

    /** Plugs a transport protocol in (before the pipeline starts, or through a stage command). */
    public void protocol(int number, LocalProtocol protocol) {
        protocols[number & 0xFF] = protocol;
    }

    /**
     * Plugs a transport protocol in under its {@link TransportProtocol#protocolNumber()}, attaches it to
     * {@link #output()}, and from then on runs its {@link TransportProtocol#tick} with the plane's and its
     * {@link TransportProtocol#release} when the stage stops. Before the pipeline starts.
     */
    public void transport(TransportProtocol t) {
        protocol(t.protocolNumber(), t);
        transports = Arrays.copyOf(transports, transports.length + 1);
        transports[transports.length - 1] = t;
        t.attach(localOutput);
    }

    /** The output path of datagrams this host originates, as its transports see it. */
    public IpOutput output() {
        return localOutput;
    }

    public InetCounters counters() {
        return counters;
    }

    public ArpCache arp() {
        return neighbours.cache();
    }

    public Reassembler reassembler() {
        return reassembler;
    }

    // ----------------------------------------------------------------------------------------- Ethernet

    @Override
    public int process(Pbufs p, int h, Emitter out) {
        current = out;
        int r = input(p, h, out);
        current = null;
        return r;
    }

    private int input(Pbufs p, int h, Emitter out) {
        counters.inc(Mib.ethInFrames);
        int rcvif = p.rcvif(h);
        if (rcvif >= ports.length) {
            counters.drop(InetDrop.ETH_UNKNOWN_PORT);
            p.freem(h);
            return PbufHandle.NULL;
        }
        InetPort in = ports[rcvif];
        int length = p.pktLen(h);
        if (p.len(h) < Math.min(length, PULLUP)) {
            h = p.pullup(h, Math.min(length, PULLUP));
            if (h == PbufHandle.NULL) { // pullup freed it
                counters.drop(InetDrop.IP_NO_BUFFERS);
                return PbufHandle.NULL;
            }
        }
        MemorySegment s = p.segment();
        long eth = p.address(h);
        WireError e = EthernetFrame.check(s, eth, p.len(h));
        if (e != WireError.OK) {
            return drop(p, h, e, Mib.ethInDiscards);
        }
        if (length > in.mtu() + L3) {
            return drop(p, h, InetDrop.ETH_OVERSIZE);
        }
        long dstMac = EthernetFrame.dst(s, eth);
        boolean linkMulticast = MacAddress.isMulticast(dstMac);
        if (!linkMulticast && dstMac != in.mac()) {
            return drop(p, h, InetDrop.ETH_NOT_FOR_US);
        }
        return switch (EthernetFrame.ethertype(s, eth)) {
            case EthernetFrame.ETHERTYPE_IPV4 -> ipInput(p, h, in, linkMulticast, out);
            case EthernetFrame.ETHERTYPE_ARP -> neighbours.input(p, h, in, out, now);
            case EthernetFrame.ETHERTYPE_VLAN -> drop(p, h, InetDrop.ETH_VLAN_UNSUPPORTED);
            default -> drop(p, h, InetDrop.ETH_UNKNOWN_TYPE);
        };
    }

    // --------------------------------------------------------------------------------------------- IPv4

    private int ipInput(Pbufs p, int h, InetPort in, boolean linkMulticast, Emitter out) {
        counters.inc(Mib.ipInReceives);
        MemorySegment s = p.segment();
        long ip = p.address(h) + L3;
        int linkLength = p.pktLen(h) - L3;
        // check() reads only the header, which the pullup made contiguous; the link length bounds total length.
        WireError e = Ipv4Header.check(s, ip, linkLength);
        if (e != WireError.OK) {
            return drop(p, h, e, e == WireError.IP_TRUNCATED ? Mib.ipInTruncatedPkts : Mib.ipInHdrErrors);
        }
        int totalLength = Ipv4Header.totalLength(s, ip);
        if (linkLength > totalLength) {
            p.adj(h, -(linkLength - totalLength)); // Ethernet padding of short datagrams
        }
        int src = Ipv4Header.src(s, ip);
        int dst = Ipv4Header.dst(s, ip);
        if (Martians.isMartianSource(src) || isOurBroadcast(src)) {
            return drop(p, h, InetDrop.IP_MARTIAN_SOURCE);
        }
        if (Martians.isMartianDestination(dst)) {
            return drop(p, h, InetDrop.IP_MARTIAN_DESTINATION);
        }
        int verdict = hook.onPacket(p, h, L3, in.index());
        if (verdict != PacketHook.PASS) {
            if (verdict == PacketHook.DROP) {
                return drop(p, h, InetDrop.IP_HOOK_DROPPED);
            }
            return PbufHandle.NULL;
        }
        if (isOurs(dst) || Martians.isLimitedBroadcast(dst) || isOurBroadcast(dst)) {
            return localInput(p, h, in, dst, out);
        }
        if (Martians.isMulticast(dst)) {
            return drop(p, h, InetDrop.IP_MULTICAST);
        }
        if (linkMulticast) {
            return drop(p, h, InetDrop.IP_LINK_BROADCAST); // RFC 1812 5.3.4: not forwarded
        }
        return forward(p, h, in, out);
    }

    private int forward(Pbufs p, int h, InetPort in, Emitter out) {
        MemorySegment s = p.segment();
        long ip = p.address(h) + L3;
        if (Ipv4Header.ttl(s, ip) <= 1) {
            sendError(p, h, IcmpHeader.TYPE_TIME_EXCEEDED, IcmpHeader.CODE_TTL_EXCEEDED, 0, in, false, out);
            return drop(p, h, InetDrop.IP_TTL_EXCEEDED);
        }
        int dst = Ipv4Header.dst(s, ip);
        int hop = routes.lookup(dst);
        if (hop == RouteTable.NO_ROUTE || (hops.flags(hop) & NextHopTable.FLAG_BLACKHOLE) != 0) {
            sendError(p, h, IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_NET_UNREACHABLE, 0, in, false, out);
            return drop(p, h, InetDrop.IP_NO_ROUTE);
        }
        InetPort egress = ports[hops.port(hop)];
        int gateway = hops.gateway(hop);
        if (Ipv4Header.totalLength(s, ip) > egress.mtu() && Ipv4Header.dontFragment(s, ip)) {
            // RFC 1191: say the next hop's MTU, so that the sender can lower its path MTU.
            sendError(p, h, IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, egress.mtu(), in,
                false, out);
            return drop(p, h, InetDrop.IP_FRAG_NEEDED);
        }
        Ipv4Header.decrementTtl(s, ip);
        h = PartialChecksum.finish(p, h, L3);
        if (h == PbufHandle.NULL) {
            counters.drop(InetDrop.IP_NO_BUFFERS);
            return PbufHandle.NULL;
        }
        counters.inc(Mib.ipForwDatagrams);
        return output(p, h, egress, gateway == NextHopTable.NO_GATEWAY ? dst : gateway, out);
    }

    /**
     * Sends a datagram (a frame, IP at offset 14) out of {@code egress} to the neighbour {@code nextHop}:
     * fragments it if it is larger than the MTU, resolves the neighbour, writes the link header.
     *
     * @return the frame, ready to pass on; or NULL when it was fragmented (the fragments emitted), queued for
     *     ARP, or dropped and counted
     */
    int output(Pbufs p, int h, InetPort egress, int nextHop, Emitter out) {
        MemorySegment s = p.segment();
        long eth = p.address(h);
        if (Ipv4Header.totalLength(s, eth + L3) > egress.mtu()) {
            int n = fragmenter.fragment(p, h, L3, egress.mtu(), fragments, 0, Math.min(fragments.length, out.room()));
            if (n < 0) { // the fragmenter counted it, under its reason
                p.freem(h);
                return PbufHandle.NULL;
            }
            for (int k = 0; k < n; k++) {
                int f = resolve(p, fragments[k], egress, nextHop, out);
                if (f != PbufHandle.NULL && !out.emit(f)) {
                    drop(p, f, InetDrop.IP_OUTPUT_FULL);
                }
            }
            return PbufHandle.NULL;
        }
        return resolve(p, h, egress, nextHop, out);
    }

    /** Writes the link header for {@code nextHop}, or queues the frame until ARP finds it. */
    private int resolve(Pbufs p, int h, InetPort egress, int nextHop, Emitter out) {
        MemorySegment s = p.segment();
        long eth = p.address(h);
        EthernetFrame.write(s, eth, MacAddress.ZERO, egress.mac(), EthernetFrame.ETHERTYPE_IPV4);
        p.setTxif(h, egress.index());
        long mac = Ipv4Header.dst(s, eth + L3) == egress.broadcast() ? MacAddress.BROADCAST
            : neighbours.cache().lookup(nextHop, now);
        if (mac >= 0) {
            EthernetFrame.setDst(s, eth, mac);
            counters.inc(Mib.ipOutTransmits);
            return h;
        }
        switch (neighbours.cache().enqueue(p, nextHop, egress.index(), h, now)) {
            case ArpCache.QUEUED_SEND_REQUEST -> neighbours.sendRequest(p, nextHop, egress.index(), out);
            case ArpCache.QUEUED -> {
            }
            case ArpCache.QUEUE_FULL -> drop(p, h, InetDrop.ARP_QUEUE_FULL);
            default -> drop(p, h, InetDrop.ARP_CACHE_FULL);
        }
        return PbufHandle.NULL;
    }

    /** Routes a datagram this plane originates (an ICMP message) and emits it. */
    private void originate(Pbufs p, int h, Emitter out) {
        counters.inc(Mib.ipOutRequests);
        int dst = Ipv4Header.dst(p.segment(), p.address(h) + L3);
        int hop = routes.lookup(dst);
        if (hop == RouteTable.NO_ROUTE || (hops.flags(hop) & NextHopTable.FLAG_BLACKHOLE) != 0) {
            counters.inc(Mib.ipOutNoRoutes);
            p.freem(h);
            return;
        }
        int gateway = hops.gateway(hop);
        int r = output(p, h, ports[hops.port(hop)], gateway == NextHopTable.NO_GATEWAY ? dst : gateway, out);
        if (r != PbufHandle.NULL && !out.emit(r)) {
            drop(p, r, InetDrop.IP_OUTPUT_FULL);
        }
    }

    private void sendError(Pbufs p, int original, int type, int code, int rest, InetPort in, boolean toOurBroadcast,
                           Emitter out) {
        int e = icmp.error(p, original, type, code, rest, in.address(), toOurBroadcast, now);
        if (e != PbufHandle.NULL) {
            originate(p, e, out);
        }
    }

    // ---------------------------------------------------------------------------------- local delivery

    private int localInput(Pbufs p, int h, InetPort in, int dst, Emitter out) {
        MemorySegment s = p.segment();
        if (Ipv4Header.isFragment(s, p.address(h) + L3)) {
            h = reassembler.add(p, h, L3, now);
            if (h == PbufHandle.NULL) {
                return PbufHandle.NULL;
            }
        }
        long ip = p.address(h) + L3;
        counters.inc(Mib.ipInDelivers);
        int protocol = Ipv4Header.protocol(s, ip);
        boolean broadcast = dst != in.address() && !isOurs(dst);
        if (protocol == Ipv4Header.PROTOCOL_ICMP) {
            return icmpInput(p, h, in, broadcast, out);
        }
        LocalProtocol lp = protocols[protocol];
        if (lp != null && lp.deliver(p, h, L3, out) == LocalProtocol.TAKEN) {
            return PbufHandle.NULL;
        }
        int code = protocol == Ipv4Header.PROTOCOL_UDP || protocol == Ipv4Header.PROTOCOL_TCP || lp != null
            ? IcmpHeader.CODE_PORT_UNREACHABLE : IcmpHeader.CODE_PROTOCOL_UNREACHABLE;
        sendError(p, h, IcmpHeader.TYPE_DEST_UNREACHABLE, code, 0, in, broadcast, out);
        return drop(p, h, lp != null ? InetDrop.IP_NO_PORT : InetDrop.IP_UNKNOWN_PROTOCOL);
    }

    private int icmpInput(Pbufs p, int h, InetPort in, boolean broadcast, Emitter out) {
        counters.inc(Mib.icmpInMsgs);
        MemorySegment s = p.segment();
        long ip = p.address(h) + L3;
        int hl = Ipv4Header.headerLength(s, ip);
        int icmpLength = Ipv4Header.totalLength(s, ip) - hl;
        WireError e = IcmpHeader.check(p, h, L3 + hl, icmpLength);
        if (e != WireError.OK) {
            return drop(p, h, e, Mib.icmpInErrors);
        }
        if (p.len(h) < L3 + hl + IcmpHeader.HEADER_LENGTH) {
            h = p.pullup(h, L3 + hl + IcmpHeader.HEADER_LENGTH);
            if (h == PbufHandle.NULL) {
                counters.drop(InetDrop.IP_NO_BUFFERS);
                return PbufHandle.NULL;
            }
            s = p.segment();
            ip = p.address(h) + L3;
        }
        int type = IcmpHeader.type(s, ip + hl);
        if (type == IcmpHeader.TYPE_ECHO_REQUEST && !broadcast) {
            // RFC 1122 3.2.2.6 allows ignoring echo to a broadcast address; this plane does, against smurf attacks.
            counters.inc(Mib.icmpInEchos);
            icmp.echoReply(p, h, L3 + hl, Ipv4Header.dst(s, ip));
            originate(p, h, out);
            return PbufHandle.NULL;
        }
        counters.inc(switch (type) {
            case IcmpHeader.TYPE_DEST_UNREACHABLE -> Mib.icmpInDestUnreachs;
            case IcmpHeader.TYPE_TIME_EXCEEDED -> Mib.icmpInTimeExcds;
            default -> Mib.icmpInMsgs;
        });
        if ((type == IcmpHeader.TYPE_DEST_UNREACHABLE || type == IcmpHeader.TYPE_TIME_EXCEEDED
            || type == TYPE_PARAMETER_PROBLEM) && !broadcast && toTransport(p, h, hl, icmpLength)) {
            p.freem(h); // the transport has it (and counts it)
            return PbufHandle.NULL;
        }
        return drop(p, h, InetDrop.ICMP_NOT_ANSWERED);
    }

    /**
     * Hands an ICMP error to the transport of the datagram it quotes, when that datagram is one this host sent
     * (its quoted source is ours) and the quote holds its IP header and 8 bytes more (RFC 792).
     *
     * @return whether a transport took it (the packet stays the plane's either way)
     */
    private boolean toTransport(Pbufs p, int h, int hl, int icmpLength) {
        int quote = L3 + hl + IcmpHeader.HEADER_LENGTH;
        int quoted = icmpLength - IcmpHeader.HEADER_LENGTH;
        if (quoted < Ipv4Header.MIN_HEADER_LENGTH + 8) {
            return false;
        }
        // The most a transport reads: a 60-byte quoted header and 8 bytes. No more than the packet holds, so
        // pullup cannot fail and keeps the head.
        int need = Math.min(quote + Math.min(quoted, Ipv4Header.MAX_HEADER_LENGTH + 8), p.pktLen(h));
        if (p.len(h) < need) {
            p.pullup(h, need);
        }
        MemorySegment s = p.segment();
        long q = p.address(h) + quote;
        int qhl = Ipv4Header.headerLength(s, q);
        if (Ipv4Header.version(s, q) != 4 || qhl < Ipv4Header.MIN_HEADER_LENGTH || qhl + 8 > quoted
            || quote + qhl + 8 > p.len(h) || !isOurs(Ipv4Header.src(s, q))) {
            return false;
        }
        LocalProtocol lp = protocols[Ipv4Header.protocol(s, q)];
        if (!(lp instanceof TransportProtocol t)) {
            return false;
        }
        long icmp = p.address(h) + L3 + hl;
        t.icmpError(p, h, quote, IcmpHeader.type(s, icmp), IcmpHeader.code(s, icmp), IcmpHeader.restOfHeader(s, icmp));
        return true;
    }

    // ------------------------------------------------------------------------------------------- timers

    @Override
    public int tick(Pbufs p, long nanoTime, Emitter out) {
        now = nanoTime;
        routeReader.quiescent();
        tickOut = out;
        current = out;
        try {
            int work = 0;
            if (transports.length == 0 || nanoTime - lastTimers >= PLANE_TICK_NANOS) {
                lastTimers = nanoTime;
                work += neighbours.cache().tick(p, nanoTime, this) + reassembler.expire(p, nanoTime, this);
            }
            for (TransportProtocol t : transports) {
                work += t.tick(p, nanoTime);
            }
            return work;
        } finally {
            tickOut = null;
            current = null;
        }
    }

    /**
     * ARP and reassembly want a tick a millisecond; with transports the stage ticks more often, so that
     * what applications hand the stack (a send from another thread) waits tens of microseconds, not a
     * millisecond.
     */
    @Override
    public long tickNanos() {
        return transports.length == 0 ? PLANE_TICK_NANOS : TRANSPORT_TICK_NANOS;
    }

    @Override
    public void sendRequest(Pbufs p, int ip, int port) {
        neighbours.sendRequest(p, ip, port, tickOut);
    }

    /** A packet whose next hop never answered ARP: Host Unreachable to its source (RFC 1812 4.3.3.1). */
    @Override
    public void unresolved(Pbufs p, int packet) {
        counters.inc(Mib.arpFailed);
        int rcvif = p.rcvif(packet);
        if (rcvif < ports.length) {
            sendError(p, packet, IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_HOST_UNREACHABLE, 0, ports[rcvif],
                false, tickOut);
        }
        drop(p, packet, InetDrop.ARP_UNRESOLVED);
    }

    /** A datagram that timed out in reassembly: Time Exceeded, code 1, about its first fragment (RFC 792). */
    @Override
    public void expired(Pbufs p, int firstFragment) {
        int rcvif = p.rcvif(firstFragment);
        if (rcvif < ports.length) {
            sendError(p, firstFragment, IcmpHeader.TYPE_TIME_EXCEEDED, IcmpHeader.CODE_REASSEMBLY_TIME_EXCEEDED, 0,
                ports[rcvif], false, tickOut);
        }
        p.freem(firstFragment);
    }

    @Override
    public void release(Pbufs p) {
        for (TransportProtocol t : transports) {
            t.release(p);
        }
        neighbours.cache().freeQueued(p);
        reassembler.freeAll(p);
        routeReader.offline();
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The emitter of the packet or tick in progress, or null between two of them (for {@link LocalOutput}). */
    Emitter currentEmitter() {
        return current;
    }

    InetPort[] ports() {
        return ports;
    }

    /** The next-hop id for {@code dst}, or {@link RouteTable#NO_ROUTE} (a blackhole route counts as none). */
    int lookup(int dst) {
        int hop = routes.lookup(dst);
        return hop == RouteTable.NO_ROUTE || (hops.flags(hop) & NextHopTable.FLAG_BLACKHOLE) != 0
            ? RouteTable.NO_ROUTE : hop;
    }

    InetPort egress(int hop) {
        return ports[hops.port(hop)];
    }

    /** The neighbour a datagram to {@code dst} goes to through next hop {@code hop}: its gateway, or dst itself. */
    int nextHop(int hop, int dst) {
        int gateway = hops.gateway(hop);
        return gateway == NextHopTable.NO_GATEWAY ? dst : gateway;
    }

    private boolean isOurs(int ip) {
        return InetPort.anyHas(ports, ip);
    }

    private boolean isOurBroadcast(int ip) {
        for (InetPort port : ports) {
            if (port.prefixLength() < 31 && port.broadcast() == ip) {
                return true;
            }
        }
        return false;
    }

    private int drop(Pbufs p, int h, InetDrop reason) {
        counters.drop(reason);
        p.freem(h);
        return PbufHandle.NULL;
    }

    private int drop(Pbufs p, int h, WireError e, Mib mib) {
        counters.drop(e, mib);
        p.freem(h);
        return PbufHandle.NULL;
    }
}
