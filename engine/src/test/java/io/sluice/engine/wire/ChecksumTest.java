package io.sluice.engine.wire;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Internet checksum against RFC 1071's example, real headers, and a byte-at-a-time reference over random
 * data: every length from 0 to 300 at every start offset mod 8, long buffers, and pbuf chains cut at odd
 * positions.
 */
@ExtendWith(PbufLeakExtension.class)
class ChecksumTest {
    /** An IPv4 header (192.168.0.1 to 192.168.0.199, UDP) whose checksum is 0xB861. */
    static final byte[] IP_HEADER = hex("45000073000040004011b861c0a80001c0a800c7");

    @Test
    void rfc1071ExampleSumsToDdf2() {
        // RFC 1071 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2, so the checksum is 220d.
        MemorySegment seg = segmentOf(hex("0001f203f4f5f6f7"));
        assertEquals(0xDDF2, Checksum.sum(seg, 0, 8));
        assertEquals(0x220D, Checksum.of(seg, 0, 8));
    }

    @Test
    void aRealIpv4HeaderVerifiesAndRecomputesToItsChecksum() {
        MemorySegment seg = segmentOf(IP_HEADER);
        assertEquals(Checksum.VERIFIED_SUM, Checksum.sum(seg, 0, 20));
        seg.set(NetworkOrder.U16, 10, (short) 0);
        assertEquals(0xB861, Checksum.of(seg, 0, 20));
    }

    @Test
    void emptyAndOneByteRanges() {
        MemorySegment seg = segmentOf(hex("ab"));
        assertEquals(0, Checksum.sum(seg, 0, 0));
        assertEquals(0xFFFF, Checksum.of(seg, 0, 0));
        assertEquals(0xAB00, Checksum.sum(seg, 0, 1), "an odd last byte is the high byte of a padded word");
        assertEquals(0, Checksum.sum(seg, 1, 0));
    }

    @Test
    void everyShortLengthAtEveryAlignmentMatchesTheReference() {
        Random rnd = new Random(1071);
        byte[] data = new byte[320];
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 4; round++) {
                fill(rnd, data, round);
                MemorySegment heap = MemorySegment.ofArray(data);
                MemorySegment direct = nativeSegmentOf(arena, data);
                for (int off = 0; off < 8; off++) {
                    for (int len = 0; off + len <= 300; len++) {
                        int expected = referenceSum(data, off, len);
                        int o = off;
                        int l = len;
                        assertEquals(expected, Checksum.sum(heap, off, len), () -> "heap off=" + o + " len=" + l);
                        assertEquals(expected, Checksum.sum(direct, off, len), () -> "native off=" + o + " len=" + l);
                    }
                }
            }
        }
    }

    @Test
    void longRandomBuffersMatchTheReference() {
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] data = new byte[1 + rnd.nextInt(9000)];
            fill(rnd, data, i % 4);
            int off = rnd.nextInt(Math.min(data.length, 16));
            int len = rnd.nextInt(data.length - off + 1);
            assertEquals(referenceSum(data, off, len), Checksum.sum(MemorySegment.ofArray(data), off, len),
                "len=" + len + " off=" + off);
        }
    }

    /** All 0xFF bytes make the accumulator as large as it gets; the fold must still land on 0xFFFF. */
    @Test
    void allOnesAndAllZerosFoldCorrectly() {
        byte[] ones = new byte[65_537];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        assertEquals(0xFFFF, Checksum.sum(MemorySegment.ofArray(ones), 0, ones.length - 1));
        assertEquals(0xFF00, Checksum.sum(MemorySegment.ofArray(ones), 0, ones.length), "0xFFFF words are -0");
        assertEquals(referenceSum(ones, 3, 1001), Checksum.sum(MemorySegment.ofArray(ones), 3, 1001));
        assertEquals(0, Checksum.sum(MemorySegment.ofArray(new byte[1000]), 0, 1000));
    }

    @Test
    void chainsCutAtOddPositionsMatchTheReference() {
        Random rnd = new Random(20_260_601);
        try (PbufPool pool = PbufPool.create(8192)) {
            Pbufs p = pool.local();
            for (int i = 0; i < 500; i++) {
                byte[] data = new byte[1 + rnd.nextInt(3000)];
                fill(rnd, data, i % 4);
                int[] pieces = new int[data.length];
                for (int k = 0; k < pieces.length; k++) {
                    // Mostly short odd and even pieces, sometimes whole pbufs.
                    pieces[k] = rnd.nextInt(8) == 0 ? PHLEN : 1 + rnd.nextInt(rnd.nextBoolean() ? 7 : 200);
                }
                int h = chain(p, data, pieces);
                try {
                    assertEquals(data.length, p.pktLen(h));
                    int off = rnd.nextInt(data.length + 1);
                    int len = rnd.nextInt(data.length - off + 1);
                    assertEquals(referenceSum(data, off, len), Checksum.sum(p, h, off, len),
                        "chain of " + p.count(h) + " pbufs, off=" + off + " len=" + len);
                    assertEquals(referenceChecksum(data, 0, data.length), Checksum.of(p, h, 0, data.length));
                } finally {
                    p.freem(h);
                }
            }
            assertEquals(0, pool.inUse());
            p.close();
        }
    }

    @Test
    void aChainOfOneByteOddPiecesMatchesTheReference() {
        byte[] data = hex("0001f203f4f5f6f7 45000073000040004011b861c0a80001c0a800c7 ff");
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            int[] ones = new int[data.length];
            java.util.Arrays.fill(ones, 1);
            int h = chain(p, data, ones);
            assertEquals(data.length, p.count(h));
            for (int off = 0; off < data.length; off++) {
                for (int len = 0; off + len <= data.length; len++) {
                    assertEquals(referenceSum(data, off, len), Checksum.sum(p, h, off, len), off + "+" + len);
                }
            }
            p.freem(h);
            p.close();
        }
    }

    @Test
    void pseudoHeaderSumIsTheSumOfItsTwelveBytes() {
        Random rnd = new Random(768);
        for (int i = 0; i < 1000; i++) {
            int src = rnd.nextInt();
            int dst = rnd.nextInt();
            int proto = rnd.nextInt(256);
            int len = rnd.nextInt(65_536);
            byte[] ph = new byte[12];
            MemorySegment seg = MemorySegment.ofArray(ph);
            seg.set(NetworkOrder.U32, 0, src);
            seg.set(NetworkOrder.U32, 4, dst);
            ph[9] = (byte) proto;
            seg.set(NetworkOrder.U16, 10, (short) len);
            assertEquals(referenceSum(ph, 0, 12), Checksum.pseudoHeaderSum(src, dst, proto, len));
        }
    }

    @Test
    void addCombinesSumsOfEvenPieces() {
        Random rnd = new Random(7);
        byte[] data = new byte[1000];
        rnd.nextBytes(data);
        MemorySegment seg = MemorySegment.ofArray(data);
        for (int cut = 0; cut <= 1000; cut += 2) {
            assertEquals(Checksum.sum(seg, 0, 1000), Checksum.add(Checksum.sum(seg, 0, cut), Checksum.sum(seg, cut, 1000 - cut)));
        }
    }

    @Test
    void rangesOutsideTheSegmentOrPacketAreBugsAndThrow() {
        MemorySegment seg = segmentOf(new byte[10]);
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(seg, 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(seg, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(seg, 0, -1));
        try (PbufPool pool = PbufPool.create(16)) {
            Pbufs p = pool.local();
            int h = chain(p, new byte[100], 33, 33);
            assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(p, h, 50, 51));
            p.freem(h);
            p.close();
        }
    }

    /** Random bytes, or runs of 0xFF and 0x00 that push the carries to their edges. */
    static void fill(Random rnd, byte[] data, int kind) {
        switch (kind) {
            case 0 -> rnd.nextBytes(data);
            case 1 -> java.util.Arrays.fill(data, (byte) 0xFF);
            case 2 -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = rnd.nextInt(4) == 0 ? 0 : (byte) 0xFF;
                }
            }
            default -> {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (0xF0 | rnd.nextInt(16));
                }
            }
        }
    }
}
