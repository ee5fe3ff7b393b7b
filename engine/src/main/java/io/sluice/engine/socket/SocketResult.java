package io.sluice.engine.socket;

import io.sluice.engine.transport.IpOutput;

/**
 * What a send returns: the {@link IpOutput} codes, so a transport passes its output's answer straight on, and
 * {@link #TOO_BIG} for a stream send that could never fit.
 */
public final class SocketResult {
    /** Sent, or queued for ARP: the chain is no longer the caller's. */
    public static final int SENT = IpOutput.SENT;
    /** The stage's output has no room now: the chain is still the caller's, unchanged. Retry later or free it. */
    public static final int NO_ROOM = IpOutput.NO_ROOM;
    /** Freed and counted under a named reason (no route, no pbufs, too long, socket closed). */
    public static final int DROPPED = IpOutput.DROPPED;
    /**
     * {@link StreamSocket#send} only: the chain is longer than the connection's whole send buffer, so it could
     * never be taken whole and waiting for room would wait for ever. The chain is still the caller's, unchanged:
     * send it with {@link StreamSocket#sendSome} (a partial write), or in pieces no longer than
     * {@link StreamSocket#sendSpace} says. Beyond the {@link IpOutput} codes, which a transport never passes here.
     */
    public static final int TOO_BIG = 3;

    private SocketResult() {
    }

    public static String name(int result) {
        return switch (result) {
            case SENT -> "SENT";
            case NO_ROOM -> "NO_ROOM";
            case DROPPED -> "DROPPED";
            case TOO_BIG -> "TOO_BIG";
            default -> "result " + result;
        };
    }
}
