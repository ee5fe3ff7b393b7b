package io.sluice.engine.inet;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.route.RouteTable;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.wire.EthernetFrame;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.MacAddress;
import java.lang.foreign.MemorySegment;

/**
 * The plane's output path for datagrams this host originates (RFC 1122 3.3.1, RFC 791 3.2): the transport's
 * segment gets an IPv4 header and the room for an Ethernet header prepended into its headroom (no copy), is
 * routed with the plane's table, fragmented to the egress MTU unless DF, and resolved through ARP (queued while
 * the neighbour is unknown) by the same code that forwards. Runs on the IP stage's thread, inside the plane's
 * {@code process} or {@code tick}: only there is there an {@link Emitter} to send through.
 */
final class LocalOutput implements IpOutput {
    /**
     * The {@code rcvif} of a locally made datagram: no port received it, so an ARP failure or a reassembly
     * timeout about it must not be answered with an ICMP error "to its source", which is this host.
     */
    static final int LOCAL_RCVIF = 0xFFFF;
    private static final int L3 = EthernetFrame.HEADER_LENGTH;
    private static final int HEADERS = L3 + Ipv4Header.MIN_HEADER_LENGTH;
    private static final int MAX_DATAGRAM = 65_535;

    private final ForwardingPlane plane;
    private final InetCounters counters;
    private int identification;

    LocalOutput(ForwardingPlane plane, InetCounters counters) {
        this.plane = plane;
        this.counters = counters;
    }

    @Override
    public int send(Pbufs p, int segment, int src, int dst, int protocol, int tos, boolean dontFragment) {
        Emitter out = plane.currentEmitter();
        if (out == null) {
            return NO_ROOM; // called between two work loops (a stage command): the caller retries from its tick
        }
        int length = p.pktLen(segment);
        int hop = plane.lookup(dst);
        InetPort egress = hop == RouteTable.NO_ROUTE ? null : plane.egress(hop);
        int total = length + Ipv4Header.MIN_HEADER_LENGTH;
        int fragments = 1;
        if (egress != null && total > egress.mtu()) {
            // Fragments carry multiples of 8 bytes (RFC 791); an MTU too small for one is the fragmenter's to count.
            int chunk = Math.max(8, (egress.mtu() - Ipv4Header.MIN_HEADER_LENGTH) & ~7);
            fragments = (length + chunk - 1) / chunk;
        }
        // Room for every fragment and an ARP request, checked before the segment is touched: on NO_ROOM it must
        // still be exactly what the caller gave.
        if (egress != null && !dontFragmentRefuses(total, egress, dontFragment) && out.room() < fragments + 1) {
            return NO_ROOM;
        }
        counters.inc(Mib.ipOutRequests);
        if (egress == null) {
            counters.inc(Mib.ipOutNoRoutes);
            p.freem(segment);
            return DROPPED;
        }
        if (InetPort.anyHas(plane.ports(), dst)) {
            return drop(p, segment, InetDrop.IP_OUT_TO_SELF);
        }
        if (total > MAX_DATAGRAM) {
            return drop(p, segment, InetDrop.IP_OUT_TOO_LONG);
        }
        if (dontFragmentRefuses(total, egress, dontFragment)) {
            return drop(p, segment, InetDrop.IP_OUT_FRAG_NEEDED);
        }
        int h = p.prepend(segment, HEADERS); // within Layer.IP's headroom: moves the data offset, copies nothing
        if (h == PbufHandle.NULL) { // prepend freed it
            counters.drop(InetDrop.IP_NO_BUFFERS);
            return DROPPED;
        }
        MemorySegment s = p.segment();
        long eth = p.address(h);
        EthernetFrame.write(s, eth, MacAddress.ZERO, egress.mac(), EthernetFrame.ETHERTYPE_IPV4);
        identification = (identification + 1) & 0xFFFF;
        Ipv4Header.write(s, eth + L3, tos, total, identification, dontFragment ? Ipv4Header.FLAG_DF : 0, DEFAULT_TTL,
            protocol, src, dst);
        p.setRcvif(h, LOCAL_RCVIF);
        p.setLayerOffsets(h, 0, L3, HEADERS);
        int frame = plane.output(p, h, egress, plane.nextHop(hop, dst), out);
        if (frame != PbufHandle.NULL && !out.emit(frame)) {
            drop(p, frame, InetDrop.IP_OUTPUT_FULL); // not expected: the room was checked above
        }
        return SENT;
    }

    private static boolean dontFragmentRefuses(int total, InetPort egress, boolean dontFragment) {
        return dontFragment && total > egress.mtu();
    }

    private int drop(Pbufs p, int h, InetDrop reason) {
        counters.drop(reason);
        p.freem(h);
        return DROPPED;
    }

    @Override
    public int sourceFor(int dst) {
        int hop = plane.lookup(dst);
        return hop == RouteTable.NO_ROUTE ? 0 : plane.egress(hop).address();
    }

    @Override
    public int mtuFor(int dst) {
        int hop = plane.lookup(dst);
        return hop == RouteTable.NO_ROUTE ? 0 : plane.egress(hop).mtu();
    }

    @Override
    public boolean isLocal(int address) {
        return InetPort.anyHas(plane.ports(), address);
    }
}
