package io.sluice.engine.socket;

import io.sluice.engine.transport.IpOutput;

/** What a send returns: the {@link IpOutput} codes, so a transport passes its output's answer straight on. */
public final class SocketResult {
    /** Sent, or queued for ARP: the chain is no longer the caller's. */
    public static final int SENT = IpOutput.SENT;
    /** The stage's output has no room now: the chain is still the caller's, unchanged. Retry later or free it. */
    public static final int NO_ROOM = IpOutput.NO_ROOM;
    /** Freed and counted under a named reason (no route, no pbufs, too long, socket closed). */
    public static final int DROPPED = IpOutput.DROPPED;

    private SocketResult() {
    }

    public static String name(int result) {
        return switch (result) {
            case SENT -> "SENT";
            case NO_ROOM -> "NO_ROOM";
            case DROPPED -> "DROPPED";
            default -> "result " + result;
        };
    }
}
