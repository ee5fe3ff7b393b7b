package io.sluice.engine.transport.udp;

/**
 * UDP's counters under their MIB-2 names (RFC 4113 UDP-MIB: udpInDatagrams, udpNoPorts, udpInErrors,
 * udpOutDatagrams) and, for what MIB-2 lumps into udpInErrors, Linux's names from {@code /proc/net/snmp}
 * (RcvbufErrors, SndbufErrors, InCsumErrors), so that the figures read like {@code netstat -su}.
 */
public enum UdpMib {
    /** Datagrams delivered to a socket (handler or receive queue). */
    udpInDatagrams,
    /** Datagrams for a port nobody is bound to (Port Unreachable sent when RFC 1122 4.1.3.1 allows). */
    udpNoPorts,
    /** Datagrams that could not be delivered for another reason than no port (bad header, checksum, queue full). */
    udpInErrors,
    /** Datagrams handed to IP. */
    udpOutDatagrams,
    /** Datagrams dropped because the socket's receive queue was full (part of udpInErrors). */
    udpRcvbufErrors,
    /** Datagrams an application sent that could not go out (no pbufs, too long, no route). */
    udpSndbufErrors,
    /** Datagrams whose checksum did not verify (part of udpInErrors). */
    udpInCsumErrors,
    /** ICMP errors about datagrams UDP sent that reached a connected socket (Sluice's own; no MIB-2 name). */
    udpIcmpErrors,
    /** ICMP errors about datagrams UDP sent that no connected socket matched: counted, not reported. */
    udpIcmpErrorsIgnored,
}
