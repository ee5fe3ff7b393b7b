package io.sluice.engine.pbuf;

/** What a pbuf carries, as the mbuf types do. The pool counts pbufs in use by type for the netstat report. */
public enum PbufType {
    /** Packet data. */
    DATA,
    /** Protocol headers prepended to a packet. */
    HEADER,
    /** Control information: addresses, options, messages between stages. */
    CONTROL;

    private static final PbufType[] VALUES = values();

    public static PbufType of(int code) {
        return VALUES[code];
    }

    public static int count() {
        return VALUES.length;
    }
}
