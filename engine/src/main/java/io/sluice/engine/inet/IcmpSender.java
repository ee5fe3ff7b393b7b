package io.sluice.engine.inet;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Checksum;
import io.sluice.engine.wire.EthernetFrame;
import io.sluice.engine.wire.IcmpHeader;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.MacAddress;
import java.lang.foreign.MemorySegment;

/**
 * Builds ICMP messages: errors about a datagram (RFC 792, with RFC 1812 4.3.2's rules on what to quote, when
 * never to send, and the rate limit) and echo replies. It only builds them; {@link ForwardingPlane} routes them.
 */
final class IcmpSender {
    /** RFC 1812 4.3.2.3: an error quotes as much of the datagram as fits in 576 bytes. */
    static final int MAX_ERROR_DATAGRAM = 576;
    private static final int L3 = EthernetFrame.HEADER_LENGTH;
    private static final int QUOTE_OFFSET = L3 + Ipv4Header.MIN_HEADER_LENGTH + IcmpHeader.HEADER_LENGTH;
    /** Bytes of IP datagram one pbuf holds behind the link layer's headroom and header. */
    private static final int SINGLE_PBUF = io.sluice.engine.pbuf.PbufDescriptor.PHLEN - Layer.LINK.headroom() - L3;

    private final InetCounters counters;
    private final IcmpRateLimiter limiter;
    private final int ttl;
    private int identification;

    IcmpSender(InetCounters counters, IcmpRateLimiter limiter, int ttl) {
        this.counters = counters;
        this.limiter = limiter;
        this.ttl = ttl;
    }

    /**
     * Whether RFC 1812 4.3.2.7 allows an error about this datagram: not about an ICMP error, a datagram to a
     * broadcast or multicast address (IP or link), a non-initial fragment, or one whose source is not a single
     * host. Reads the frame's link and IP headers in its first pbuf, and the ICMP type through the chain.
     */
    static boolean mayReport(Pbufs p, int original, boolean toOurBroadcast) {
        MemorySegment s = p.segment();
        long eth = p.address(original);
        long ip = eth + L3;
        if (toOurBroadcast || MacAddress.isMulticast(EthernetFrame.dst(s, eth))) {
            return false;
        }
        int dst = Ipv4Header.dst(s, ip);
        if (Martians.isMulticast(dst) || Martians.isLimitedBroadcast(dst)) {
            return false;
        }
        if (!Martians.isUnicastHost(Ipv4Header.src(s, ip)) || Ipv4Header.fragmentOffset(s, ip) != 0) {
            return false;
        }
        if (Ipv4Header.protocol(s, ip) == Ipv4Header.PROTOCOL_ICMP) {
            int hl = Ipv4Header.headerLength(s, ip);
            if (Ipv4Header.totalLength(s, ip) < hl + 1) {
                return true;
            }
            // Past the headers the plane made contiguous (a 60-byte IP header ends where its pullup does).
            long type = p.locate(original, L3 + hl);
            if (type < 0) {
                return false;
            }
            return switch (p.getByte(Pbufs.locatedPbuf(type), Pbufs.locatedOffset(type)) & 0xFF) {
                case IcmpHeader.TYPE_ECHO_REQUEST, IcmpHeader.TYPE_ECHO_REPLY, 13, 14, 15, 16, 17, 18 -> true;
                default -> false; // an error, or a type we cannot tell is not one: stay quiet
            };
        }
        return true;
    }

    /**
     * Builds an error about the datagram in {@code original} (a frame with the IP header at offset 14),
     * addressed to its source from {@code from}. The original stays the caller's.
     *
     * @return the error as a frame whose link header still needs its MACs, or NULL when the rules or the rate
     *     limit forbid it, or no pbuf was free (counted)
     */
    int error(Pbufs p, int original, int type, int code, int rest, int from, boolean toOurBroadcast, long now) {
        MemorySegment s = p.segment();
        long eth = p.address(original);
        long ip = eth + L3;
        if (!mayReport(p, original, toOurBroadcast)) {
            return PbufHandle.NULL;
        }
        if (!limiter.tryAcquire(now)) {
            counters.inc(Mib.icmpOutRateLimited);
            return PbufHandle.NULL;
        }
        // As much as fits in 576 bytes, and in one pbuf: the rest of a long datagram adds nothing a sender needs
        // to match the error to its datagram (RFC 1812 4.3.2.3 says SHOULD, not MUST).
        int quoted = Math.min(Math.min(Ipv4Header.totalLength(s, ip), p.pktLen(original) - L3),
            Math.min(MAX_ERROR_DATAGRAM, SINGLE_PBUF) - Ipv4Header.MIN_HEADER_LENGTH - IcmpHeader.HEADER_LENGTH);
        int total = Ipv4Header.MIN_HEADER_LENGTH + IcmpHeader.HEADER_LENGTH + quoted;
        int h = p.alloc(Layer.LINK, L3 + total);
        if (h == PbufHandle.NULL) {
            counters.inc(Mib.icmpOutErrors);
            return PbufHandle.NULL;
        }
        p.copydata(original, L3, quoted, s, p.address(h) + QUOTE_OFFSET);
        long e = p.address(h);
        EthernetFrame.write(s, e, MacAddress.ZERO, MacAddress.ZERO, EthernetFrame.ETHERTYPE_IPV4);
        Ipv4Header.write(s, e + L3, 0xC0, total, nextId(), 0, ttl, Ipv4Header.PROTOCOL_ICMP, from,
            Ipv4Header.src(s, ip)); // TOS 0xC0: internetwork control (RFC 1812 4.3.2.5)
        IcmpHeader.write(s, e + L3 + Ipv4Header.MIN_HEADER_LENGTH, type, code, rest);
        IcmpHeader.fillChecksum(s, e + L3 + Ipv4Header.MIN_HEADER_LENGTH, IcmpHeader.HEADER_LENGTH + quoted);
        counters.inc(Mib.icmpOutMsgs);
        counters.inc(switch (type) {
            case IcmpHeader.TYPE_TIME_EXCEEDED -> Mib.icmpOutTimeExcds;
            default -> Mib.icmpOutDestUnreachs;
        });
        return h;
    }

    /**
     * Turns an echo request (a frame, IP at offset 14, ICMP at {@code icmpOffset}) into its reply in place:
     * addresses swapped (from {@code from}), type 0, TTL reset, checksums updated.
     */
    void echoReply(Pbufs p, int h, int icmpOffset, int from) {
        MemorySegment s = p.segment();
        long ip = p.address(h) + L3;
        long icmp = p.address(h) + icmpOffset;
        int src = Ipv4Header.src(s, ip);
        Ipv4Header.setSrc(s, ip, from);
        Ipv4Header.setDst(s, ip, src);
        Ipv4Header.setTtl(s, ip, ttl);
        Ipv4Header.setFlagsFragment(s, ip, 0);
        Ipv4Header.fillChecksum(s, ip);
        // Type 8 -> 0 changes one 16-bit word (type and code): RFC 1624's update, no pass over the payload.
        int oldWord = IcmpHeader.type(s, icmp) << 8 | IcmpHeader.code(s, icmp);
        IcmpHeader.setType(s, icmp, IcmpHeader.TYPE_ECHO_REPLY);
        IcmpHeader.setChecksum(s, icmp, Checksum.update16(IcmpHeader.checksum(s, icmp), oldWord,
            IcmpHeader.TYPE_ECHO_REPLY << 8 | IcmpHeader.code(s, icmp)));
        counters.inc(Mib.icmpOutMsgs);
        counters.inc(Mib.icmpOutEchoReps);
    }

    int nextId() {
        identification = (identification + 1) & 0xFFFF;
        return identification;
    }
}
