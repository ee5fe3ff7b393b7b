package io.sluice.engine.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;

/** The SPSC ring of pbuf handles and the fan-in over several of them. No pbufs are involved: handles are ints. */
class SpscRingTest {
    private static final int EMPTY = -1;

    static {
        // JOL only reads field offsets here; its agent and serviceability-agent attach attempts just cost seconds.
        System.setProperty("jol.skipDynamicAttach", "true");
        System.setProperty("jol.skipHotspotSAAttach", "true");
    }

    // ---------------------------------------------------------------------------------------------------
    // Construction
    // ---------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -4, -1, 0, 1, 3, 6, 12, 1000, (1 << 20) + 1, Integer.MAX_VALUE})
    void aCapacityThatIsNotAPowerOfTwoOfAtLeastTwoIsRejected(int capacity) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SpscRing("r", capacity));
        assertTrue(e.getMessage().contains("capacity=" + capacity), e.getMessage());
        assertTrue(e.getMessage().contains("ring r"), "names the ring: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8, 1024, 1 << 16})
    void powersOfTwoAreAccepted(int capacity) {
        SpscRing r = new SpscRing("r", capacity);
        assertEquals(capacity, r.capacity());
        assertEquals("r", r.name());
        assertEquals(0, r.size());
        assertEquals(capacity, r.free());
        assertEquals(0, r.fullEvents());
        assertEquals(0, r.emptyEvents());
        assertEquals(0, r.highWater());
    }

    // ---------------------------------------------------------------------------------------------------
    // Single-threaded behaviour
    // ---------------------------------------------------------------------------------------------------

    @Test
    void offerAndPollKeepOrderAndPollGivesTheEmptyValue() {
        SpscRing r = new SpscRing("r", 4);
        assertEquals(EMPTY, r.poll(EMPTY));
        assertEquals(0, r.poll(0), "the empty value is the caller's choice");
        for (int round = 0; round < 5; round++) { // wraps around several times
            for (int k = 0; k < 4; k++) {
                assertTrue(r.offer(round * 10 + k));
            }
            assertFalse(r.offer(99), "full");
            assertEquals(4, r.size());
            assertEquals(0, r.free());
            for (int k = 0; k < 4; k++) {
                assertEquals(round * 10 + k, r.poll(EMPTY));
                assertEquals(3 - k, r.size());
            }
            assertEquals(EMPTY, r.poll(EMPTY));
        }
        assertTrue(r.offer(0), "a handle equal to another caller's empty value is still a handle");
        assertEquals(0, r.poll(EMPTY));
    }

    @Test
    void burstTakesAsManyAsFitAndBulkAllOrNothing() {
        SpscRing r = new SpscRing("r", 8);
        int[] src = seq(100, 20);
        assertEquals(0, r.offerBulk(src, 0, 9), "more than the capacity: never");
        assertEquals(5, r.offerBurst(src, 0, 5));
        assertEquals(0, r.offerBulk(src, 5, 4), "4 do not fit in 3");
        assertEquals(3, r.offerBulk(src, 5, 3), "exactly fills");
        assertEquals(0, r.offerBurst(src, 8, 1), "full");
        assertEquals(0, r.offerBulk(src, 8, 1), "full");
        assertFalse(r.offer(1), "full");
        assertEquals(0, r.offerBurst(src, 8, 0), "nothing asked, nothing moved");
        assertEquals(8, r.size());

        int[] dst = new int[32];
        Arrays.fill(dst, -7);
        assertEquals(0, r.pollBulk(dst, 0, 9), "more than there are: none");
        assertEquals(3, r.pollBurst(dst, 2, 3), "into an offset");
        assertArrayEquals(new int[] {-7, -7, 100, 101, 102, -7}, Arrays.copyOf(dst, 6));
        // nearly full: 3 free, the tail at slot 0 after wrapping
        assertEquals(0, r.offerBulk(src, 8, 4));
        assertEquals(3, r.offerBurst(src, 8, 4), "as many as fit: 3 of 4");
        assertEquals(0, r.free());
        assertEquals(0, r.pollBulk(dst, 0, 9));
        assertEquals(8, r.pollBulk(dst, 10, 8), "exactly what is there, across the wrap");
        assertArrayEquals(seq(103, 8), Arrays.copyOfRange(dst, 10, 18));
        assertEquals(0, r.pollBurst(dst, 0, 4), "empty");
        assertEquals(0, r.pollBulk(dst, 0, 1), "empty");
        assertEquals(0, r.pollBurst(dst, 0, 0));
    }

    @Test
    void burstsAndBulksWrapAroundTheEndOfTheArray() {
        SpscRing r = new SpscRing("r", 8);
        int[] dst = new int[16];
        for (int k = 0; k < 6; k++) {
            r.offer(k);
            r.poll(EMPTY);
        }
        // head = tail = slot 6
        assertEquals(5, r.offerBulk(seq(1000, 5), 0, 5), "slots 6, 7, 0, 1, 2");
        assertEquals(2, r.pollBurst(dst, 0, 2));
        assertArrayEquals(new int[] {1000, 1001}, Arrays.copyOf(dst, 2));
        assertEquals(5, r.offerBurst(seq(2000, 9), 0, 9), "5 free of the 9 asked: slots 3..7");
        assertEquals(0, r.free());
        assertEquals(8, r.pollBurst(dst, 1, 16));
        assertArrayEquals(new int[] {1002, 1003, 1004, 2000, 2001, 2002, 2003, 2004}, Arrays.copyOfRange(dst, 1, 9));
        // the sequence over many wraps with assorted sizes
        SplittableRandom rnd = new SplittableRandom(7);
        int next = 0;
        int expect = 0;
        int[] buf = new int[16];
        for (int step = 0; step < 20_000; step++) {
            int n = rnd.nextInt(10);
            if (rnd.nextBoolean()) {
                int before = r.free();
                int moved = rnd.nextBoolean() ? r.offerBurst(seq(next, n), 0, n) : r.offerBulk(seq(next, n), 0, n);
                assertTrue(moved == Math.min(n, before) || moved == 0 && n > before, "moved " + moved);
                next += moved;
            } else {
                int before = r.size();
                int got = rnd.nextBoolean() ? r.pollBurst(buf, 0, n) : r.pollBulk(buf, 0, n);
                assertTrue(got == Math.min(n, before) || got == 0 && n > before, "got " + got);
                for (int k = 0; k < got; k++) {
                    assertEquals(expect++, buf[k]);
                }
            }
            assertEquals(next - expect, r.size());
            assertEquals(8 - r.size(), r.free());
        }
    }

    @Test
    void fullAndEmptyEventsCountOperationsThatMovedNothing() {
        SpscRing r = new SpscRing("r", 4);
        int[] buf = new int[8];
        assertEquals(EMPTY, r.poll(EMPTY));
        assertEquals(0, r.pollBurst(buf, 0, 4));
        assertEquals(0, r.pollBulk(buf, 0, 1));
        assertEquals(3, r.emptyEvents());
        assertEquals(0, r.fullEvents());

        assertEquals(3, r.offerBurst(seq(1, 3), 0, 3));
        assertEquals(0, r.offerBulk(seq(1, 2), 0, 2)); // 1 free: a bulk of 2 fails
        assertEquals(1, r.fullEvents());
        assertEquals(1, r.offerBurst(seq(1, 2), 0, 2)); // partial: not an event
        assertEquals(1, r.fullEvents());
        assertFalse(r.offer(9));
        assertEquals(0, r.offerBurst(buf, 0, 1));
        assertEquals(3, r.fullEvents());

        assertEquals(0, r.pollBulk(buf, 0, 5)); // 4 there: a bulk of 5 fails
        assertEquals(4, r.emptyEvents());
        assertEquals(4, r.pollBurst(buf, 0, 8)); // partial: not an event
        assertEquals(4, r.emptyEvents());
        assertEquals(3, r.fullEvents(), "the consumer's events do not touch the producer's");
    }

    @Test
    void highWaterIsTheMostHandlesEverInTheRing() {
        SpscRing r = new SpscRing("r", 8);
        int[] buf = new int[8];
        for (int k = 0; k < 50; k++) { // the ring never holds more than one handle
            assertTrue(r.offer(k));
            assertEquals(k, r.poll(EMPTY));
        }
        assertEquals(1, r.highWater(), "one at a time through many wraps is a high-water mark of 1");
        for (int k = 0; k < 10; k++) {
            assertEquals(3, r.offerBurst(seq(0, 3), 0, 3));
            assertEquals(3, r.pollBulk(buf, 0, 3));
        }
        assertEquals(3, r.highWater());
        assertEquals(5, r.offerBulk(seq(0, 5), 0, 5));
        assertEquals(5, r.highWater());
        assertEquals(5, r.pollBurst(buf, 0, 8));
        assertEquals(5, r.highWater(), "a mark, not the current size");
        assertEquals(8, r.offerBurst(seq(0, 9), 0, 9));
        assertEquals(8, r.highWater());
        assertEquals(8, r.pollBurst(buf, 0, 8));
        assertEquals(8, r.highWater());
    }

    // ---------------------------------------------------------------------------------------------------
    // Two threads
    // ---------------------------------------------------------------------------------------------------

    /**
     * 20 M handles through a small ring, each side mixing single, burst and bulk operations of random sizes
     * (some larger than the ring). Bounded twice: by the count, and by a time budget after which the producer
     * stops early (a loaded machine) and the consumer drains what was offered; a hard deadline guards hangs.
     */
    @Test
    void theConsumerSeesExactlyTheSequenceTheProducerOffered() throws Exception {
        final int total = 20_000_000;
        final long budget = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        final long hardDeadline = budget + TimeUnit.SECONDS.toNanos(5);
        SpscRing r = new SpscRing("stress", 1024);
        AtomicReference<String> producerFailure = new AtomicReference<>();
        AtomicInteger offered = new AtomicInteger(-1); // set once the producer is done
        Thread producer = new Thread(() -> {
            SplittableRandom rnd = new SplittableRandom(1);
            int[] src = new int[1100];
            int next = 0;
            long idle = 0;
            while (next < total) {
                int moved;
                int mode = rnd.nextInt(8);
                int n = Math.min(total - next, mode == 0 ? 1 : 1 + rnd.nextInt(mode == 7 ? 1100 : 64));
                for (int k = 0; k < n; k++) {
                    src[k] = next + k;
                }
                if (mode == 0) {
                    moved = r.offer(next) ? 1 : 0;
                } else if (mode < 4) {
                    moved = r.offerBurst(src, 0, n);
                    if (moved > n) {
                        producerFailure.set("burst moved " + moved + " of " + n);
                        break;
                    }
                } else {
                    moved = r.offerBulk(src, 0, n);
                    if (moved != 0 && moved != n) {
                        producerFailure.set("bulk moved " + moved + " of " + n);
                        break;
                    }
                }
                next += moved;
                if ((next & 0xFFFF) < moved && System.nanoTime() > budget) {
                    break; // out of time: stop early, the consumer drains what is there
                }
                if (moved == 0 && (++idle & 0xFFF) == 0) {
                    if (System.nanoTime() > hardDeadline) {
                        producerFailure.set("producer stalled at " + next);
                        break;
                    }
                    Thread.yield();
                }
            }
            offered.set(next);
        }, "ring-producer");
        producer.start();
        SplittableRandom rnd = new SplittableRandom(2);
        int[] dst = new int[1100];
        int expect = 0;
        long idle = 0;
        try {
            while (offered.get() < 0 || expect < offered.get()) {
                int mode = rnd.nextInt(8);
                int got;
                if (mode == 0) {
                    int v = r.poll(EMPTY);
                    got = v == EMPTY ? 0 : 1;
                    dst[0] = v;
                } else if (mode < 5) {
                    got = r.pollBurst(dst, 0, 1 + rnd.nextInt(mode == 4 ? 1100 : 64));
                } else {
                    int n = 1 + rnd.nextInt(64);
                    got = r.pollBulk(dst, 0, n);
                    assertTrue(got == 0 || got == n, "bulk got " + got + " of " + n);
                }
                for (int k = 0; k < got; k++) {
                    if (dst[k] != expect) {
                        fail("handle " + k + " of a poll of " + got + " was " + dst[k] + ", expected " + expect);
                    }
                    expect++;
                }
                if (got == 0 && (++idle & 0xFFF) == 0) {
                    assertNull(producerFailure.get());
                    assertTrue(System.nanoTime() < hardDeadline, "stalled: the consumer got " + expect);
                    Thread.yield();
                }
            }
        } finally {
            producer.join(TimeUnit.SECONDS.toMillis(15));
        }
        assertFalse(producer.isAlive());
        assertNull(producerFailure.get());
        assertEquals(offered.get(), expect);
        assertTrue(expect >= Math.min(total, 100_000), "too few handles to mean anything: " + expect);
        assertEquals(0, r.size());
        assertEquals(EMPTY, r.poll(EMPTY), "nothing more than was offered");
        assertTrue(r.highWater() <= 1024 && r.highWater() > 0, "high water " + r.highWater());
        assertTrue(r.fullEvents() > 0 && r.emptyEvents() > 0, "both sides waited at times");
    }

    // ---------------------------------------------------------------------------------------------------
    // Padding
    // ---------------------------------------------------------------------------------------------------

    private static final Set<String> PRODUCER = Set.of("tail", "cachedHead");
    private static final Set<String> CONSUMER = Set.of("head", "cachedTail");

    @Test
    void producerAndConsumerFieldsAreOnCacheLinesOfTheirOwn() {
        ClassLayout layout = ClassLayout.parseClass(SpscRing.class);
        List<String> problems = paddingProblems(layout);
        assertEquals(List.of(), problems, layout::toPrintable);
    }

    /** The check itself must catch a ring without padding, or it proves nothing. */
    @Test
    void thePaddingCheckFailsWithoutPadding() {
        List<String> problems = paddingProblems(ClassLayout.parseClass(Unpadded.class));
        assertFalse(problems.isEmpty());
        assertTrue(problems.stream().anyMatch(s -> s.contains("producer") && s.contains("consumer")), problems::toString);
        assertTrue(problems.stream().anyMatch(s -> s.contains("header")), problems::toString);
        assertFalse(paddingProblems(ClassLayout.parseClass(HalfPadded.class)).isEmpty(),
            "padding between the two sides only leaves the other fields next to them");
    }

    /**
     * Distances between the producer's fields, the consumer's fields, the object header and every other
     * field that is not padding ({@code pNNN}): 128 bytes between the two sides (two cache lines, against the
     * adjacent-line prefetcher), 64 from anything else.
     */
    private static List<String> paddingProblems(ClassLayout layout) {
        List<FieldLayout> producer = new ArrayList<>();
        List<FieldLayout> consumer = new ArrayList<>();
        List<FieldLayout> other = new ArrayList<>();
        for (FieldLayout f : layout.fields()) {
            if (PRODUCER.contains(f.name())) {
                producer.add(f);
            } else if (CONSUMER.contains(f.name())) {
                consumer.add(f);
            } else if (!f.name().matches("p\\d{3}")) {
                other.add(f);
            }
        }
        List<String> problems = new ArrayList<>();
        if (producer.size() != 2 || consumer.size() != 2) {
            problems.add("expected fields tail, cachedHead, head, cachedTail; found " + producer + " " + consumer);
            return problems;
        }
        for (FieldLayout p : producer) {
            for (FieldLayout c : consumer) {
                if (gap(p, c) < 128) {
                    problems.add("producer field " + p.name() + "@" + p.offset() + " and consumer field " + c.name()
                        + "@" + c.offset() + " are " + gap(p, c) + " bytes apart, want >= 128");
                }
            }
        }
        List<FieldLayout> hot = new ArrayList<>(producer);
        hot.addAll(consumer);
        for (FieldLayout h : hot) {
            long fromHeader = h.offset() - layout.headerSize();
            if (fromHeader < 64) {
                problems.add(h.name() + "@" + h.offset() + " is " + fromHeader + " bytes after the object header, want >= 64");
            }
            for (FieldLayout o : other) {
                if (gap(h, o) < 64) {
                    problems.add(h.name() + "@" + h.offset() + " is " + gap(h, o) + " bytes from " + o.name() + "@"
                        + o.offset() + ", want >= 64");
                }
            }
        }
        return problems;
    }

    /** Bytes strictly between two fields. */
    private static long gap(FieldLayout a, FieldLayout b) {
        return a.offset() < b.offset() ? b.offset() - (a.offset() + a.size()) : a.offset() - (b.offset() + b.size());
    }

    @SuppressWarnings("unused")
    private static final class Unpadded {
        long tail;
        long cachedHead;
        long head;
        long cachedTail;
        int mask;
        int[] buffer;
    }

    @SuppressWarnings("unused")
    private static class HalfPaddedProducer {
        long tail;
        long cachedHead;
    }

    @SuppressWarnings("unused")
    private static class HalfPaddedMid extends HalfPaddedProducer {
        long p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    }

    @SuppressWarnings("unused")
    private static final class HalfPadded extends HalfPaddedMid {
        long head;
        long cachedTail;
        int mask;
    }

    // ---------------------------------------------------------------------------------------------------
    // FanIn
    // ---------------------------------------------------------------------------------------------------

    @Test
    void fanInNeedsARing() {
        assertThrows(IllegalArgumentException.class, FanIn::new);
    }

    @Test
    void fanInServesEveryRingInTurnSoNoneStarves() {
        SpscRing[] rings = new SpscRing[4];
        for (int i = 0; i < rings.length; i++) {
            rings[i] = new SpscRing("q" + i, 64);
        }
        FanIn in = new FanIn(rings);
        assertEquals(4, in.rings());
        assertSame(rings[2], in.ring(2));
        int[] next = new int[4];
        long[] served = new long[4];
        int[] dst = new int[8];
        for (int call = 0; call < 4_000; call++) {
            for (int i = 0; i < 4; i++) { // every producer keeps its ring full
                while (rings[i].offer(i << 24 | next[i])) {
                    next[i]++;
                }
            }
            assertEquals(4 * 64, in.size());
            int got = in.pollBurst(dst, 0, 8);
            assertEquals(8, got);
            for (int k = 0; k < got; k++) {
                served[dst[k] >>> 24]++;
            }
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(8_000, served[i], "ring " + i + " got its quarter: " + Arrays.toString(served));
        }
        // and within each ring the order is kept
        for (SpscRing r : rings) {
            int prev = -1;
            for (int v = r.poll(EMPTY); v != EMPTY; v = r.poll(EMPTY)) {
                assertTrue((v & 0xFFFFFF) > prev);
                prev = v & 0xFFFFFF;
            }
        }
    }

    @Test
    void fanInPollVisitsEachRingOnceAndTakesNoMoreThanAsked() {
        SpscRing a = new SpscRing("a", 8);
        SpscRing b = new SpscRing("b", 8);
        SpscRing c = new SpscRing("c", 8);
        FanIn in = new FanIn(a, b, c);
        int[] dst = new int[32];
        Arrays.fill(dst, -7);
        assertEquals(0, in.pollBurst(dst, 0, 8), "all empty");
        a.offerBulk(new int[] {1, 2, 3}, 0, 3);
        c.offerBulk(new int[] {31, 32}, 0, 2);
        assertEquals(5, in.size());
        // this call starts at b (the previous one started at a): b, c, then a
        assertEquals(4, in.pollBurst(dst, 3, 4));
        assertArrayEquals(new int[] {-7, -7, -7, 31, 32, 1, 2, -7}, Arrays.copyOf(dst, 8));
        assertEquals(1, in.size());
        b.offer(21);
        c.offer(33);
        // starts at c
        assertEquals(3, in.pollBurst(dst, 0, 10));
        assertArrayEquals(new int[] {33, 3, 21}, Arrays.copyOf(dst, 3));
        assertEquals(0, in.pollBurst(dst, 0, 10));
        a.offer(4);
        assertEquals(0, in.pollBurst(dst, 0, 0), "a burst of 0 takes nothing");
        assertEquals(1, in.pollBurst(dst, 0, 1));
        assertEquals(4, dst[0]);
    }

    @Test
    void fanInFromManyProducerThreads() throws Exception {
        final int producers = 3;
        final int each = 300_000;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
        SpscRing[] rings = new SpscRing[producers];
        Thread[] threads = new Thread[producers];
        for (int i = 0; i < producers; i++) {
            SpscRing r = rings[i] = new SpscRing("q" + i, 128);
            int id = i;
            threads[i] = new Thread(() -> {
                int[] src = new int[16];
                int next = 0;
                long idle = 0;
                while (next < each && System.nanoTime() < deadline) {
                    int n = Math.min(16, each - next);
                    for (int k = 0; k < n; k++) {
                        src[k] = id << 24 | (next + k);
                    }
                    int moved = r.offerBurst(src, 0, n);
                    next += moved;
                    if (moved == 0 && (++idle & 0xFF) == 0) {
                        Thread.yield();
                    }
                }
            }, "fan-in-producer-" + i);
            threads[i].start();
        }
        FanIn in = new FanIn(rings);
        int[] expect = new int[producers];
        int[] dst = new int[32];
        long total = 0;
        long idle = 0;
        try {
            while (total < (long) producers * each) {
                int got = in.pollBurst(dst, 0, 32);
                for (int k = 0; k < got; k++) {
                    int id = dst[k] >>> 24;
                    assertEquals(expect[id]++, dst[k] & 0xFFFFFF, "order within producer " + id);
                }
                total += got;
                if (got == 0 && (++idle & 0xFFF) == 0) {
                    assertTrue(System.nanoTime() < deadline, "stalled at " + total);
                    Thread.yield();
                }
            }
        } finally {
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(15));
            }
        }
        assertArrayEquals(new int[] {each, each, each}, expect);
        assertEquals(0, in.size());
    }

    private static int[] seq(int from, int n) {
        int[] a = new int[n];
        for (int k = 0; k < n; k++) {
            a[k] = from + k;
        }
        return a;
    }
}
