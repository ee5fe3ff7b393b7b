package io.sluice.engine.wire;

/**
 * What a {@code check} found wrong with a received header, or {@link #OK}. Each constant names one reason to
 * drop a packet, and its name is the name of that reason's drop counter, so names are stable: add constants,
 * never rename them. Returning a constant allocates nothing; the data path never throws for bad input.
 */
public enum WireError {
    /** Nothing wrong: every getter of the view reads inside the checked bytes. */
    OK,

    /** Ethernet: fewer than 14 bytes, no room for destination, source and EtherType (a runt). */
    ETH_TOO_SHORT,
    /** Ethernet: EtherType 0x8100 (IEEE 802.1Q tag) but fewer than 18 bytes for the tag and the inner type. */
    ETH_VLAN_TOO_SHORT,

    /** ARP: fewer than the 28 bytes of an Ethernet/IPv4 ARP packet (RFC 826). */
    ARP_TOO_SHORT,
    /** ARP: hardware type is not 1 (Ethernet), the only one handled. */
    ARP_BAD_HTYPE,
    /** ARP: protocol type is not 0x0800 (IPv4), the only one handled. */
    ARP_BAD_PTYPE,
    /** ARP: hardware address length is not 6, as Ethernet requires. */
    ARP_BAD_HLEN,
    /** ARP: protocol address length is not 4, as IPv4 requires. */
    ARP_BAD_PLEN,
    /** ARP: operation is neither request (1) nor reply (2). */
    ARP_BAD_OPERATION,

    /** IPv4: fewer than 20 bytes, the minimum legal datagram (RFC 1812 5.2.2 (1)). */
    IP_TOO_SHORT,
    /** IPv4: version field is not 4 (RFC 1812 5.2.2 (3)). */
    IP_BAD_VERSION,
    /** IPv4: IHL below 5, a header shorter than the 20 fixed bytes (RFC 1812 5.2.2 (4)). */
    IP_BAD_IHL,
    /** IPv4: IHL * 4 is more than the bytes received: the header itself is cut off. */
    IP_HEADER_TRUNCATED,
    /** IPv4: the header checksum does not verify (RFC 1812 5.2.2 (2)). */
    IP_BAD_CHECKSUM,
    /** IPv4: total length is smaller than the header (RFC 1812 5.2.2 (5)). */
    IP_BAD_TOTAL_LENGTH,
    /** IPv4: total length is more than the link layer delivered: the datagram is cut off (RFC 1812 5.2.2). */
    IP_TRUNCATED,

    /** ICMP: fewer than the 8 bytes of the header (RFC 792). */
    ICMP_TOO_SHORT,
    /** ICMP: the checksum over the ICMP message does not verify (RFC 792; RFC 1122 3.2.2 says drop it). */
    ICMP_BAD_CHECKSUM,

    /** UDP: fewer than the 8 bytes of the header (RFC 768). */
    UDP_TOO_SHORT,
    /** UDP: length field below 8, shorter than the header itself (RFC 768). */
    UDP_BAD_LENGTH,
    /** UDP: length field is more than the bytes the IP datagram carries: the datagram is cut off. */
    UDP_TRUNCATED,
    /** UDP: a non-zero checksum that does not verify over the pseudo-header and datagram (RFC 768, RFC 1122 4.1.3.4). */
    UDP_BAD_CHECKSUM,

    /** TCP: fewer than the 20 bytes of the fixed header (RFC 9293 3.1). */
    TCP_TOO_SHORT,
    /** TCP: data offset below 5, a header shorter than its fixed part (RFC 9293 3.1). */
    TCP_BAD_DATA_OFFSET,
    /** TCP: data offset * 4 is more than the bytes the IP datagram carries: the header is cut off. */
    TCP_HEADER_TRUNCATED,
    /** TCP: an option whose length runs past the header or is below 2, or a known option of the wrong size. */
    TCP_BAD_OPTION,
    /** TCP: the checksum over the pseudo-header and segment does not verify (RFC 9293 3.1, MUST-2). */
    TCP_BAD_CHECKSUM
}
