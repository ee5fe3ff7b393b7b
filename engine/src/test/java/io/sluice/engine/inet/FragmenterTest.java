package io.sluice.engine.inet;

import static io.sluice.engine.inet.Frames.*;
import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Fragmenter} against the byte[] oracle of {@link Frames#fragmentOracle}, hand-computed golden cases,
 * and its failure paths (all or nothing, counted, nothing leaked).
 */
@ExtendWith(PbufLeakExtension.class)
class FragmenterTest {
    private static final int[] MTUS = {68, 576, 1280, 1400, 1500};
    private static final int[] SIZES = {1473, 1481, 4000, 8951, 65_515};

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        String[] names = {"none", "copied", "mixed", "max-copied", "non-copied"};
        byte[][] options = {NO_OPTIONS, COPIED_OPTIONS, MIXED_OPTIONS, MAX_COPIED_OPTIONS, NON_COPIED_OPTIONS};
        for (int mtu : MTUS) {
            for (int o = 0; o < options.length; o++) {
                for (int size : SIZES) {
                    int payload = Math.min(size, 65_535 - 20 - options[o].length);
                    if (20 + options[o].length + payload > mtu) {
                        b.add(Arguments.of(mtu, names[o], options[o], payload));
                    }
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "mtu {0}, options {1}, payload {3}")
    @MethodSource("cases")
    void fragmentsAreTheOraclesToTheByte(int mtu, String name, byte[] options, int payload) {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(32_768).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            InetCounters c = new InetCounters();
            Fragmenter fragmenter = new Fragmenter(c);
            byte[] frame = datagram(options, payload, 0xBEEF, UDP, 0, payload * 31L + mtu);
            List<byte[]> expected = fragmentOracle(frame, ETH, mtu);
            int h = toPbuf(p, frame);
            p.setRcvif(h, 3);
            p.setTxif(h, 7);
            p.setTimestamp(h, 123_456_789L);
            p.setFlowHash(h, 0xCAFEF00D);
            int[] out = new int[9000];
            int n = fragmenter.fragment(p, h, ETH, mtu, out, 5, out.length - 5);
            assertEquals(expected.size(), n);
            int hlen = 20 + options.length;
            int restHlen = hlen == 20 ? 20 : 20 + laterOptionsLength(options);
            for (int k = 0; k < n; k++) {
                int f = out[5 + k];
                byte[] want = expected.get(k);
                byte[] got = p.toArray(f);
                int index = k;
                assertArrayEquals(want, got, () -> "fragment " + index + " differs:\n" + hex(want) + "\n" + hex(got));
                assertNull(p.check(f));
                assertEquals(got.length, p.pktLen(f));
                assertEquals(Layer.LINK.headroom(), p.headroom(f), "room for a VLAN tag in front");
                int fh = k == 0 ? hlen : restHlen;
                assertTrue(p.len(f) >= ETH + fh, "link and IP header contiguous in the first pbuf");
                // Fields, read from the bytes without the oracle.
                assertTrue(u16(got, ETH + 2) <= mtu);
                assertEquals(got.length - ETH, u16(got, ETH + 2));
                assertEquals(fh, ihlBytes(got, ETH));
                assertEquals(0, checksum(got, ETH, fh), "header checksum verifies");
                int payloadHere = got.length - ETH - fh;
                boolean last = k == n - 1;
                assertEquals(last ? 0 : MF, u16(got, ETH + 6) & MF);
                if (!last) {
                    assertEquals(0, payloadHere % 8);
                }
                assertEquals(3, p.rcvif(f));
                assertEquals(7, p.txif(f));
                assertEquals(123_456_789L, p.timestamp(f));
                assertEquals(0xCAFEF00D, p.flowHash(f));
                assertEquals(ETH, p.l3Offset(f));
            }
            assertEquals(1, c.get(Mib.ipFragOKs));
            assertEquals(n, c.get(Mib.ipFragCreates));
            assertEquals(0, c.get(Mib.ipFragFails));
            p.freem(out, 5 + n);
            assertEquals(0, pool.stats().inUse(), "the original was freed");
            p.close();
        }
    }

    /** The options later fragments carry, padded: copied ones only. */
    private static int laterOptionsLength(byte[] options) {
        if (options == COPIED_OPTIONS) {
            return 12;
        }
        if (options == MIXED_OPTIONS) {
            return 12;
        }
        if (options == MAX_COPIED_OPTIONS) {
            return 40;
        }
        return 0;
    }

    /** RFC 791's own example sizes: 1500 bytes at MTU 576 are 552 + 552 + 376 bytes at offsets 0, 69, 138. */
    @Test
    void aFullSizeDatagramAtMtu576() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(1024).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            InetCounters c = new InetCounters();
            byte[] frame = datagram(NO_OPTIONS, 1480, 0x1234, UDP, 0, 1);
            int[] out = new int[4];
            int n = new Fragmenter(c).fragment(p, toPbuf(p, frame), ETH, 576, out, 0, 4);
            assertEquals(3, n);
            int[][] want = {{572, MF}, {572, MF | 69}, {396, 138}};
            for (int k = 0; k < 3; k++) {
                byte[] f = p.toArray(out[k]);
                assertEquals(ETH + want[k][0], f.length);
                assertEquals(want[k][0], u16(f, ETH + 2));
                assertEquals(want[k][1], u16(f, ETH + 6));
                assertEquals(0x1234, u16(f, ETH + 4));
                assertEquals(0x45, f[ETH] & 0xFF);
                assertEquals(63, f[ETH + 8]);
                assertEquals(0, checksum(f, ETH, 20));
                assertArrayEquals(Arrays.copyOfRange(frame, 0, ETH), Arrays.copyOfRange(f, 0, ETH), "link header");
                assertArrayEquals(Arrays.copyOfRange(frame, ETH + 20 + 552 * k, ETH + 20 + 552 * k + want[k][0] - 20),
                    Arrays.copyOfRange(f, ETH + 20, f.length));
            }
            p.freem(out, n);
            p.close();
        }
    }

    /** Golden bytes of the later fragments' options: security kept, NOPs, record route and timestamp gone. */
    @Test
    void laterFragmentsCarryOnlyTheCopiedOptionsPaddedWithEol() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(1024).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            byte[] frame = datagram(MIXED_OPTIONS, 1000, 7, UDP, 0, 2);
            int[] out = new int[8];
            int n = new Fragmenter(new InetCounters()).fragment(p, toPbuf(p, frame), ETH, 576, out, 0, 8);
            assertEquals(2, n);
            byte[] first = p.toArray(out[0]);
            byte[] second = p.toArray(out[1]);
            assertEquals(0x4E, first[ETH] & 0xFF, "IHL 14: 56 bytes");
            assertArrayEquals(MIXED_OPTIONS, Arrays.copyOfRange(first, ETH + 20, ETH + 56));
            assertEquals(0x48, second[ETH] & 0xFF, "IHL 8: 32 bytes");
            byte[] later = {(byte) 0x82, 11, 0x12, 0x34, 0x56, 0x78, (byte) 0x9A, 0x11, 0x22, 0x33, 0x44, 0};
            assertArrayEquals(later, Arrays.copyOfRange(second, ETH + 20, ETH + 32));
            assertEquals((576 - 56) / 8 * 8, first.length - ETH - 56);
            assertEquals(1000 - 520, second.length - ETH - 32);
            assertEquals(520 / 8, u16(second, ETH + 6));
            p.freem(out, n);
            p.close();
        }
    }

    /** A fragment fragmented again: offsets stay relative to the datagram, the last piece keeps MF. */
    @Test
    void aFragmentCanBeFragmentedAgain() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(4096).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            InetCounters c = new InetCounters();
            Fragmenter fragmenter = new Fragmenter(c);
            byte[] frame = datagram(COPIED_OPTIONS, 4000, 99, UDP, 0, 3);
            int[] level1 = new int[8];
            int n1 = fragmenter.fragment(p, toPbuf(p, frame), ETH, 1500, level1, 0, 8);
            assertEquals(3, n1);
            byte[][] pieces = new byte[n1][];
            for (int k = 0; k < n1; k++) {
                pieces[k] = p.toArray(level1[k]);
            }
            int[] level2 = new int[64];
            int total = 0;
            for (int k = 0; k < n1; k++) {
                List<byte[]> want = fragmentOracle(pieces[k], ETH, 576);
                int n2 = fragmenter.fragment(p, level1[k], ETH, 576, level2, total, level2.length - total);
                assertEquals(want.size(), n2);
                for (int j = 0; j < n2; j++) {
                    assertArrayEquals(want.get(j), p.toArray(level2[total + j]));
                    int flags = u16(p.toArray(level2[total + j]), ETH + 6);
                    boolean lastOfAll = k == n1 - 1 && j == n2 - 1;
                    assertEquals(lastOfAll ? 0 : MF, flags & MF, "piece " + k + "." + j);
                }
                total += n2;
            }
            // The pieces tile the payload in order: each starts where the previous ended.
            int expectOff = 0;
            for (int k = 0; k < total; k++) {
                byte[] f = p.toArray(level2[k]);
                assertEquals(expectOff, (u16(f, ETH + 6) & 0x1FFF) * 8);
                expectOff += f.length - ETH - ihlBytes(f, ETH);
            }
            assertEquals(4000, expectOff);
            // And they reassemble to the original.
            Reassembler r = new Reassembler(4, 64, 1024, 1_000_000_000L, c);
            int whole = NULL;
            for (int k = total - 1; k >= 0; k--) {
                int got = r.add(p, level2[k], ETH, 0);
                if (got != NULL) {
                    assertEquals(0, k, "completes with the last one added");
                    whole = got;
                }
            }
            assertArrayEquals(frame, p.toArray(whole));
            p.freem(whole);
            assertEquals(n1 + 1, c.get(Mib.ipFragOKs));
            p.close();
        }
    }

    @Test
    void theOriginalsChainLayoutDoesNotMatter() {
        Random r = new Random(17);
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(8192).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            Fragmenter fragmenter = new Fragmenter(new InetCounters());
            int[] out = new int[2048];
            for (int round = 0; round < 200; round++) {
                byte[] options = r.nextBoolean() ? MIXED_OPTIONS : NO_OPTIONS;
                byte[] frame = datagram(options, 100 + r.nextInt(20_000), round, UDP, 0, round);
                int mtu = 68 + r.nextInt(2000);
                if (frame.length - ETH <= mtu) {
                    continue;
                }
                // Ethernet padding past the total length is ignored.
                byte[] padded = Arrays.copyOf(frame, frame.length + r.nextInt(3) * 7);
                List<byte[]> want = fragmentOracle(frame, ETH, mtu);
                int n = fragmenter.fragment(p, toOddPbuf(p, padded, r), ETH, mtu, out, 0, out.length);
                assertEquals(want.size(), n);
                for (int k = 0; k < n; k++) {
                    assertArrayEquals(want.get(k), p.toArray(out[k]), "round " + round + " fragment " + k);
                }
                p.freem(out, n);
            }
            p.close();
        }
    }

    @Test
    void anMtuTooSmallForHeaderAndEightBytesFailsAndKeepsTheOriginal() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(1024).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            InetCounters c = new InetCounters();
            Fragmenter fragmenter = new Fragmenter(c);
            byte[] frame = datagram(MAX_COPIED_OPTIONS, 100, 1, UDP, 0, 4);
            int h = toPbuf(p, frame);
            int[] out = new int[16];
            assertEquals(-1, fragmenter.fragment(p, h, ETH, 67, out, 0, 16), "60-byte header + 7 < 8");
            assertArrayEquals(frame, p.toArray(h));
            assertEquals(1, c.get(InetDrop.IP_FRAG_MTU_TOO_SMALL));
            assertEquals(1, c.get(Mib.ipFragFails));
            assertEquals(13, fragmenter.fragment(p, h, ETH, 68, out, 0, 16), "68 is enough: 100 bytes in 8s");
            p.freem(out, 13);
            assertEquals(0, pool.stats().inUse());
            p.close();
        }
    }

    /** A malformed fragment (offset 65360, 200 bytes) cut again would need offsets past the 13-bit field. */
    @Test
    void piecesThatWouldStartPastTheOffsetFieldFail() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(1024).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            InetCounters c = new InetCounters();
            byte[] frame = datagram(NO_OPTIONS, 200, 1, UDP, MF | 8170, 8);
            int h = toPbuf(p, frame);
            int[] out = new int[16];
            assertEquals(-1, new Fragmenter(c).fragment(p, h, ETH, 68, out, 0, 16), "8170 + 4 * 6 > 8191");
            assertEquals(1, c.get(InetDrop.IP_FRAG_BAD_OFFSET));
            assertEquals(1, c.get(Mib.ipFragFails));
            assertArrayEquals(frame, p.toArray(h));
            assertEquals(2, new Fragmenter(c).fragment(p, h, ETH, 128, out, 0, 16), "8170 + 13 fits");
            byte[] last = p.toArray(out[1]);
            assertEquals(MF | 8170 + 13, u16(last, ETH + 6), "and keeps the original's MF");
            p.freem(out, 2);
            p.close();
        }
    }

    @Test
    void moreFragmentsThanTheCallerTakesFailsAndKeepsTheOriginal() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(1024).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            InetCounters c = new InetCounters();
            byte[] frame = datagram(NO_OPTIONS, 1480, 1, UDP, 0, 5);
            int h = toPbuf(p, frame);
            int[] out = new int[8];
            Arrays.fill(out, -7);
            assertEquals(-1, new Fragmenter(c).fragment(p, h, ETH, 576, out, 1, 2), "3 needed, 2 allowed");
            assertArrayEquals(frame, p.toArray(h));
            int[] untouched = new int[8];
            Arrays.fill(untouched, -7);
            assertArrayEquals(untouched, out);
            assertEquals(1, c.get(InetDrop.IP_FRAG_NO_BUFFERS));
            assertEquals(1, c.get(Mib.ipFragFails));
            assertEquals(0, c.get(Mib.ipFragCreates));
            assertEquals(3, new Fragmenter(c).fragment(p, h, ETH, 576, out, 1, 3));
            p.freem(Arrays.copyOfRange(out, 1, 4), 3);
            p.close();
        }
    }

    /** Every count of free pbufs short of what the fragments need: -1, the original intact, nothing taken. */
    @Test
    void poolExhaustionIsAllOrNothing() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(128).cacheSize(2).reserve(0).jmx(false)
            .name("dry"))) {
            Pbufs p = pool.local();
            InetCounters c = new InetCounters();
            Fragmenter fragmenter = new Fragmenter(c);
            byte[] frame = datagram(MIXED_OPTIONS, 3000, 1, UDP, 0, 6);
            int original = toPbuf(p, frame);
            // 6 fragments of 14 + 32..56 + <= 520 bytes: one pbuf each at LINK headroom except ones over 446.
            List<byte[]> want = fragmentOracle(frame, ETH, 576);
            int need = 0;
            for (byte[] f : want) {
                need += Pbufs.pbufsFor(Layer.LINK.headroom(), f.length);
            }
            int[] ballast = new int[128];
            int[] out = new int[16];
            for (int free = 0; free <= need; free++) {
                int held = 0;
                for (int h; (h = p.get(PbufType.DATA)) != NULL; ) {
                    ballast[held++] = h;
                }
                for (int k = 0; k < free; k++) {
                    p.free(ballast[--held]);
                }
                long inUse = pool.stats().inUse();
                int n = fragmenter.fragment(p, original, ETH, 576, out, 0, out.length);
                if (free < need) {
                    assertEquals(-1, n, free + " free of " + need);
                    assertArrayEquals(frame, p.toArray(original));
                    assertEquals(inUse, pool.stats().inUse(), "nothing kept from a failed attempt");
                } else {
                    assertEquals(want.size(), n);
                    for (int k = 0; k < n; k++) {
                        assertArrayEquals(want.get(k), p.toArray(out[k]));
                    }
                    p.freem(out, n);
                }
                p.freem(ballast, held);
            }
            assertEquals(need, c.get(InetDrop.IP_FRAG_NO_BUFFERS));
            assertEquals(need, c.get(Mib.ipFragFails));
            assertEquals(1, c.get(Mib.ipFragOKs));
            p.close();
        }
    }

    @Test
    void contractViolationsAreBugsAndThrow() {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(256).jmx(false).name("frag"))) {
            Pbufs p = pool.local();
            Fragmenter fragmenter = new Fragmenter(new InetCounters());
            byte[] frame = datagram(NO_OPTIONS, 500, 1, UDP, 0, 7);
            int h = toPbuf(p, frame);
            int[] out = new int[16];
            assertThrows(IllegalArgumentException.class, () -> fragmenter.fragment(p, h, ETH, 1500, out, 0, 16),
                "fits the MTU");
            assertThrows(IllegalArgumentException.class, () -> fragmenter.fragment(p, h, -1, 100, out, 0, 16));
            assertThrows(IndexOutOfBoundsException.class, () -> fragmenter.fragment(p, h, ETH, 100, out, 10, 7));
            assertArrayEquals(frame, p.toArray(h));
            p.freem(h);
            p.close();
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
