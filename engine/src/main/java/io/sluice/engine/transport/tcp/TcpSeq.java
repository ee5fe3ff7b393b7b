package io.sluice.engine.transport.tcp;

/**
 * Sequence number arithmetic modulo 2^32 (RFC 9293 3.4): {@code a < b} when {@code b - a}, as a signed 32-bit
 * int, is positive. Valid while the two are less than 2^31 apart, which the windows guarantee.
 */
final class TcpSeq {
    private TcpSeq() {
    }

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean geq(int a, int b) {
        return a - b >= 0;
    }

    /** {@code lo <= x < hi}. */
    static boolean inRange(int x, int lo, int hi) {
        return x - lo >= 0 && x - hi < 0;
    }

    static int max(int a, int b) {
        return a - b >= 0 ? a : b;
    }
}
