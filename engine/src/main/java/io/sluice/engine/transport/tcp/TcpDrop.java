package io.sluice.engine.transport.tcp;

/**
 * Why TCP dropped a segment, one counter each; malformed headers are counted under their {@link
 * io.sluice.engine.wire.WireError} instead. Each names the {@link TcpMib} counter it also feeds, or null.
 */
public enum TcpDrop {
    /** The segment's destination is not one of our addresses (broadcast, multicast): never answered. */
    NOT_LOCAL(null),
    /** No connection and no listener: a RST was sent (RFC 9293 3.10.7.1). */
    NO_SOCKET(null),
    /** A RST for no connection: dropped silently (RFC 9293 3.10.7.1). */
    RST_NO_SOCKET(null),
    /** A segment to a listener that is neither a SYN nor a RST, or an ACK that is not a valid cookie. */
    LISTEN_BAD_SEGMENT(null),
    /** A listener's SYN backlog was full (and SYN cookies are off). */
    LISTEN_OVERFLOW(null),
    /** The connection table was full. */
    TABLE_FULL(null),
    /** The acceptor refused the connection. */
    ACCEPT_REFUSED(null),
    /** Outside the receive window (RFC 9293 3.10.7.4, first check): an ACK was sent. */
    OUT_OF_WINDOW(null),
    /** A RST outside the window (RFC 5961 3.2): ignored. */
    RST_OUT_OF_WINDOW(null),
    /** A RST in TIME-WAIT: ignored, against TIME-WAIT assassination (RFC 1337 4, fix F1). */
    RST_IN_TIME_WAIT(null),
    /** A RST in the window but not at RCV.NXT (RFC 5961 3.2): a challenge ACK was sent. */
    RST_CHALLENGED(null),
    /** A SYN in a synchronized state (RFC 5961 4.2): a challenge ACK was sent. */
    SYN_CHALLENGED(null),
    /** An ACK of data never sent, or too old (RFC 5961 5.2): a challenge ACK was sent. */
    ACK_UNACCEPTABLE(null),
    /** A segment without ACK in a synchronized state (RFC 9293 3.10.7.4, fifth check). */
    NO_ACK(null),
    /** A challenge ACK the rate limit held back (RFC 5961 7). */
    CHALLENGE_ACK_LIMITED(null),
    /** A segment in SYN-SENT that is not the expected answer (RFC 9293 3.10.7.3). */
    SYN_SENT_BAD_SEGMENT(null),
    /** An out-of-order segment that the bounded queue had no room for. */
    OFO_QUEUE_FULL(null),
    /** An out-of-order segment wholly held already (a duplicate). */
    OFO_DUPLICATE(null),
    /** Data after the receiving side was closed (FIN received, or past it). */
    DATA_AFTER_FIN(null),
    /** The pool had no pbuf for a segment TCP had to build. */
    NO_BUFFERS(null),
    /** The IP layer had no room for a segment now (it will be sent again later). */
    OUTPUT_FULL(null),
    /** The IP layer dropped a segment (no route, no pbufs). */
    OUTPUT_DROPPED(null);

    private final TcpMib mib;

    TcpDrop(TcpMib mib) {
        this.mib = mib;
    }

    /** The MIB counter this drop also counts under, or null. */
    public TcpMib mib() {
        return mib;
    }
}
