package io.sluice.engine.inet;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.wire.ArpPacket;
import io.sluice.engine.wire.EthernetFrame;
import io.sluice.engine.wire.MacAddress;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.MemorySegment;

/**
 * ARP for the plane (RFC 826, RFC 1122 2.3.2): answers requests for our addresses, learns from requests and
 * replies (never from one whose sender claims a broadcast or multicast MAC), sends requests, and releases the
 * packets that waited for a neighbour once it answers. The packets it sends go through the stage's
 * {@link Emitter}.
 */
final class Neighbours {
    /** An ARP packet in an Ethernet frame: 14 + 28 bytes, padded to the 60-byte minimum. */
    private static final int FRAME_LENGTH = EthernetFrame.MIN_FRAME_LENGTH;

    private final InetPort[] ports;
    private final ArpCache cache;
    private final InetCounters counters;

    Neighbours(InetPort[] ports, ArpCache cache, InetCounters counters) {
        this.ports = ports;
        this.cache = cache;
        this.counters = counters;
    }

    ArpCache cache() {
        return cache;
    }

    /**
     * Handles an ARP frame from port {@code in}: always consumes it.
     *
     * @return the frame turned into our reply (to pass on), or NULL
     */
    int input(Pbufs p, int h, InetPort in, Emitter out, long now) {
        MemorySegment s = p.segment();
        long arp = p.address(h) + EthernetFrame.HEADER_LENGTH;
        WireError e = ArpPacket.check(s, arp, p.len(h) - EthernetFrame.HEADER_LENGTH);
        if (e != WireError.OK) {
            counters.drop(e, Mib.arpInDiscards);
            p.freem(h);
            return PbufHandle.NULL;
        }
        int op = ArpPacket.operation(s, arp);
        counters.inc(op == ArpPacket.OP_REQUEST ? Mib.arpInRequests : Mib.arpInReplies);
        long sha = ArpPacket.senderMac(s, arp);
        int spa = ArpPacket.senderIp(s, arp);
        int tpa = ArpPacket.targetIp(s, arp);
        if (MacAddress.isMulticast(sha) || sha == MacAddress.ZERO) {
            return drop(p, h, InetDrop.ARP_BOGUS_SENDER);
        }
        if (isOurs(spa)) {
            return drop(p, h, InetDrop.ARP_ADDRESS_CONFLICT);
        }
        boolean forUs = tpa == in.address();
        // RFC 826: update a sender we know; add it only if the packet was for us. A probe (spa 0) teaches nothing.
        if (spa != 0 && (forUs || cache.contains(spa))) {
            int waiting = cache.learn(p, spa, sha, in.index(), forUs, now);
            if (waiting != PbufHandle.NULL) {
                counters.inc(Mib.arpResolved);
                release(p, waiting, sha, out);
            }
        } else if (!forUs) {
            return drop(p, h, InetDrop.ARP_NOT_FOR_US);
        }
        if (op != ArpPacket.OP_REQUEST || !forUs) {
            p.freem(h);
            return PbufHandle.NULL;
        }
        // Turn the request into the reply in place: same frame, same length.
        long eth = p.address(h);
        EthernetFrame.write(s, eth, sha, in.mac(), EthernetFrame.ETHERTYPE_ARP);
        ArpPacket.write(s, arp, ArpPacket.OP_REPLY, in.mac(), in.address(), sha, spa);
        p.setTxif(h, in.index());
        counters.inc(Mib.arpOutReplies);
        return h;
    }

    private int drop(Pbufs p, int h, InetDrop reason) {
        counters.drop(reason);
        p.freem(h);
        return PbufHandle.NULL;
    }

    private boolean isOurs(int ip) {
        return InetPort.anyHas(ports, ip);
    }

    /** Sends the packets that waited for a neighbour now at {@code mac}: their link header lacks only the MAC. */
    void release(Pbufs p, int first, long mac, Emitter out) {
        MemorySegment s = p.segment();
        for (int h = first; h != PbufHandle.NULL; ) {
            int next = p.nextPkt(h);
            p.setNextPkt(h, PbufHandle.NULL);
            EthernetFrame.setDst(s, p.address(h), mac);
            if (!out.emit(h)) {
                counters.drop(InetDrop.IP_OUTPUT_FULL);
                p.freem(h);
            } else {
                counters.inc(Mib.ipOutTransmits);
            }
            h = next;
        }
    }

    /** Broadcasts a request for {@code ip} out of port {@code portIndex}. */
    void sendRequest(Pbufs p, int ip, int portIndex, Emitter out) {
        InetPort port = ports[portIndex];
        int h = p.alloc(Layer.LINK, FRAME_LENGTH);
        if (h == PbufHandle.NULL) {
            counters.drop(InetDrop.IP_NO_BUFFERS);
            return;
        }
        MemorySegment s = p.segment();
        long eth = p.address(h);
        s.asSlice(eth, FRAME_LENGTH).fill((byte) 0);
        EthernetFrame.write(s, eth, MacAddress.BROADCAST, port.mac(), EthernetFrame.ETHERTYPE_ARP);
        ArpPacket.write(s, eth + EthernetFrame.HEADER_LENGTH, ArpPacket.OP_REQUEST, port.mac(), port.address(),
            MacAddress.ZERO, ip);
        p.setTxif(h, portIndex);
        if (out.emit(h)) {
            counters.inc(Mib.arpOutRequests);
        } else {
            counters.drop(InetDrop.IP_OUTPUT_FULL);
            p.freem(h);
        }
    }
}
