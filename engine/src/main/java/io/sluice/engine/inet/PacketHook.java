package io.sluice.engine.inet;

import io.sluice.engine.pbuf.Pbufs;

/**
 * The embedding application's view of the fast path: called on the IP stage's thread for every IPv4 datagram
 * that passed the input checks, before it is routed or delivered. It may read it, rewrite it in place (then it
 * fixes the checksums it broke), or drop it. It must not block, and should not allocate.
 */
@FunctionalInterface
public interface PacketHook {
    /** Route or deliver the packet as usual. */
    int PASS = 0;
    /** Drop the packet: the plane frees it and counts IP_HOOK_DROPPED. */
    int DROP = 1;
    /** The hook took the packet (queued or freed it itself); the plane forgets it. */
    int STOLEN = 2;

    /**
     * @param packet   the frame: an Ethernet header, then the IPv4 datagram at {@code l3Offset}
     * @param rcvif    the index of the port it came in on
     * @return {@link #PASS}, {@link #DROP} or {@link #STOLEN}
     */
    int onPacket(Pbufs p, int packet, int l3Offset, int rcvif);

    /** The hook that passes everything. */
    PacketHook NONE = (p, packet, l3Offset, rcvif) -> PASS;
}
