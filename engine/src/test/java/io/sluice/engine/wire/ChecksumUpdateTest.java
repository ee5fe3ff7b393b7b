package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RFC 1624 incremental updates give exactly what a recomputation gives, for random headers and changes, and
 * at the edge that motivated RFC 1624: a checksum that must come out as 0x0000, where the RFC 1141 form
 * {@code HC + m - m'} yields 0xFFFF.
 */
class ChecksumUpdateTest {
    private static final int ROUNDS = 20_000;

    @Test
    void update16EqualsRecomputationForEveryWordOfRandomHeaders() {
        Random rnd = new Random(1624);
        for (int i = 0; i < ROUNDS; i++) {
            MemorySegment h = randomHeader(rnd, i);
            int word = 2 + 2 * rnd.nextInt(9); // every word but version/IHL (which sets the length) and the checksum
            if (word == Ipv4Header.CHECKSUM_OFFSET) {
                word = Ipv4Header.TOTAL_LENGTH_OFFSET;
            }
            int old = NetworkOrder.u16(h, word);
            int now = switch (i % 5) {
                case 0 -> ~old & 0xFFFF;
                case 1 -> 0x0000;
                case 2 -> 0xFFFF;
                case 3 -> old;
                default -> rnd.nextInt(65_536);
            };
            int updated = Checksum.update16(Ipv4Header.checksum(h, 0), old, now);
            NetworkOrder.setU16(h, word, now);
            Ipv4Header.fillChecksum(h, 0);
            int w = word;
            assertEquals(Ipv4Header.checksum(h, 0), updated, () -> "word at " + w + ": " + old + " -> " + now);
        }
    }

    @Test
    void update32EqualsRecomputationForAddressRewrites() {
        Random rnd = new Random(3022);
        for (int i = 0; i < ROUNDS; i++) {
            MemorySegment h = randomHeader(rnd, i);
            boolean src = rnd.nextBoolean();
            int old = src ? Ipv4Header.src(h, 0) : Ipv4Header.dst(h, 0);
            int now = switch (i % 4) {
                case 0 -> ~old;
                case 1 -> 0;
                case 2 -> -1;
                default -> rnd.nextInt();
            };
            int updated = Checksum.update32(Ipv4Header.checksum(h, 0), old, now);
            if (src) {
                Ipv4Header.setSrc(h, 0, now);
            } else {
                Ipv4Header.setDst(h, 0, now);
            }
            Ipv4Header.fillChecksum(h, 0);
            assertEquals(Ipv4Header.checksum(h, 0), updated, () -> Integer.toHexString(old) + " -> " + Integer.toHexString(now));
        }
    }

    @Test
    void ttlDecrementEqualsRecomputation() {
        Random rnd = new Random(1812);
        for (int i = 0; i < ROUNDS; i++) {
            MemorySegment h = randomHeader(rnd, i);
            if (Ipv4Header.ttl(h, 0) == 0) {
                Ipv4Header.setTtl(h, 0, 1 + rnd.nextInt(255));
                Ipv4Header.fillChecksum(h, 0);
            }
            int ttl = Ipv4Header.ttl(h, 0);
            int before = Ipv4Header.checksum(h, 0);
            Ipv4Header.decrementTtl(h, 0);
            assertEquals(ttl - 1, Ipv4Header.ttl(h, 0));
            int incremental = Ipv4Header.checksum(h, 0);
            Ipv4Header.fillChecksum(h, 0);
            assertEquals(Ipv4Header.checksum(h, 0), incremental, () -> "checksum before " + Integer.toHexString(before));
            assertTrue(Ipv4Header.verifyChecksum(h, 0));
        }
    }

    /**
     * A header whose checksum is 0xFEFF before the decrement must carry 0x0000 after it: its sum becomes
     * 0xFFFF. The RFC 1141 update ({@code HC + 0x0100}) would give 0xFFFF, which verifies but differs from a
     * recomputation (RFC 1624 section 3).
     */
    @Test
    void ttlDecrementThatMustYieldZeroYieldsZero() {
        MemorySegment h = segmentOf(ChecksumTest.IP_HEADER);
        forceSumWithoutChecksum(h, 0x0100);
        assertEquals(0xFEFF, Ipv4Header.checksum(h, 0));
        int rfc1141 = Checksum.fold(Ipv4Header.checksum(h, 0) + 0x0100L);
        Ipv4Header.decrementTtl(h, 0);
        assertEquals(0x0000, Ipv4Header.checksum(h, 0));
        assertEquals(0xFFFF, rfc1141, "the RFC 1141 form gets this edge wrong");
        Ipv4Header.fillChecksum(h, 0);
        assertEquals(0x0000, Ipv4Header.checksum(h, 0), "recomputation agrees with RFC 1624");
        assertTrue(Ipv4Header.verifyChecksum(h, 0));
    }

    @Test
    void updatesIntoAndOutOfAZeroChecksum() {
        Random rnd = new Random(3);
        for (int i = 0; i < 2000; i++) {
            MemorySegment h = randomHeader(rnd, 0);
            // Start from checksum 0x0000 (sum 0xFFFF) and change the identification.
            forceSumWithoutChecksum(h, 0xFFFF);
            assertEquals(0x0000, Ipv4Header.checksum(h, 0));
            int old = Ipv4Header.identification(h, 0);
            int now = rnd.nextInt(65_536);
            int updated = Checksum.update16(0x0000, old, now);
            Ipv4Header.setIdentification(h, 0, now);
            Ipv4Header.fillChecksum(h, 0);
            assertEquals(Ipv4Header.checksum(h, 0), updated);
            // And back: the change that brings the sum to 0xFFFF again must give 0x0000, not 0xFFFF.
            int back = Checksum.update16(updated, now, old);
            assertEquals(0x0000, back);
        }
    }

    @Test
    void ttlDecrementKnownVector() {
        // 10.0.0.1 -> 10.0.0.2, ICMP, TTL 64, checksum 0x0A79; TTL 63 gives 0x0B79 (computed independently).
        MemorySegment h = segmentOf(hex("4500003c1c46400040010a790a0000010a000002"));
        Ipv4Header.decrementTtl(h, 0);
        assertArrayEquals(hex("4500003c1c464000 3f01 0b79 0a0000010a000002"), h.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    /** A valid 20-byte header with random fields (and, every few rounds, fields at 0x0000 or 0xFFFF). */
    static MemorySegment randomHeader(Random rnd, int i) {
        MemorySegment h = MemorySegment.ofArray(new byte[20]);
        int edge = i % 3 == 0 ? 0 : i % 3 == 1 ? 0xFFFF : -1;
        Ipv4Header.write(h, 0, pick(rnd, edge, 0xFF), pick(rnd, edge, 0xFFFF), pick(rnd, edge, 0xFFFF),
            pick(rnd, edge, 0xFFFF), pick(rnd, edge, 0xFF), pick(rnd, edge, 0xFF), pick(rnd, edge, -1), pick(rnd, edge, -1));
        return h;
    }

    private static int pick(Random rnd, int edge, int mask) {
        if (edge >= 0 && rnd.nextInt(3) == 0) {
            return edge == 0 ? 0 : mask;
        }
        return rnd.nextInt() & mask;
    }

    /**
     * Rewrites the identification so that the header sums to {@code target} with its checksum field zeroed,
     * then fills the checksum: it becomes {@code ~target}.
     */
    static void forceSumWithoutChecksum(MemorySegment h, int target) {
        Ipv4Header.setChecksum(h, 0, 0);
        Ipv4Header.setIdentification(h, 0, 0);
        int rest = Checksum.sum(h, 0, 20);
        Ipv4Header.setIdentification(h, 0, Checksum.add(target, ~rest & 0xFFFF));
        assertEquals(target, Checksum.sum(h, 0, 20));
        Ipv4Header.fillChecksum(h, 0);
    }
}
