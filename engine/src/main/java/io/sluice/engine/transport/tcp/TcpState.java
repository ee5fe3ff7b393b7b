package io.sluice.engine.transport.tcp;

/** The connection states of RFC 9293 3.3.2, as ints so that a connection's state is one plain field. */
public final class TcpState {
    public static final int CLOSED = 0;
    public static final int LISTEN = 1;
    public static final int SYN_SENT = 2;
    public static final int SYN_RECEIVED = 3;
    public static final int ESTABLISHED = 4;
    public static final int FIN_WAIT_1 = 5;
    public static final int FIN_WAIT_2 = 6;
    public static final int CLOSE_WAIT = 7;
    public static final int CLOSING = 8;
    public static final int LAST_ACK = 9;
    public static final int TIME_WAIT = 10;

    private static final String[] NAMES = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
        "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"};

    private TcpState() {
    }

    public static String name(int state) {
        return state >= 0 && state < NAMES.length ? NAMES[state] : "state " + state;
    }

    /** Past the handshake: the states RFC 9293 calls synchronized (3.10.7.4). */
    static boolean isSynchronized(int state) {
        return state >= ESTABLISHED;
    }

    /** States in which the connection may still send data or a FIN. */
    static boolean canSend(int state) {
        return state == ESTABLISHED || state == CLOSE_WAIT || state == FIN_WAIT_1 || state == CLOSING
            || state == LAST_ACK;
    }
}
