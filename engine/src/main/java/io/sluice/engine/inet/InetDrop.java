package io.sluice.engine.inet;

import io.sluice.engine.wire.WireError;

/**
 * Why the forwarding plane dropped a packet, one counter each. Malformed headers are counted under their
 * {@link WireError} instead; these are the reasons beyond the wire format. Each names the MIB-2 counter it
 * also feeds, so the totals in {@link Mib} stay whole.
 */
public enum InetDrop {
    /** A frame longer than the port's MTU plus the Ethernet header (and a tag). */
    ETH_OVERSIZE(Mib.ethInDiscards),
    /** An EtherType the plane does not handle (IPv6, LLDP, ...). */
    ETH_UNKNOWN_TYPE(Mib.ethInDiscards),
    /** An 802.1Q-tagged frame: recognised, but the plane forwards untagged traffic only. */
    ETH_VLAN_UNSUPPORTED(Mib.ethInDiscards),
    /** A frame whose rcvif names no port of the plane (a pipeline wired to more inputs than the plane has ports). */
    ETH_UNKNOWN_PORT(Mib.ethInDiscards),
    /** A unicast frame for another station's MAC (the port is promiscuous or the peer is confused). */
    ETH_NOT_FOR_US(Mib.ethInDiscards),

    /** ARP whose sender claims a broadcast or multicast MAC: never believed. */
    ARP_BOGUS_SENDER(Mib.arpInDiscards),
    /** ARP from a sender claiming one of our own addresses. */
    ARP_ADDRESS_CONFLICT(Mib.arpInDiscards),
    /** ARP about someone else, for a neighbour not in the cache: nothing to learn, nothing to answer. */
    ARP_NOT_FOR_US(Mib.arpInDiscards),
    /** The next hop's queue of packets waiting for ARP was full. */
    ARP_QUEUE_FULL(Mib.ipOutDiscards),
    /** The next hop never answered ARP; its queued packets were dropped (and Host Unreachable sent). */
    ARP_UNRESOLVED(Mib.ipOutDiscards),
    /** The ARP cache had no room for another neighbour. */
    ARP_CACHE_FULL(Mib.ipOutDiscards),

    /** A martian source: 0/8, 127/8, multicast, class E, the limited broadcast (RFC 1812 5.3.7). */
    IP_MARTIAN_SOURCE(Mib.ipInAddrErrors),
    /** A martian destination: 0/8, 127/8, class E (RFC 1812 5.3.7). */
    IP_MARTIAN_DESTINATION(Mib.ipInAddrErrors),
    /** A multicast destination: the plane does not route multicast. */
    IP_MULTICAST(Mib.ipInAddrErrors),
    /** A packet from the link's broadcast or multicast MAC that would have to be forwarded (RFC 1812 5.3.4). */
    IP_LINK_BROADCAST(Mib.ipInAddrErrors),
    /** No route to the destination (ICMP Net Unreachable sent). */
    IP_NO_ROUTE(Mib.ipInNoRoutes),
    /** TTL 0 or 1 on a packet to forward (ICMP Time Exceeded sent). */
    IP_TTL_EXCEEDED(Mib.ipInHdrErrors),
    /** Larger than the egress MTU with DF set (ICMP Fragmentation Needed sent). */
    IP_FRAG_NEEDED(Mib.ipFragFails),
    /** A fragment could not be built: the pool or the batch had no room. */
    IP_FRAG_NO_BUFFERS(Mib.ipFragFails),
    /** The egress MTU cannot carry the datagram's header and 8 bytes of payload (RFC 791: 68 is the least). */
    IP_FRAG_MTU_TOO_SMALL(Mib.ipFragFails),
    /** A fragment to fragment again whose pieces would start past the 13-bit offset field (it is malformed). */
    IP_FRAG_BAD_OFFSET(Mib.ipFragFails),
    /** A datagram for us with a protocol nobody handles (ICMP Protocol or Port Unreachable sent). */
    IP_UNKNOWN_PROTOCOL(Mib.ipInUnknownProtos),
    /** A packet the application's hook dropped. */
    IP_HOOK_DROPPED(Mib.ipInDiscards),
    /** The pool had no pbuf for the copy or header the packet needed. */
    IP_NO_BUFFERS(Mib.ipInDiscards),
    /** The batch had no room for one more emitted packet (a burst of replies or fragments). */
    IP_OUTPUT_FULL(Mib.ipOutDiscards),
    /**
     * A datagram for us that a transport took but found no socket for: the transport counted it under its own
     * MIB-2 counter (udpNoPorts) and the plane sent Port Unreachable when RFC 1122 allows.
     */
    IP_NO_PORT(null),
    /** A datagram this host sends to one of its own addresses: the plane has no loopback interface. */
    IP_OUT_TO_SELF(Mib.ipOutDiscards),
    /** A datagram this host sends that would be longer than 65535 bytes with its IP header. */
    IP_OUT_TOO_LONG(Mib.ipOutDiscards),
    /** A datagram this host sends with DF over the egress MTU (RFC 1191: the transport should have known). */
    IP_OUT_FRAG_NEEDED(Mib.ipFragFails),

    /** Reassembly: a fragment that overlaps another of its datagram; the whole datagram is dropped. */
    REASM_OVERLAP(Mib.ipReasmFails),
    /** Reassembly: the datagram did not complete in time. */
    REASM_TIMEOUT(Mib.ipReasmFails),
    /** Reassembly: no room for another datagram, or this datagram has too many fragments. */
    REASM_LIMIT(Mib.ipReasmFails),
    /** Reassembly: the pbufs held by datagrams in reassembly reached their limit. */
    REASM_PBUF_LIMIT(Mib.ipReasmFails),
    /** Reassembly: a fragment that is malformed (offset + length past 65535, a non-last one not a multiple of 8). */
    REASM_BAD_FRAGMENT(Mib.ipReasmFails),
    /**
     * Reassembly: an exact duplicate of a fragment already held (same offset, length, MF and payload bytes),
     * as networks make (RFC 8200 4.5). Only the copy is dropped and the datagram goes on: not a failure of
     * reassembly, so no MIB-2 counter. A copy whose bytes differ is an overlap ({@link #REASM_OVERLAP}).
     */
    REASM_DUPLICATE(null),

    /** An ICMP message the plane does not answer (replies, errors to us, unknown types): counted and freed. */
    ICMP_NOT_ANSWERED(null),
    /** An ICMP error the rate limit held back (the packet that caused it is dropped all the same). */
    ICMP_RATE_LIMITED(null);

    private final Mib mib;

    InetDrop(Mib mib) {
        this.mib = mib;
    }

    /** The MIB-2 counter this drop also counts under, or null. */
    public Mib mib() {
        return mib;
    }
}
