package io.sluice.engine.transport.tcp;

/** Why a connection ended, as {@link TcpHandler#onClosed} reports it. */
public final class TcpCloseReason {
    /** Both sides closed (FIN exchanged and acknowledged). */
    public static final int NORMAL = 0;
    /** The peer reset the connection. */
    public static final int RESET = 1;
    /** Retransmissions, the handshake or keepalive probes ran out. */
    public static final int TIMEOUT = 2;
    /** The application aborted it ({@link TcpConnection#abort}). */
    public static final int ABORTED = 3;
    /** The peer refused the connection (a RST to our SYN). */
    public static final int REFUSED = 4;
    /** The stack stopped ({@link TcpStack#release}). */
    public static final int RELEASED = 5;

    private static final String[] NAMES = {"NORMAL", "RESET", "TIMEOUT", "ABORTED", "REFUSED", "RELEASED"};

    private TcpCloseReason() {
    }

    public static String name(int reason) {
        return reason >= 0 && reason < NAMES.length ? NAMES[reason] : "reason " + reason;
    }
}
