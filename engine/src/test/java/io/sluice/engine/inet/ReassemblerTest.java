package io.sluice.engine.inet;

import static io.sluice.engine.inet.Frames.*;
import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Reassembler}: round trips through the {@link Fragmenter} in every order, overlaps and duplicates,
 * malformed fragments, each limit, the timeout, a flood, and seeded random mutation. Every test ends with
 * the pool full again (the leak extension checks) and the reassembler empty.
 */
@ExtendWith(PbufLeakExtension.class)
class ReassemblerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int[] MTUS = {68, 576, 1280, 1400, 1500};

    /** A pool, its toolkit, counters and a reassembler; frees what a test leaves held when closed. */
    private static final class Env implements AutoCloseable {
        final PbufPool pool;
        final Pbufs p;
        final InetCounters c = new InetCounters();
        final Reassembler r;
        long now;

        Env(int slots, int maxDatagrams, int maxFragments, int maxPbufs) {
            pool = PbufPool.create(new PoolConfig().slots(slots).jmx(false).name("reasm"));
            p = pool.local();
            r = new Reassembler(maxDatagrams, maxFragments, maxPbufs, SECOND, c);
        }

        Env() {
            this(4096, 16, 64, 1024);
        }

        /** Adds a copy of the frame; returns the completed datagram's bytes (and frees it) or null. */
        byte[] add(byte[] frame) {
            int h = r.add(p, toPbuf(p, frame), ETH, now);
            if (h == NULL) {
                return null;
            }
            assertNull(p.check(h));
            assertEquals(p.length(h), p.pktLen(h));
            byte[] b = p.toArray(h);
            p.freem(h);
            return b;
        }

        long inUse() {
            return pool.stats().inUse();
        }

        void assertEmpty() {
            assertEquals(0, r.datagrams());
            assertEquals(0, r.pbufsHeld());
            assertEquals(0, inUse());
        }

        @Override
        public void close() {
            r.freeAll(p);
            p.close();
            pool.close();
        }
    }

    enum Order { IN_ORDER, REVERSE, RANDOM }

    static Stream<Arguments> roundTrips() {
        Stream.Builder<Arguments> b = Stream.builder();
        String[] names = {"none", "copied", "mixed", "max-copied", "non-copied"};
        byte[][] options = {NO_OPTIONS, COPIED_OPTIONS, MIXED_OPTIONS, MAX_COPIED_OPTIONS, NON_COPIED_OPTIONS};
        for (int mtu : MTUS) {
            for (int o = 0; o < options.length; o++) {
                for (int payload : new int[] {1481, 65_515 - options[o].length}) {
                    for (Order order : Order.values()) {
                        b.add(Arguments.of(mtu, names[o], options[o], payload, order));
                    }
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "mtu {0}, options {1}, payload {3}, {4}")
    @MethodSource("roundTrips")
    void fragmentedAndReassembledIsTheOriginalToTheByte(int mtu, String name, byte[] options, int payload,
                                                        Order order) {
        try (Env e = new Env(16_384, 16, 8192, 16_384)) {
            byte[] frame = datagram(options, payload, 0xABCD, UDP, 0, payload ^ mtu);
            int h = toPbuf(e.p, frame);
            int[] out = new int[8192];
            int n = new Fragmenter(e.c).fragment(e.p, h, ETH, mtu, out, 0, out.length);
            assertTrue(n >= 2);
            List<Integer> sequence = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                sequence.add(out[k]);
            }
            switch (order) {
                case IN_ORDER -> { }
                case REVERSE -> Collections.reverse(sequence);
                case RANDOM -> Collections.shuffle(sequence, new Random(mtu * 31L + payload));
            }
            int whole = NULL;
            for (int k = 0; k < n; k++) {
                int got = e.r.add(e.p, sequence.get(k), ETH, 0);
                if (k < n - 1) {
                    assertEquals(NULL, got, "complete before fragment " + k + " of " + n);
                    assertEquals(1, e.r.datagrams());
                } else {
                    whole = got;
                }
            }
            assertNotEquals(NULL, whole);
            assertNull(e.p.check(whole));
            assertEquals(frame.length, e.p.pktLen(whole));
            assertArrayEquals(frame, e.p.toArray(whole), "byte-identical, header checksum included");
            assertEquals(ETH, e.p.l3Offset(whole));
            e.p.freem(whole);
            assertEquals(n, e.c.get(Mib.ipReasmReqds));
            assertEquals(1, e.c.get(Mib.ipReasmOKs));
            assertEquals(0, e.c.get(Mib.ipReasmFails));
            e.assertEmpty();
        }
    }

    @Test
    void interleavedDatagramsEachComplete() {
        try (Env e = new Env(16_384, 64, 256, 8192)) {
            Random rnd = new Random(5);
            List<byte[]> all = new ArrayList<>();
            byte[][] originals = new byte[40][];
            for (int d = 0; d < originals.length; d++) {
                originals[d] = datagram(d % 3 == 0 ? MIXED_OPTIONS : NO_OPTIONS, 600 + rnd.nextInt(20_000), 1000 + d,
                    UDP, 0, d);
                all.addAll(fragmentOracle(originals[d], ETH, 576 + rnd.nextInt(1000)));
            }
            Collections.shuffle(all, rnd);
            int completed = 0;
            for (byte[] f : all) {
                byte[] whole = e.add(f);
                if (whole != null) {
                    int id = u16(whole, ETH + 4);
                    assertArrayEquals(originals[id - 1000], whole);
                    completed++;
                }
            }
            assertEquals(originals.length, completed);
            assertEquals(all.size(), e.c.get(Mib.ipReasmReqds));
            assertEquals(originals.length, e.c.get(Mib.ipReasmOKs));
            e.assertEmpty();
        }
    }

    /** Another protocol, source, destination or identification is another datagram (RFC 791 key). */
    @Test
    void theKeyIsSourceDestinationIdentificationAndProtocol() {
        try (Env e = new Env()) {
            byte[] frame = datagram(NO_OPTIONS, 3000, 77, UDP, 0, 9);
            List<byte[]> f = fragmentOracle(frame, ETH, 1500);
            assertNull(e.add(f.get(0)));
            byte[][] others = {f.get(1).clone(), f.get(1).clone(), f.get(1).clone(), f.get(1).clone()};
            others[0][ETH + 9] = 6; // protocol
            others[1][ETH + 12] ^= 1; // source
            others[2][ETH + 19] ^= 1; // destination
            others[3][ETH + 5] ^= 1; // identification
            for (byte[] o : others) {
                fixChecksum(o, ETH);
                assertNull(e.add(o));
            }
            assertEquals(5, e.r.datagrams());
            assertNull(e.add(f.get(1)));
            assertArrayEquals(frame, e.add(f.get(2)));
            assertEquals(4, e.r.datagrams());
            assertEquals(4, e.r.freeAll(e.p));
            e.assertEmpty();
        }
    }

    /**
     * Datagrams start and complete in random order for a long time with the table nearly full: every lookup
     * must still find its datagram after the deletions around it (backward-shift deletion in the hash table).
     */
    @Test
    void heavyChurnKeepsEveryDatagramFindable() {
        int max = 64;
        try (Env e = new Env(4096, max, 4, 1024)) {
            Random rnd = new Random(8);
            byte[] base = datagram(NO_OPTIONS, 16, 0, UDP, 0, 8);
            List<byte[]> firsts = new ArrayList<>();
            List<byte[]> wholes = new ArrayList<>();
            int started = 0;
            int completed = 0;
            for (int step = 0; step < 40_000; step++) {
                boolean start = firsts.size() < max - 2 && (firsts.isEmpty() || rnd.nextInt(3) != 0);
                if (start) {
                    // Keys that differ in source, destination, identification and protocol all at once.
                    byte[] whole = base.clone();
                    put16(whole, ETH + 4, rnd.nextInt(65_536));
                    whole[ETH + 9] = (byte) (rnd.nextBoolean() ? UDP : 253);
                    whole[ETH + 12] = (byte) rnd.nextInt(4);
                    whole[ETH + 19] = (byte) rnd.nextInt(4);
                    fixChecksum(whole, ETH);
                    boolean clash = false;
                    for (byte[] w : wholes) {
                        clash |= Arrays.equals(w, ETH + 4, ETH + 6, whole, ETH + 4, ETH + 6)
                            && w[ETH + 9] == whole[ETH + 9] && w[ETH + 12] == whole[ETH + 12]
                            && w[ETH + 19] == whole[ETH + 19];
                    }
                    if (clash) {
                        continue;
                    }
                    assertNull(e.add(cut(whole, ETH, 8, 8, false)));
                    firsts.add(cut(whole, ETH, 0, 8, true));
                    wholes.add(whole);
                    started++;
                } else {
                    int k = rnd.nextInt(firsts.size());
                    assertArrayEquals(wholes.get(k), e.add(firsts.get(k)), "step " + step);
                    firsts.remove(k);
                    wholes.remove(k);
                    completed++;
                }
                assertEquals(firsts.size(), e.r.datagrams());
            }
            assertTrue(started > 10_000 && completed > 10_000);
            assertEquals(0, e.c.get(Mib.ipReasmFails));
            assertEquals(firsts.size(), e.r.freeAll(e.p));
            e.assertEmpty();
        }
    }

    /**
     * Steady state allocates nothing on the Java heap: fragment a 1500-byte datagram at 576 and reassemble it.
     * Measured in rounds after a warm-up; the best round must be clean (until C2 has compiled the loop,
     * checked mode's bookkeeping may allocate, and a loaded machine delays that).
     */
    @Test
    void fragmentingAndReassemblingAllocateNothing() {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Env e = new Env(1024, 16, 64, 1024)) {
            byte[] frame = datagram(MIXED_OPTIONS, 1480 - 36, 1, UDP, 0, 40);
            Fragmenter fragmenter = new Fragmenter(e.c);
            int[] out = new int[8];
            int original = toPbuf(e.p, frame);
            Runnable once = () -> {
                int copy = e.p.dup(original);
                int n = fragmenter.fragment(e.p, copy, ETH, 576, out, 0, out.length);
                int whole = NULL;
                for (int k = n - 1; k >= 0; k--) {
                    whole = e.r.add(e.p, out[k], ETH, 0);
                }
                e.p.freem(whole);
            };
            int iterations = 20_000;
            long tid = Thread.currentThread().threadId();
            long best = Long.MAX_VALUE;
            int rounds = 0;
            for (; rounds < 30 && best >= 1024; rounds++) {
                long before = threads.getThreadAllocatedBytes(tid);
                for (int k = 0; k < iterations; k++) {
                    once.run();
                }
                best = Math.min(best, threads.getThreadAllocatedBytes(tid) - before);
            }
            e.p.freem(original);
            long allocated = best;
            assertTrue(allocated < 1024, () -> allocated + " bytes for " + iterations + " datagrams in the best round");
            assertEquals((long) rounds * iterations, e.c.get(Mib.ipReasmOKs));
            e.assertEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Overlaps and duplicates
    // ---------------------------------------------------------------------------------------------

    static Stream<Arguments> overlaps() {
        // {held offset, held length, held MF, new offset, new length, new MF}, payload 4000
        return Stream.of(
            Arguments.of("new one runs into the held one's start", new int[] {1480, 1480, 1, 1000, 488, 1}),
            Arguments.of("new one starts inside the held one", new int[] {0, 1480, 1, 1472, 1480, 1}),
            Arguments.of("same offset, shorter", new int[] {1480, 1480, 1, 1480, 520, 1}),
            Arguments.of("same offset, longer", new int[] {1480, 1480, 1, 1480, 1488, 1}),
            Arguments.of("new one covers the held one", new int[] {1480, 1480, 1, 0, 3992, 1}),
            Arguments.of("new one inside the held one", new int[] {0, 2960, 1, 1480, 8, 1}),
            Arguments.of("same range, MF differs", new int[] {2960, 1040, 0, 2960, 1040, 1}),
            Arguments.of("the last byte", new int[] {2960, 1040, 0, 3992, 8, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlaps")
    void anOverlapDropsTheWholeDatagram(String name, int[] c) {
        try (Env e = new Env()) {
            byte[] frame = datagram(COPIED_OPTIONS, 4000, 5, UDP, 0, 10);
            // Another fragment held too, away from both, so that the drop visibly takes the whole datagram.
            boolean farHeld = c[0] != 0 && c[3] != 0;
            if (farHeld) {
                assertNull(e.add(cut(frame, ETH, 0, 8, true)));
            }
            assertNull(e.add(cut(frame, ETH, c[0], c[1], c[2] == 1)));
            assertEquals(1, e.r.datagrams());
            assertNull(e.add(cut(frame, ETH, c[3], c[4], c[5] == 1)));
            assertEquals(1, e.c.get(InetDrop.REASM_OVERLAP));
            assertEquals(1, e.c.get(Mib.ipReasmFails));
            assertEquals(farHeld ? 3 : 2, e.c.get(Mib.ipReasmReqds));
            e.assertEmpty();
        }
    }

    @Test
    void exactDuplicatesAreDroppedAloneAndTheDatagramCompletes() {
        try (Env e = new Env()) {
            byte[] frame = datagram(MIXED_OPTIONS, 5000, 6, UDP, 0, 11);
            List<byte[]> f = fragmentOracle(frame, ETH, 1500);
            assertEquals(4, f.size());
            assertNull(e.add(f.get(1)));
            assertNull(e.add(f.get(1)));
            assertNull(e.add(f.get(3)));
            assertNull(e.add(f.get(0)));
            assertNull(e.add(f.get(3)));
            assertNull(e.add(f.get(0)));
            byte[] retransmittedTtl = f.get(1).clone();
            retransmittedTtl[ETH + 8]--; // a copy that came another way: the header may differ, the payload not
            fixChecksum(retransmittedTtl, ETH);
            assertNull(e.add(retransmittedTtl));
            assertEquals(4, e.c.get(InetDrop.REASM_DUPLICATE));
            assertEquals(0, e.c.get(Mib.ipReasmFails), "a duplicate is no failure");
            assertEquals(1, e.r.datagrams());
            assertArrayEquals(frame, e.add(f.get(2)));
            assertEquals(1, e.c.get(Mib.ipReasmOKs));
            e.assertEmpty();
        }
    }

    @Test
    void aDuplicateWithOtherBytesIsAnOverlap() {
        try (Env e = new Env()) {
            byte[] frame = datagram(NO_OPTIONS, 3000, 6, UDP, 0, 12);
            List<byte[]> f = fragmentOracle(frame, ETH, 1500);
            assertNull(e.add(f.get(0)));
            assertNull(e.add(f.get(1)));
            byte[] forged = f.get(1).clone();
            forged[forged.length - 1] ^= 0x40;
            assertNull(e.add(forged));
            assertEquals(1, e.c.get(InetDrop.REASM_OVERLAP));
            assertEquals(0, e.c.get(InetDrop.REASM_DUPLICATE));
            e.assertEmpty();
            assertNull(e.add(f.get(2)), "the rest starts a new datagram that cannot complete");
            assertEquals(1, e.r.freeAll(e.p));
            e.assertEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Malformed fragments
    // ---------------------------------------------------------------------------------------------

    @Test
    void malformedFragmentsAreDroppedWithTheirDatagram() {
        try (Env e = new Env()) {
            byte[] frame = datagram(NO_OPTIONS, 4000, 8, UDP, 0, 13);
            // MF set and a payload that is not a multiple of 8: alone, then with its datagram held.
            assertNull(e.add(cut(frame, ETH, 0, 1477, true)));
            assertEquals(1, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            e.assertEmpty();
            assertNull(e.add(cut(frame, ETH, 0, 1480, true)));
            assertNull(e.add(cut(frame, ETH, 1480, 100, true)));
            assertEquals(2, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            e.assertEmpty();
            // No payload.
            assertNull(e.add(cut(frame, ETH, 1480, 0, true)));
            assertNull(e.add(cut(frame, ETH, 1480, 0, false)));
            assertEquals(4, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            // A second last fragment with another end.
            assertNull(e.add(cut(frame, ETH, 2960, 1040, false)));
            assertNull(e.add(cut(frame, ETH, 0, 8, true)));
            assertNull(e.add(cut(frame, ETH, 8, 8, false)));
            assertEquals(5, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            e.assertEmpty();
            // Data held past the end a last fragment then sets.
            assertNull(e.add(cut(frame, ETH, 2960, 1000, true)));
            assertNull(e.add(cut(frame, ETH, 1480, 1480, false)));
            assertEquals(6, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            e.assertEmpty();
            // A fragment with MF set past the end already known.
            assertNull(e.add(cut(frame, ETH, 1480, 1480, false)));
            assertNull(e.add(cut(frame, ETH, 2960, 8, true)));
            assertEquals(7, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            e.assertEmpty();
            assertEquals(7, e.c.get(Mib.ipReasmFails));
        }
    }

    @Test
    void aFragmentEndingPast65535IsDropped() {
        try (Env e = new Env()) {
            byte[] frame = datagram(NO_OPTIONS, 64, 9, UDP, 0, 14);
            byte[] f = cut(frame, ETH, 0, 24, false);
            put16(f, ETH + 6, 8189); // offset 65512: 65512 + 24 > 65535 - 20
            fixChecksum(f, ETH);
            assertNull(e.add(f));
            byte[] ok = f.clone();
            ok = Arrays.copyOf(ok, ok.length - 16);
            put16(ok, ETH + 2, 20 + 8); // 65512 + 8 = 65520 > 65515 still
            fixChecksum(ok, ETH);
            assertNull(e.add(ok));
            assertEquals(2, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            byte[] fits = Arrays.copyOf(ok, ok.length);
            put16(fits, ETH + 6, 8188); // 65504 + 8 = 65512: fine
            fixChecksum(fits, ETH);
            assertNull(e.add(fits));
            assertEquals(1, e.r.datagrams());
            assertEquals(1, e.r.freeAll(e.p));
            e.assertEmpty();
        }
    }

    /** A first fragment with 40 bytes of options and the rest cut for a 20-byte header: 65572 bytes whole. */
    @Test
    void aDatagramThatWouldReassembleToMoreThan65535BytesIsDropped() {
        try (Env e = new Env(4096, 4, 64, 4096)) {
            byte[] plain = datagram(NO_OPTIONS, 65_512, 10, UDP, 0, 15);
            byte[] withOptions = datagram(MAX_COPIED_OPTIONS, 1480, 10, UDP, 0, 15);
            assertNull(e.add(cut(withOptions, ETH, 0, 1480, true)));
            byte[] done = null;
            for (int off = 1480; off < 65_512; off += 1480) {
                int len = Math.min(1480, 65_512 - off);
                done = e.add(cut(plain, ETH, off, len, off + len < 65_512));
            }
            assertNull(done);
            assertEquals(1, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            e.assertEmpty();
        }
    }

    @Test
    void headersThatDoNotParseAreDroppedNotThrown() {
        try (Env e = new Env()) {
            byte[] frame = datagram(NO_OPTIONS, 3000, 11, UDP, 0, 16);
            byte[] good = cut(frame, ETH, 0, 1480, true);
            byte[] v6 = good.clone();
            v6[ETH] = 0x65;
            byte[] ihl4 = good.clone();
            ihl4[ETH] = 0x44;
            byte[] longTotal = good.clone();
            put16(longTotal, ETH + 2, 1501);
            byte[] shortTotal = good.clone();
            put16(shortTotal, ETH + 2, 19);
            byte[] headerCut = Arrays.copyOf(good, ETH + 16);
            for (byte[] bad : new byte[][] {v6, ihl4, longTotal, shortTotal, headerCut}) {
                fixChecksumIfPossible(bad);
                assertNull(e.add(bad));
            }
            assertEquals(5, e.c.get(InetDrop.REASM_BAD_FRAGMENT));
            e.assertEmpty();
        }
    }

    private static void fixChecksumIfPossible(byte[] f) {
        if (f.length >= ETH + 20 && ihlBytes(f, ETH) >= 20 && ihlBytes(f, ETH) <= f.length - ETH) {
            fixChecksum(f, ETH);
        }
    }

    @Test
    void ethernetPaddingIsTrimmedAndNonFragmentsPassThroughUncounted() {
        try (Env e = new Env()) {
            byte[] frame = datagram(NO_OPTIONS, 1496, 12, UDP, 0, 17);
            List<byte[]> f = fragmentOracle(frame, ETH, 1500);
            assertEquals(2, f.size());
            byte[] shortLast = f.get(1);
            assertEquals(ETH + 20 + 16, shortLast.length);
            assertNull(e.add(Arrays.copyOf(shortLast, 60))); // a 60-byte minimum Ethernet frame, padded
            assertArrayEquals(frame, e.add(f.get(0)));

            byte[] whole = datagram(NO_OPTIONS, 100, 13, UDP, 0, 18);
            int h = toPbuf(e.p, whole);
            assertEquals(h, e.r.add(e.p, h, ETH, 0), "not a fragment: returned as it is");
            assertArrayEquals(whole, e.p.toArray(h));
            e.p.freem(h);
            assertEquals(2, e.c.get(Mib.ipReasmReqds));
            e.assertEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Limits
    // ---------------------------------------------------------------------------------------------

    @Test
    void aDatagramBeyondMaxDatagramsIsRefusedAndNothingIsEvicted() {
        try (Env e = new Env(4096, 3, 64, 1024)) {
            byte[][] d = new byte[4][];
            List<List<byte[]>> f = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                d[k] = datagram(NO_OPTIONS, 2000, 100 + k, UDP, 0, k);
                f.add(fragmentOracle(d[k], ETH, 1500));
                assertNull(e.add(f.get(k).get(0)));
            }
            assertEquals(3, e.r.datagrams());
            assertEquals(1, e.c.get(InetDrop.REASM_LIMIT));
            assertNull(e.add(f.get(3).get(1)), "still no room for the fourth");
            assertEquals(2, e.c.get(InetDrop.REASM_LIMIT));
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(d[k], e.add(f.get(k).get(1)), "the held ones complete");
            }
            assertNull(e.add(f.get(3).get(1)));
            assertArrayEquals(d[3], e.add(f.get(3).get(0)), "room again");
            assertEquals(2, e.c.get(Mib.ipReasmFails));
            e.assertEmpty();
        }
    }

    @Test
    void oneFragmentMoreThanMaxFragmentsDropsTheDatagram() {
        try (Env e = new Env(4096, 4, 4, 1024)) {
            byte[] four = datagram(NO_OPTIONS, 4 * 1480, 1, UDP, 0, 20);
            List<byte[]> f4 = fragmentOracle(four, ETH, 1500);
            assertEquals(4, f4.size());
            for (int k = 3; k > 0; k--) {
                assertNull(e.add(f4.get(k)));
            }
            assertArrayEquals(four, e.add(f4.get(0)), "exactly the limit completes");

            byte[] six = datagram(NO_OPTIONS, 6 * 1480, 2, UDP, 0, 21);
            List<byte[]> f6 = fragmentOracle(six, ETH, 1500);
            for (int k = 0; k < 4; k++) {
                assertNull(e.add(f6.get(k)));
            }
            assertEquals(1, e.r.datagrams());
            assertNull(e.add(f6.get(4)));
            assertEquals(1, e.c.get(InetDrop.REASM_LIMIT));
            assertEquals(1, e.c.get(Mib.ipReasmFails));
            e.assertEmpty();
        }
    }

    @Test
    void thePbufLimitDropsTheArrivingFragmentsDatagramButLetsACompletingOneIn() {
        // 1514-byte frames received at Layer.RAW take 4 pbufs each.
        try (Env e = new Env(4096, 8, 64, 10)) {
            byte[] a = datagram(NO_OPTIONS, 3 * 1480, 1, UDP, 0, 22);
            byte[] b = datagram(NO_OPTIONS, 3 * 1480, 2, UDP, 0, 23);
            List<byte[]> fa = fragmentOracle(a, ETH, 1500);
            List<byte[]> fb = fragmentOracle(b, ETH, 1500);
            assertNull(e.add(fa.get(0)));
            assertNull(e.add(fa.get(2)));
            assertEquals(8, e.r.pbufsHeld());
            assertNull(e.add(fb.get(0)), "a new datagram past the limit");
            assertEquals(1, e.c.get(InetDrop.REASM_PBUF_LIMIT));
            assertEquals(1, e.r.datagrams());
            assertEquals(8, e.r.pbufsHeld());
            assertArrayEquals(a, e.add(fa.get(1)), "12 > 10, but it completes and leaves at once");
            e.assertEmpty();

            assertNull(e.add(fa.get(0)));
            assertNull(e.add(fb.get(0)));
            assertEquals(8, e.r.pbufsHeld());
            assertNull(e.add(fb.get(1)), "not completing: its own datagram goes");
            assertEquals(2, e.c.get(InetDrop.REASM_PBUF_LIMIT));
            assertEquals(1, e.r.datagrams());
            assertEquals(4, e.r.pbufsHeld());
            assertNull(e.add(fa.get(1)));
            assertArrayEquals(a, e.add(fa.get(2)));
            assertEquals(2, e.c.get(Mib.ipReasmFails));
            e.assertEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Timeout
    // ---------------------------------------------------------------------------------------------

    @Test
    void expiryDropsOldDatagramsAndHandsFragmentZeroToTheListener() {
        try (Env e = new Env()) {
            byte[] x = datagram(MIXED_OPTIONS, 3000, 1, UDP, 0, 30);
            byte[] y = datagram(NO_OPTIONS, 3000, 2, UDP, 0, 31);
            byte[] z = datagram(NO_OPTIONS, 3000, 3, UDP, 0, 32);
            List<byte[]> fx = fragmentOracle(x, ETH, 1500);
            List<byte[]> fy = fragmentOracle(y, ETH, 1500);
            List<byte[]> fz = fragmentOracle(z, ETH, 1500);
            e.now = 0;
            assertNull(e.add(fx.get(2)));
            assertNull(e.add(fx.get(0)));
            e.now = SECOND / 2;
            assertNull(e.add(fy.get(1)));
            assertNull(e.add(fy.get(2)));
            e.now = SECOND * 9 / 10;
            assertNull(e.add(fz.get(0)));
            assertEquals(3, e.r.datagrams());

            List<byte[]> heard = new ArrayList<>();
            Reassembler.ExpiredListener listener = (p, first) -> {
                heard.add(p.toArray(first));
                p.freem(first);
            };
            assertEquals(0, e.r.expire(e.p, SECOND - 1, listener));
            assertEquals(1, e.r.expire(e.p, SECOND, listener), "x: its first fragment came at 0");
            assertEquals(1, heard.size());
            assertArrayEquals(fx.get(0), heard.get(0), "fragment 0 as received");
            assertEquals(2, e.r.datagrams());
            assertEquals(1, e.r.expire(e.p, SECOND * 16 / 10, listener), "y: no fragment 0, nothing heard");
            assertEquals(1, heard.size());
            assertEquals(1, e.r.datagrams());
            assertEquals(1, e.r.expire(e.p, 2 * SECOND, null), "z: a null listener frees fragment 0");
            assertEquals(3, e.c.get(InetDrop.REASM_TIMEOUT));
            assertEquals(3, e.c.get(Mib.ipReasmFails));
            e.assertEmpty();
        }
    }

    @Test
    void theTimeoutRunsFromTheFirstFragmentNotTheLatest() {
        try (Env e = new Env()) {
            byte[] x = datagram(NO_OPTIONS, 5000, 1, UDP, 0, 33);
            List<byte[]> f = fragmentOracle(x, ETH, 1500);
            for (int k = 0; k < f.size() - 1; k++) {
                e.now = k * SECOND / 3;
                assertNull(e.add(f.get(k)));
            }
            assertEquals(1, e.r.expire(e.p, SECOND, (p, h) -> p.freem(h)));
            e.assertEmpty();
        }
    }

    @Test
    void freeAllFreesEverythingAndCountsNothing() {
        try (Env e = new Env()) {
            for (int d = 0; d < 5; d++) {
                List<byte[]> f = fragmentOracle(datagram(NO_OPTIONS, 7000, d, UDP, 0, d), ETH, 1500);
                for (int k = 0; k < d; k++) {
                    assertNull(e.add(f.get(k)));
                }
            }
            assertEquals(4, e.r.datagrams());
            assertEquals(0 + 1 + 2 + 3 + 4, e.r.freeAll(e.p));
            assertEquals(0, e.c.get(Mib.ipReasmFails));
            assertEquals(0, e.r.freeAll(e.p));
            e.assertEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Floods, mutation and random round trips
    // ---------------------------------------------------------------------------------------------

    /** 100k random fragments: memory stays bounded at every step, and nothing is left after freeAll. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void aFloodOfRandomFragmentsStaysBounded(long seed) {
        int maxDatagrams = 64;
        int maxPbufs = 512;
        try (Env e = new Env(8192, maxDatagrams, 16, maxPbufs)) {
            Random rnd = new Random(seed);
            byte[] base = datagram(NO_OPTIONS, 8000, 0, UDP, 0, seed);
            int completed = 0;
            for (int k = 0; k < 100_000; k++) {
                int off = rnd.nextInt(1000) * 8;
                int len = 8 * (1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 185));
                len = Math.min(len, 8000 - off);
                boolean mf = off + len < 8000 ? rnd.nextInt(8) != 0 : false;
                if (len <= 0 || !mf && off == 0) {
                    continue;
                }
                byte[] f = withId(cut(base, ETH, off, len, mf), ETH, rnd.nextInt(256));
                e.now += rnd.nextInt(200_000);
                byte[] whole = e.add(f);
                if (whole != null) {
                    completed++;
                    assertEquals(whole.length - ETH, u16(whole, ETH + 2));
                    assertEquals(0, checksum(whole, ETH, 20));
                }
                assertTrue(e.r.pbufsHeld() <= maxPbufs, () -> e.r.pbufsHeld() + " pbufs held");
                assertTrue(e.r.datagrams() <= maxDatagrams);
                if (k % 1000 == 0) {
                    e.r.expire(e.p, e.now, (p, h) -> p.freem(h));
                    assertEquals(e.r.pbufsHeld(), e.inUse(), "the reassembler's count is the pool's");
                }
            }
            long c = e.c.get(Mib.ipReasmReqds);
            assertTrue(c > 90_000);
            assertTrue(e.c.get(InetDrop.REASM_OVERLAP) > 0);
            assertEquals(completed, e.c.get(Mib.ipReasmOKs));
            e.r.freeAll(e.p);
            e.assertEmpty();
        }
    }

    /** Seeded random mutation of header bytes (link and IP), lengths and frame sizes: never throws, never leaks. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14})
    void randomlyMutatedFragmentsNeverThrowNorLeak(long seed) {
        try (Env e = new Env(8192, 32, 32, 1024)) {
            Random rnd = new Random(seed);
            List<byte[]> pool = new ArrayList<>();
            byte[][] opts = {NO_OPTIONS, COPIED_OPTIONS, MIXED_OPTIONS, MAX_COPIED_OPTIONS};
            for (int d = 0; d < 8; d++) {
                byte[] frame = datagram(opts[d % opts.length], 100 + rnd.nextInt(4000), d, UDP, 0, d);
                pool.addAll(fragmentOracle(frame, ETH, 576));
            }
            for (int k = 0; k < 50_000; k++) {
                byte[] f = pool.get(rnd.nextInt(pool.size())).clone();
                int mutations = rnd.nextInt(6);
                for (int m = 0; m < mutations; m++) {
                    int at = ETH + rnd.nextInt(Math.min(60, f.length - ETH));
                    f[at] = (byte) rnd.nextInt();
                }
                if (rnd.nextInt(10) == 0) {
                    f = Arrays.copyOf(f, rnd.nextInt(f.length + 30));
                }
                if (rnd.nextBoolean()) {
                    fixChecksumIfPossible(f);
                }
                e.now += rnd.nextInt(50_000_000);
                if (f.length == 0) {
                    continue;
                }
                byte[] whole = e.add(f);
                if (whole != null) {
                    assertTrue(whole.length >= ETH + 20);
                }
                assertTrue(e.r.pbufsHeld() <= 1024);
                if (k % 500 == 0) {
                    e.r.expire(e.p, e.now, (p, h) -> p.freem(h));
                    assertEquals(e.r.pbufsHeld(), e.inUse());
                }
            }
            e.r.freeAll(e.p);
            e.assertEmpty();
        }
    }

    /**
     * Property: any payload size (1..65515), options, MTU and delivery order, with exact duplicates thrown in,
     * gives back the original frame.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108})
    void anySizeAnyMtuAnyOrderReassemblesToTheOriginal(long seed) {
        Random rnd = new Random(seed);
        byte[][] opts = {NO_OPTIONS, COPIED_OPTIONS, MIXED_OPTIONS, MAX_COPIED_OPTIONS, NON_COPIED_OPTIONS};
        try (Env e = new Env(32_768, 4, 8192, 32_768)) {
            Fragmenter fragmenter = new Fragmenter(e.c);
            int[] out = new int[8192];
            for (int round = 0; round < 25; round++) {
                byte[] options = opts[rnd.nextInt(opts.length)];
                int maxPayload = 65_535 - 20 - options.length;
                int payload = switch (rnd.nextInt(4)) {
                    case 0 -> 1 + rnd.nextInt(64);
                    case 1 -> 1 + rnd.nextInt(3000);
                    case 2 -> 1 + rnd.nextInt(maxPayload);
                    default -> maxPayload - rnd.nextInt(64);
                };
                int hlen = 20 + options.length;
                int mtu = rnd.nextBoolean() ? hlen + 8 + rnd.nextInt(600) : 576 + rnd.nextInt(9000 - 576);
                if (hlen + payload <= mtu) {
                    mtu = Math.max(hlen + 8, (hlen + payload) / 2);
                    if (hlen + payload <= mtu) {
                        continue; // too small to fragment at all (a 1-byte payload with a small header)
                    }
                }
                int protocol = payload >= 8 && rnd.nextBoolean() ? UDP : 253;
                byte[] frame = datagram(options, payload, rnd.nextInt(65_536), protocol, 0, rnd.nextLong());
                int n = fragmenter.fragment(e.p, toOddPbuf(e.p, frame, rnd), ETH, mtu, out, 0, out.length);
                String what = "round " + round + " payload " + payload + " mtu " + mtu + " options " + options.length;
                assertTrue(n >= 2, what);
                List<Integer> order = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    order.add(k);
                }
                Collections.shuffle(order, rnd);
                int whole = NULL;
                int added = 0;
                for (int k : order) {
                    added++;
                    if (rnd.nextInt(20) == 0 && added < n) {
                        int dup = e.p.dup(out[k]);
                        assertEquals(NULL, e.r.add(e.p, dup, ETH, 0), what);
                    }
                    int got = e.r.add(e.p, out[k], ETH, 0);
                    if (added < n) {
                        assertEquals(NULL, got, what);
                    } else {
                        whole = got;
                    }
                }
                assertNotEquals(NULL, whole, what);
                assertArrayEquals(frame, e.p.toArray(whole), what);
                assertEquals(frame.length, e.p.pktLen(whole), what);
                e.p.freem(whole);
                e.assertEmpty();
            }
            assertEquals(0, e.c.get(Mib.ipReasmFails));
        }
    }
}
