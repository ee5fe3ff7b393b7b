package io.sluice.engine.phy;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Faults on the receive and transmit paths, seeded and replayable, with a hand-driven clock. */
@ExtendWith(PbufLeakExtension.class)
class FaultInjectingPortTest {
    private static final int N = 2_000;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final NanoClock clock = now::get;

    private SyntheticPort generator(long count) {
        return SyntheticPort.builder("gen").count(count).flows(4).maxBurst(32).clock(clock).build();
    }

    /** What came out of a receive path: each packet's bytes, in order. */
    private record Trace(List<byte[]> frames, long dropped, long corrupted, long duplicated, long reordered) {
        int[] seqs() {
            return frames.stream().mapToInt(FaultInjectingPortTest::seq).toArray();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Determinism
    // ---------------------------------------------------------------------------------------------------

    @Test
    void theSameSeedGivesTheSameFaultsAndAnotherSeedOthers() {
        Faults faults = Faults.NONE.withDrop(0.1).withDuplicate(0.1).withReorder(0.1).withSeed(42);
        try (PbufPool pool = PbufPool.create(4096)) {
            Trace a = receiveAll(pool, faults, 32);
            Trace b = receiveAll(pool, faults, 32);
            Trace c = receiveAll(pool, faults, 1, 7, 64, 3); // other burst sizes: the same stream
            Trace d = receiveAll(pool, faults.withSeed(43), 32);
            assertArrayEquals(a.seqs(), b.seqs());
            assertArrayEquals(a.seqs(), c.seqs(), "the faults depend on the seed and the packet, not on the bursts");
            assertFalse(Arrays.equals(a.seqs(), d.seqs()));
            assertEquals(List.of(a.dropped, a.duplicated, a.reordered), List.of(b.dropped, b.duplicated, b.reordered));
            assertTrue(a.dropped > 100 && a.dropped < 300, "about 10% of " + N + ": " + a.dropped);
            assertTrue(a.duplicated > 100 && a.duplicated < 300, "duplicated " + a.duplicated);
            assertTrue(a.reordered > 100 && a.reordered < 300, "reordered " + a.reordered);

            // every frame came out once, twice when duplicated, never when dropped; a packet held back for
            // reordering when the traffic stopped never came out (close freed it)
            long held = N - a.dropped + a.duplicated - a.frames.size();
            assertTrue(held == 0 || held == 1, "held " + held);
            int[] seen = new int[N];
            for (int s : a.seqs()) {
                seen[s]++;
            }
            long twice = Arrays.stream(seen).filter(x -> x == 2).count();
            long never = Arrays.stream(seen).filter(x -> x == 0).count();
            assertEquals(0, Arrays.stream(seen).filter(x -> x > 2).count());
            assertTrue(twice == a.duplicated || twice == a.duplicated - held, twice + " seen twice");
            assertTrue(never == a.dropped || never == a.dropped + held, never + " never seen");
            // out of order only by a packet held back past the next one
            int outOfOrder = 0;
            int[] s = a.seqs();
            for (int k = 1; k < s.length; k++) {
                if (s[k] < s[k - 1]) {
                    outOfOrder++;
                }
            }
            assertTrue(outOfOrder > 0 && outOfOrder <= a.reordered, outOfOrder + " inversions");
            assertPoolFull(pool);
        }
    }

    /** Receives everything from a generator of N frames through the faults, taking {@code take[i % len]} per call. */
    private Trace receiveAll(PbufPool pool, Faults faults, int... take) {
        SyntheticPort gen = generator(N);
        Pbufs p = pool.local();
        FaultInjectingPort port = new FaultInjectingPort(gen, faults, Faults.NONE, clock);
        List<byte[]> frames = new ArrayList<>();
        int[] out = new int[64];
        for (int call = 0, idle = 0; idle < 3 && call < 100_000; call++) {
            int n = port.receiveBurst(p, out, take[call % take.length]);
            idle = gen.exhausted() && n == 0 ? idle + 1 : 0;
            for (int k = 0; k < n; k++) {
                frames.add(p.toArray(out[k]));
                p.freem(out[k]);
            }
        }
        Trace t = new Trace(frames, port.dropped(), port.corrupted(), port.duplicated(), port.reordered());
        port.close(p);
        return t;
    }

    // ---------------------------------------------------------------------------------------------------
    // Each fault alone
    // ---------------------------------------------------------------------------------------------------

    @Test
    void dropProbabilityOneDropsEverythingAndZeroNothing() {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            FaultInjectingPort all = new FaultInjectingPort(generator(N), Faults.NONE.withDrop(1), Faults.NONE, clock);
            int[] out = new int[32];
            for (int call = 0; call < 200; call++) {
                assertEquals(0, all.receiveBurst(p, out, 32));
            }
            assertEquals(N, all.dropped());
            assertEquals(N, all.counters().rxDrops(PortCounters.Drop.FAULT_INJECTED));
            assertEquals(0, all.counters().rxPackets());
            assertEquals(Map.of("rx.fault_injected", (long) N), all.counters().drops());
            all.close(p);
            assertPoolFull(pool);

            Trace none = receiveAll(pool, Faults.NONE.withSeed(99), 32);
            int[] expect = new int[N];
            Arrays.setAll(expect, k -> k);
            assertArrayEquals(expect, none.seqs(), "no faults: every frame, in order");
            assertEquals(List.of(0L, 0L, 0L, 0L), List.of(none.dropped, none.corrupted, none.duplicated, none.reordered));
            assertPoolFull(pool);
        }
    }

    @Test
    void corruptionInvertsExactlyOneByteOfEachCorruptedPacket() {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            for (double prob : new double[] {1.0, 0.3}) {
                now.set(5_000);
                SyntheticPort twin = generator(N); // the same frames, untouched
                FaultInjectingPort port = new FaultInjectingPort(generator(N), Faults.NONE.withCorrupt(prob).withSeed(7),
                    Faults.NONE, clock);
                int[] out = new int[32];
                int[] orig = new int[32];
                int corrupted = 0;
                int frames = 0;
                Map<Integer, Integer> positions = new HashMap<>();
                for (int call = 0; frames < N && call < 1000; call++) {
                    int n = port.receiveBurst(p, out, 32);
                    assertEquals(n, twin.receiveBurst(p, orig, n));
                    for (int k = 0; k < n; k++) {
                        byte[] got = p.toArray(out[k]);
                        byte[] want = p.toArray(orig[k]);
                        assertEquals(want.length, got.length);
                        int diffs = 0;
                        for (int i = 0; i < got.length; i++) {
                            if (got[i] != want[i]) {
                                diffs++;
                                assertEquals((byte) ~want[i], got[i], "the byte is inverted");
                                positions.merge(i, 1, Integer::sum);
                            }
                        }
                        assertTrue(diffs <= 1, "frame " + frames + ": " + diffs + " bytes differ");
                        corrupted += diffs;
                        frames++;
                        p.freem(out[k]);
                        p.freem(orig[k]);
                    }
                }
                assertEquals(N, frames);
                assertEquals(port.corrupted(), corrupted);
                if (prob == 1.0) {
                    assertEquals(N, corrupted, "probability 1: every frame");
                    assertTrue(positions.size() > 40, "anywhere in the 60 bytes: " + positions.keySet());
                } else {
                    assertTrue(corrupted > N / 5 && corrupted < N * 2 / 5, "about 30%: " + corrupted);
                }
                assertEquals(0, port.counters().rxDrops(PortCounters.Drop.FAULT_INJECTED));
                port.close(p);
                assertPoolFull(pool);
            }
        }
    }

    @Test
    void aDuplicateIsAByteIdenticalDeepCopyRightAfterItsOriginal() {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            for (int size : new int[] {60, 1514}) {
                SyntheticPort gen = SyntheticPort.builder("gen").frameSize(size).count(100).clock(clock).build();
                FaultInjectingPort port = new FaultInjectingPort(gen, Faults.NONE.withDuplicate(1).withSeed(3),
                    Faults.NONE, clock);
                int[] out = new int[64];
                int got = 0;
                for (int call = 0; got < 200 && call < 100; call++) {
                    int n = port.receiveBurst(p, out, 64);
                    assertEquals(0, n % 2, "pairs");
                    for (int k = 0; k < n; k += 2) {
                        int a = out[k];
                        int b = out[k + 1];
                        assertNotEquals(a, b);
                        assertEquals(got / 2, seq(p.toArray(a)));
                        assertArrayEquals(p.toArray(a), p.toArray(b), "byte-identical");
                        assertEquals(p.pktLen(a), p.pktLen(b));
                        assertEquals(p.timestamp(a), p.timestamp(b), "the packet header is copied too");
                        assertEquals(p.flowHash(a), p.flowHash(b));
                        for (int x = a; x != PbufHandle.NULL; x = p.next(x)) {
                            for (int y = b; y != PbufHandle.NULL; y = p.next(y)) {
                                assertNotEquals(p.address(x), p.address(y), "no pbuf shared");
                            }
                        }
                        p.putByte(b, 0, (byte) 0x77);
                        assertEquals(2, p.getByte(a, 0), "a deep copy: writing one leaves the other");
                        assertNull(p.check(b));
                        p.freem(a);
                        p.freem(b);
                        got += 2;
                    }
                }
                assertEquals(200, got);
                assertEquals(100, port.duplicated());
                assertEquals(200, port.counters().rxPackets());
                port.close(p);
                assertPoolFull(pool);
            }
        }
    }

    @Test
    void reorderingSwapsAPacketWithTheNextOne() {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            FaultInjectingPort port = new FaultInjectingPort(generator(11), Faults.NONE.withReorder(1).withSeed(5),
                Faults.NONE, clock);
            int[] out = new int[32];
            List<Integer> seqs = new ArrayList<>();
            for (int call = 0; call < 10; call++) {
                int n = port.receiveBurst(p, out, 3);
                for (int k = 0; k < n; k++) {
                    seqs.add(seq(p.toArray(out[k])));
                    p.freem(out[k]);
                }
            }
            assertEquals(List.of(1, 0, 3, 2, 5, 4, 7, 6, 9, 8), seqs, "frame 10 is held back for a next that never comes");
            assertEquals(6, port.reordered());
            assertEquals(pool.capacity() - 1, pool.capacity() - pool.stats().inUse());
            port.close(p);
            assertEquals(1, port.counters().rxDrops(PortCounters.Drop.PORT_CLOSED), "close freed the held packet");
            assertEquals(0, port.counters().rxDrops(PortCounters.Drop.FAULT_INJECTED), "which is no injected fault");
            assertPoolFull(pool);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Rate limit
    // ---------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(longs = {1_000, 10_000, 50})
    void aRateLimitLetsAtMostRatePlusBurstThroughPerSecond(long rate) {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            SyntheticPort gen = generator(Long.MAX_VALUE);
            FaultInjectingPort port = new FaultInjectingPort(gen, Faults.NONE.withRate(rate).withSeed(1), Faults.NONE,
                clock);
            long burst = Math.max(1, rate / 100);
            int[] out = new int[32];
            long passed = 0;
            long step = 1_000_000; // 1 ms a call: one simulated second
            for (int call = 0; call < 1000; call++) {
                now.addAndGet(step);
                int n = port.receiveBurst(p, out, 32);
                passed += n;
                p.freem(out, n);
            }
            assertTrue(passed <= rate + burst, passed + " passed at " + rate + " pps");
            assertTrue(passed >= Math.min(rate, 32_000) - 1, passed + " passed at " + rate + " pps: the rate is let through");
            assertEquals(gen.generated() - passed, port.rateLimited());
            assertEquals(port.rateLimited(), port.counters().rxDrops(PortCounters.Drop.FAULT_INJECTED));
            assertEquals(0, port.dropped(), "rate limiting is counted apart from random drops");
            // an idle minute fills the bucket to its burst only
            now.addAndGet(60_000_000_000L);
            long before = port.rateLimited();
            int n = port.receiveBurst(p, out, 32);
            p.freem(out, n);
            assertEquals(Math.min(burst, 32), n);
            assertEquals(32 - n, port.rateLimited() - before);
            port.close(p);
            assertPoolFull(pool);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Transmit side
    // ---------------------------------------------------------------------------------------------------

    /** A port that takes {@code accept[i % len]} packets on its i-th transmit and records their sequence numbers. */
    private static final class StingyPort implements NicPort {
        final PortCounters counters = new PortCounters();
        final List<Integer> seqs = new ArrayList<>();
        final int[] accept;
        final int maxBurst;
        int calls;

        StingyPort(int maxBurst, int... accept) {
            this.maxBurst = maxBurst;
            this.accept = accept;
        }

        @Override
        public String name() {
            return "stingy";
        }

        @Override
        public PortCapabilities capabilities() {
            return PortCapabilities.ethernet(maxBurst);
        }

        @Override
        public int receiveBurst(Pbufs p, int[] out, int max) {
            return 0;
        }

        @Override
        public int transmitBurst(Pbufs p, int[] handles, int off, int n) {
            int k = Math.min(n, accept[calls++ % accept.length]);
            for (int i = 0; i < k; i++) {
                seqs.add(seq(p.toArray(handles[off + i])));
                p.freem(handles[off + i]);
            }
            counters.transmitted(k, 0);
            return k;
        }

        @Override
        public PortCounters counters() {
            return counters;
        }

        @Override
        public void close(Pbufs p) {
        }
    }

    /**
     * Sends N frames through the faults into {@code inner}, keeping what the port refuses and offering it
     * again, in order, as a NIC's caller does; then flushes with empty bursts.
     */
    private List<Integer> transmitAll(PbufPool pool, FaultInjectingPort port, StingyPort inner, int burst) {
        Pbufs p = pool.local();
        SyntheticPort gen = generator(N);
        int[] pending = new int[64];
        int count = 0;
        for (int call = 0; call < 100_000 && (count > 0 || !gen.exhausted()); call++) {
            if (count < burst) {
                count += fill(gen, p, pending, count, burst);
            }
            int k = port.transmitBurst(p, pending, 0, count);
            assertTrue(k >= 0 && k <= count);
            System.arraycopy(pending, k, pending, 0, count - k); // the caller keeps the rest, in order
            count -= k;
        }
        for (int call = 0; call < 1000; call++) {
            assertEquals(0, port.transmitBurst(p, pending, 0, 0));
        }
        return inner.seqs;
    }

    private static int fill(SyntheticPort gen, Pbufs p, int[] pending, int count, int burst) {
        int[] tmp = new int[burst - count];
        int n = gen.receiveBurst(p, tmp, tmp.length);
        System.arraycopy(tmp, 0, pending, count, n);
        return n;
    }

    @Test
    void backPressureRetriesWhatTheInnerPortRefusedInOrder() {
        try (PbufPool pool = PbufPool.create(4096)) {
            StingyPort inner = new StingyPort(16, 0, 1, 16, 3, 0, 0, 7, 2);
            FaultInjectingPort port = new FaultInjectingPort(inner, Faults.NONE, Faults.NONE, clock);
            List<Integer> got = transmitAll(pool, port, inner, 24);
            List<Integer> expect = new ArrayList<>();
            for (int k = 0; k < N; k++) {
                expect.add(k);
            }
            assertEquals(expect, got, "nothing lost, nothing duplicated, nothing out of order");
            assertEquals(N, port.counters().txPackets());
            assertEquals(Map.of(), port.counters().drops());
            port.close(pool.local());
            assertPoolFull(pool);
        }
    }

    @Test
    void transmitFaultsAreTheSameWhateverTheInnerPortAccepts() {
        Faults faults = Faults.NONE.withDrop(0.05).withDuplicate(0.1).withReorder(0.1).withSeed(77);
        try (PbufPool pool = PbufPool.create(4096)) {
            StingyPort eager = new StingyPort(32, 32);
            FaultInjectingPort a = new FaultInjectingPort(eager, Faults.NONE, faults, clock);
            List<Integer> free = transmitAll(pool, a, eager, 32);
            StingyPort stingy = new StingyPort(8, 0, 3, 1, 8, 0, 5);
            FaultInjectingPort b = new FaultInjectingPort(stingy, Faults.NONE, faults, clock);
            List<Integer> pressed = transmitAll(pool, b, stingy, 20);
            assertEquals(free, pressed);
            assertTrue(a.dropped() > 0 && a.duplicated() > 0 && a.reordered() > 0);
            assertEquals(List.of(a.dropped(), a.duplicated(), a.reordered()), List.of(b.dropped(), b.duplicated(),
                b.reordered()));
            assertEquals(a.dropped(), a.counters().txDrops(PortCounters.Drop.FAULT_INJECTED));
            assertEquals(0, a.counters().rxDrops(PortCounters.Drop.FAULT_INJECTED));
            long held = N - a.dropped() + a.duplicated() - free.size();
            assertTrue(held == 0 || held == 1, "at most the held-back packet is still in the port: " + held);
            a.close(pool.local());
            b.close(pool.local());
            assertEquals(held, a.counters().txDrops(PortCounters.Drop.PORT_CLOSED));
            assertPoolFull(pool);
        }
    }

    @Test
    void transmitDropProbabilityOneSendsNothingAndFreesEverything() {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            SyntheticPort sink = SyntheticPort.builder("sink").clock(clock).build();
            FaultInjectingPort port = new FaultInjectingPort(sink, Faults.NONE, Faults.NONE.withDrop(1), clock);
            SyntheticPort gen = generator(100);
            int[] b = new int[10];
            for (int k = 0; k < 10; k++) {
                assertEquals(10, gen.receiveBurst(p, b, 10));
                assertEquals(10, port.transmitBurst(p, b, 0, 10), "taken, then dropped");
            }
            assertEquals(0, sink.sunk());
            assertEquals(100, port.counters().txDrops(PortCounters.Drop.FAULT_INJECTED));
            assertEquals(0, port.counters().txPackets(), "only what reached the inner port counts as transmitted");
            port.close(p);
            assertPoolFull(pool);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Close
    // ---------------------------------------------------------------------------------------------------

    @Test
    void closeFreesStagedAndHeldPacketsOnBothSides() {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            // receive: the caller takes 1 of many, so packets wait staged; reordering holds one back
            FaultInjectingPort rx = new FaultInjectingPort(generator(N), Faults.NONE.withReorder(0.5).withSeed(9),
                Faults.NONE, clock);
            int[] out = new int[32];
            int n = rx.receiveBurst(p, out, 1);
            assertEquals(1, n);
            p.freem(out[0]);
            long inPort = pool.stats().inUse();
            assertTrue(inPort > 1, "staged in the port: " + inPort);
            rx.close(p);
            assertEquals(inPort, rx.counters().rxDrops(PortCounters.Drop.PORT_CLOSED));
            assertEquals(0, rx.counters().rxDrops(PortCounters.Drop.FAULT_INJECTED), "closing is not a fault");
            assertPoolFull(pool);

            // transmit: the inner port refuses everything, so what was taken waits staged
            StingyPort wall = new StingyPort(8, 0);
            FaultInjectingPort tx = new FaultInjectingPort(wall, Faults.NONE, Faults.NONE.withReorder(1).withSeed(9), clock);
            SyntheticPort gen = generator(100);
            assertEquals(20, gen.receiveBurst(p, out, 20));
            int taken = tx.transmitBurst(p, out, 0, 15);
            assertEquals(15, taken, "the port stages up to two bursts of the inner port");
            assertEquals(0, tx.transmitBurst(p, out, 15, 5), "full: back-pressure");
            p.freem(Arrays.copyOfRange(out, 15, 20), 5);
            assertEquals(15, pool.stats().inUse(), "14 staged, the last held back for reordering");
            tx.close(p);
            assertEquals(15, tx.counters().txDrops(PortCounters.Drop.PORT_CLOSED), "staged and held, all freed");
            assertEquals(0, tx.counters().txDrops(PortCounters.Drop.FAULT_INJECTED));
            assertEquals(List.of(), wall.seqs);
            assertPoolFull(pool);
        }
    }

    // ---------------------------------------------------------------------------------------------------

    static int seq(byte[] frame) {
        return (frame[TestFrame.SEQ_OFFSET] & 0xFF) << 24 | (frame[TestFrame.SEQ_OFFSET + 1] & 0xFF) << 16
            | (frame[TestFrame.SEQ_OFFSET + 2] & 0xFF) << 8 | frame[TestFrame.SEQ_OFFSET + 3] & 0xFF;
    }

    private static void assertPoolFull(PbufPool pool) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> pool.leakReport().toString());
        assertEquals(s.total(), s.free() + s.cached(), "every slot is back on a free list");
    }
}
