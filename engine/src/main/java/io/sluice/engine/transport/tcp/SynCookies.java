package io.sluice.engine.transport.tcp;

/**
 * SYN cookies (RFC 4987 3.6): when a listener's backlog is full, the SYN-ACK's ISN carries what the connection
 * needs (the MSS, as an index) and a keyed hash of the 4-tuple, the peer's ISN and a coarse clock, so that no
 * state is kept until the peer's ACK returns it. Layout of the cookie (our ISN):
 *
 * <pre>
 *  31                                   7 6       2 1   0
 * +--------------------------------------+---------+-----+
 * |  hash(tuple, peer ISN, T) high bits  | T mod 32| MSS |
 * +--------------------------------------+---------+-----+
 * </pre>
 *
 * T counts 64-second periods: a cookie is good for its period and the next. Cookie connections do without window
 * scaling (the option is not kept), which caps their window at 64 KiB: acceptable under a flood.
 */
final class SynCookies {
    /** MSS values a cookie can carry; the largest that does not exceed the peer's (and our) MSS is chosen. */
    static final int[] MSS = {536, 1200, 1440, 1460};
    private static final long PERIOD = 64_000_000_000L;

    private final KeyedHash hash;

    SynCookies(KeyedHash hash) {
        this.hash = hash;
    }

    static int mssIndex(int mss) {
        int i = MSS.length - 1;
        while (i > 0 && MSS[i] > mss) {
            i--;
        }
        return i;
    }

    int make(int localAddr, int localPort, int remoteAddr, int remotePort, int peerIsn, int mssIndex, long now) {
        long t = Math.floorDiv(now, PERIOD);
        return (h(localAddr, localPort, remoteAddr, remotePort, peerIsn, t) & ~0x7F) | (int) (t & 0x1F) << 2
            | mssIndex;
    }

    /** The MSS index a returned cookie carries, or -1 when it is not one of ours or too old. */
    int check(int localAddr, int localPort, int remoteAddr, int remotePort, int peerIsn, int cookie, long now) {
        long t = Math.floorDiv(now, PERIOD);
        int tc = cookie >>> 2 & 0x1F;
        for (long cand = t; cand >= t - 1; cand--) {
            if ((cand & 0x1F) == tc
                && ((h(localAddr, localPort, remoteAddr, remotePort, peerIsn, cand) ^ cookie) & ~0x7F) == 0) {
                return cookie & 3;
            }
        }
        return -1;
    }

    private int h(int localAddr, int localPort, int remoteAddr, int remotePort, int peerIsn, long t) {
        return (int) hash.tuple(localAddr, localPort, remoteAddr, remotePort, (long) peerIsn << 32 ^ t ^ 0x5C);
    }
}
