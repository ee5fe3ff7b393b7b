package io.sluice.engine.transport.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein) of a 16-byte message, as two longs: a keyed pseudo-random function that
 * an off-path attacker cannot predict without the key. RFC 6528 asks for such an F for initial sequence numbers,
 * and SYN cookies and ephemeral ports (RFC 6056) use the same. Allocates nothing.
 */
final class KeyedHash {
    private final long k0;
    private final long k1;

    KeyedHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    long hash(long m0, long m1) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        // Each message word: v3 ^= m, two rounds, v0 ^= m. The rounds are written out: no state object.
        for (int w = 0; w < 3; w++) {
            long m = w == 0 ? m0 : w == 1 ? m1 : 16L << 56; // the last block holds the length
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** The hash of a connection's 4-tuple and an extra word (a counter, a secret's epoch). */
    long tuple(int localAddr, int localPort, int remoteAddr, int remotePort, long extra) {
        long m0 = (long) localAddr << 32 | (remoteAddr & 0xFFFF_FFFFL);
        long m1 = ((long) (localPort << 16 | remotePort) << 32) ^ extra;
        return hash(m0, m1);
    }
}
