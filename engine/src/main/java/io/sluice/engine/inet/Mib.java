package io.sluice.engine.inet;

/**
 * The protocol counters the forwarding plane keeps, under their MIB-2 names (RFC 4293 IP-MIB for IPv4 and
 * ICMP, RFC 1213 for the ones IP-MIB kept) so that they read like {@code netstat -s} and SNMP. ARP and Ethernet
 * have no MIB-2 counters of their own; theirs are named in the same style.
 */
public enum Mib {
    // Ethernet and ARP (no MIB-2 group)
    ethInFrames,
    ethInDiscards,
    arpInRequests,
    arpInReplies,
    arpOutRequests,
    arpOutReplies,
    arpInDiscards,
    arpResolved,
    arpFailed,

    // IP (RFC 4293 ipSystemStats names; the RFC 1213 spelling where the two agree)
    ipInReceives,
    ipInHdrErrors,
    ipInAddrErrors,
    ipInNoRoutes,
    ipInUnknownProtos,
    ipInTruncatedPkts,
    ipInDiscards,
    ipInDelivers,
    ipForwDatagrams,
    ipOutRequests,
    ipOutDiscards,
    ipOutNoRoutes,
    ipOutTransmits,
    ipReasmReqds,
    ipReasmOKs,
    ipReasmFails,
    ipFragOKs,
    ipFragFails,
    ipFragCreates,

    // ICMP (RFC 4293 icmpStats and the per-type counters of RFC 1213)
    icmpInMsgs,
    icmpInErrors,
    icmpInEchos,
    icmpInDestUnreachs,
    icmpInTimeExcds,
    icmpOutMsgs,
    icmpOutErrors,
    icmpOutEchoReps,
    icmpOutDestUnreachs,
    icmpOutTimeExcds,
    icmpOutRateLimited,
}
