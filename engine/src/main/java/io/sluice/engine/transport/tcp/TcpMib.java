package io.sluice.engine.transport.tcp;

/**
 * TCP's protocol counters under their MIB-2 names (RFC 4022 TCP-MIB, RFC 1213), so that they read like {@code
 * netstat -s}; counters MIB-2 lacks are named in the same style (Linux's TcpExt names where they exist).
 */
public enum TcpMib {
    /** SYN-SENT entered from CLOSED (connect). */
    tcpActiveOpens,
    /** SYN-RECEIVED entered from LISTEN. */
    tcpPassiveOpens,
    /** SYN-SENT or SYN-RECEIVED went to CLOSED (or SYN-RECEIVED back to LISTEN). */
    tcpAttemptFails,
    /** ESTABLISHED or CLOSE-WAIT went to CLOSED by a reset. */
    tcpEstabResets,
    /** Segments received, errors included. */
    tcpInSegs,
    /** Segments sent, retransmissions excluded. */
    tcpOutSegs,
    /** Segments retransmitted. */
    tcpRetransSegs,
    /** Segments received in error (checksum, header). */
    tcpInErrs,
    /** Segments sent with RST. */
    tcpOutRsts,

    /** Challenge ACKs sent (RFC 5961). */
    tcpChallengeAcks,
    /** Retransmission timeouts. */
    tcpTimeouts,
    /** Fast retransmits (RFC 5681 3.2). */
    tcpFastRetrans,
    /** Zero-window probes sent (RFC 9293 3.8.6.1). */
    tcpWindowProbes,
    /** Keepalive probes sent (RFC 1122 4.2.3.6). */
    tcpKeepaliveProbes,
    /** Delayed ACKs sent when their timer fired (RFC 1122 4.2.3.2). */
    tcpDelayedAcks,
    /** Segments queued out of order. */
    tcpOfoQueued,
    /** Segments sent smaller, in one pbuf from the pool's reserve, because the pool was dry. */
    tcpReserveSegs,
    /** Out-of-order queues freed because the pool was dry. */
    tcpOfoPruned,
    /** SYN cookies sent because a listener's backlog was full. */
    tcpSynCookiesSent,
    /** Connections established from a valid SYN cookie. */
    tcpSynCookiesRecv,
    /** TIME-WAIT connections that gave their block up early to a new connection, the table being full. */
    tcpTimeWaitRecycled,
    /** TIME-WAIT connections whose tuple a new SYN took over, its sequence number past the old one's (RFC 6191). */
    tcpTimeWaitReused,
}
