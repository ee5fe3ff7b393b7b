package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.PoolConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property tests of the chain toolkit: operations are applied to a pbuf chain and to a byte[] oracle holding
 * the bytes the packet must contain, and the two are compared after every step together with the chain's
 * invariants and the pool's count of pbufs in use. A failure names the seed (or the sweep case) and carries
 * the operation log, so it can be replayed.
 */
@ExtendWith(PbufLeakExtension.class)
class ChainPropertyTest {
    private static final int MAX_PACKET = 64 * 1024;
    private static final int STEPS = 3000;
    private static final Layer[] LAYERS = Layer.values();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 7, 42, 1234, 0xC0FFEE, 20_240_601, -1, Long.MAX_VALUE})
    void randomSequencesKeepTheChainEqualToTheOracle(long seed) {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            Harness t = new Harness(pool, seed, "seed " + seed, MAX_PACKET, false);
            try {
                for (int s = 0; s < STEPS; s++) {
                    t.randomStep();
                }
            } finally {
                t.release();
            }
            assertPoolFull(pool);
            p.close();
        }
    }

    /** A pool a few packets deep, so that operations that need pbufs fail all along the sequence. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 99, 4711, 0xBADCAFE, -42, 31_337})
    void inASmallPoolFailedOperationsLeaveTheChainUnchangedAndLeakNothing(long seed) {
        PoolConfig config = new PoolConfig().slots(32).cacheSize(8).reserve(2).name("small").jmx(false);
        try (PbufPool pool = PbufPool.create(config)) {
            Pbufs p = pool.local();
            Harness t = new Harness(pool, seed, "small pool, seed " + seed, 24 * 1024, true);
            try {
                for (int s = 0; s < STEPS; s++) {
                    t.randomStep();
                }
                assertTrue(t.failures > STEPS / 50, "the small pool should make operations fail; failures="
                    + t.failures);
            } finally {
                t.release();
            }
            assertPoolFull(pool);
            p.close();
        }
    }

    /**
     * Every operation at every pbuf boundary: each value comes from the edges of the chain it is applied to
     * (the end of each pbuf, PHLEN multiples, the headroom, the packet length, each +-1), on packets of every
     * layer whose lengths sit on those edges too, in three shapes: as allocated, with a small new head pbuf
     * from a prepend, and without a packet header.
     */
    @Test
    void everyOperationWorksAtEveryPbufBoundary() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            Harness t = new Harness(pool, 5, "boundary sweep", MAX_PACKET, false);
            try {
                for (Shape shape : Shape.values()) {
                    for (Layer layer : shape == Shape.BARE ? new Layer[] {Layer.RAW} : LAYERS) {
                        for (int length : edgeLengths(layer.headroom())) {
                            t.build(shape, layer, length);
                            int[] values = t.edgeValues();
                            for (SweepOp op : SWEEP) {
                                for (int v : values) {
                                    t.build(shape, layer, length);
                                    t.note(">> sweep " + op.name + " with " + v);
                                    op.run.accept(t, v);
                                }
                            }
                        }
                    }
                }
            } finally {
                t.release();
            }
            assertPoolFull(pool);
            p.close();
        }
    }

    /** The operations that need a pbuf, each tried once with none left: the deterministic twin of the above. */
    @Test
    void withThePoolDrainedOperationsThatNeedAPbufFailAndLeaveTheChainAsItWas() {
        PoolConfig config = new PoolConfig().slots(64).cacheSize(8).reserve(2).name("drained").jmx(false);
        try (PbufPool pool = PbufPool.create(config)) {
            Pbufs p = pool.local();
            Harness t = new Harness(pool, 77, "drained pool", MAX_PACKET, true);
            List<Integer> hoard = new ArrayList<>();
            try {
                t.newPacket(Layer.IP, 3 * PHLEN - 5);
                for (int h = p.get(PbufType.DATA); h != NULL; h = p.get(PbufType.DATA)) {
                    hoard.add(h);
                }
                t.held = hoard.size();
                assertEquals(NULL, p.alloc(Layer.RAW, 0));
                assertEquals(NULL, p.getHdr(PbufType.DATA, Layer.RAW));
                t.append(PHLEN, true);
                t.copyback(t.length() + 1, PHLEN, false);
                t.split(t.length() / 2 + 1, 0);
                t.split(t.length(), 0);
                t.dup(false);
                t.bulkGet(1);
                assertEquals(6, t.failures, "append, copyback, two splits, dup and bulk get must have failed");
                // What fits in the room the chain has needs no pbuf and must still work.
                t.append(1, false);
                t.copyback(t.length(), 1, true);
                t.prepend(p.headroom(t.h));
                t.locate(t.length() - 1);
                assertEquals(6, t.failures);
                t.prepend(1);
                assertEquals(7, t.failures, "a prepend that needs a new pbuf must have failed");
            } finally {
                t.release();
                hoard.forEach(p::free);
            }
            assertPoolFull(pool);
            p.close();
        }
    }

    @Test
    void pbufsForCountsTheFirstPbufShortByItsHeadroom() {
        assertEquals(1, Pbufs.pbufsFor(0, 0));
        assertEquals(1, Pbufs.pbufsFor(0, PHLEN));
        assertEquals(2, Pbufs.pbufsFor(0, PHLEN + 1));
        assertEquals(1, Pbufs.pbufsFor(138, PHLEN - 138));
        assertEquals(2, Pbufs.pbufsFor(138, PHLEN - 137));
        assertEquals(2, Pbufs.pbufsFor(PHLEN, 1));
        assertEquals(142, Pbufs.pbufsFor(0, 64 * 1024 - 1));
    }

    private static void assertPoolFull(PbufPool pool) {
        assertEquals(0, pool.stats().inUse(), () -> "pbufs in use at the end:\n" + pool.leakReport());
        assertTrue(pool.leakReport().isEmpty(), () -> pool.leakReport().toString());
    }

    /** Packet lengths on the edges of the first pbufs, and one of the largest. */
    private static int[] edgeLengths(int headroom) {
        int first = PHLEN - headroom;
        TreeSet<Integer> s = new TreeSet<>();
        for (int base : new int[] {0, first, first + PHLEN, 3 * PHLEN}) {
            for (int d = -1; d <= 1; d++) {
                s.add(Math.max(0, base + d));
            }
        }
        s.add(MAX_PACKET - 1);
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private enum Shape {
        /** As {@link Pbufs#alloc} makes it: every pbuf full. */
        ALLOCATED,
        /** With a new head pbuf from a prepend larger than the headroom, so the first pbuf is short. */
        NEW_HEAD,
        /** Built with get and append: no packet header. */
        BARE
    }

    private record SweepOp(String name, ObjIntConsumer<Harness> run) {
    }

    private static final List<SweepOp> SWEEP = List.of(
        new SweepOp("prepend", (t, v) -> {
            if (v <= PHLEN) {
                t.prepend(v);
            }
        }),
        new SweepOp("append", (t, v) -> t.append(v, v % 2 == 0)),
        new SweepOp("adj front", (t, v) -> t.adj(v)),
        new SweepOp("adj back", (t, v) -> t.adj(-v)),
        new SweepOp("pullup", (t, v) -> {
            if (v >= 1 && v <= PHLEN) {
                t.pullup(v);
            }
        }),
        new SweepOp("copydata from", (t, v) -> {
            if (v <= t.length()) {
                t.copydata(v, t.length() - v, v % 2 == 0);
            }
        }),
        new SweepOp("copydata up to", (t, v) -> {
            if (v <= t.length()) {
                t.copydata(0, v, v % 2 == 1);
            }
        }),
        new SweepOp("copyback 1 byte at", (t, v) -> t.copyback(v, 1, v % 2 == 0)),
        new SweepOp("copyback a pbuf at", (t, v) -> t.copyback(v, PHLEN, v % 2 == 1)),
        new SweepOp("copyback past the end by", (t, v) -> t.copyback(t.length() + v, 1, true)),
        new SweepOp("cat a packet of", (t, v) -> t.cat(v)),
        new SweepOp("split", (t, v) -> {
            if (v <= t.length()) {
                t.split(v, v % 3);
            }
        }),
        new SweepOp("dup then mutate at", (t, v) -> t.dup(v % 2 == 0)),
        new SweepOp("defrag", (t, v) -> t.defrag()),
        new SweepOp("apply from", (t, v) -> {
            if (v <= t.length()) {
                t.apply(v, t.length() - v);
            }
        }),
        new SweepOp("apply up to", (t, v) -> {
            if (v <= t.length()) {
                t.apply(0, v);
            }
        }),
        new SweepOp("locate", (t, v) -> t.locate(v)));

    /** Sum of the bytes weighted by their position in the visited range, so a wrong pieceStart shows. */
    private static final PbufVisitor WEIGHTED_SUM = (segment, offset, length, acc, pieceStart) -> {
        long sum = acc;
        for (int k = 0; k < length; k++) {
            sum += (segment.get(ValueLayout.JAVA_BYTE, offset + k) & 0xFF) * (pieceStart + k + 1L);
        }
        return sum;
    };

    /** One chain, its oracle, and the operations applied to both. */
    private static final class Harness {
        private final PbufPool pool;
        private final Pbufs p;
        private final Random rnd;
        private final String origin;
        private final int maxPacket;
        /** The pool may run dry: operations may fail, as documented, and must then leave no trace. */
        private final boolean mayFail;
        private final StringBuilder log = new StringBuilder();
        private int steps;
        int failures;
        /** Pbufs the test holds besides the chain. */
        int held;

        private int h = NULL;
        private byte[] bytes = new byte[0];
        private boolean pkthdr;
        private int hash;

        Harness(PbufPool pool, long seed, String origin, int maxPacket, boolean mayFail) {
            this.pool = pool;
            this.p = pool.local();
            this.rnd = new Random(seed);
            this.origin = origin;
            this.maxPacket = maxPacket;
            this.mayFail = mayFail;
        }

        int length() {
            return bytes.length;
        }

        // ---- the random driver ----

        void randomStep() {
            if (h == NULL) {
                newPacket(Layer.RAW, rnd.nextInt(PHLEN + 1));
            }
            int len = bytes.length;
            int room = maxPacket - len;
            int[] offsets = offsetEdges();
            switch (rnd.nextInt(18)) {
                case 0 -> newPacket(LAYERS[rnd.nextInt(LAYERS.length)], pick(maxPacket, offsets));
                case 1 -> newBarePacket(pick(Math.min(maxPacket, 4 * PHLEN)));
                case 2 -> prepend(pick(Math.min(PHLEN, room), p.headroom(h)));
                case 3 -> append(pick(growth(room), growthEdges()), true);
                case 4 -> append(pick(growth(room), growthEdges()), false);
                case 5 -> adj(pick(len + PHLEN, offsets));
                case 6 -> adj(-pick(len + PHLEN, offsets));
                case 7 -> pullup(1 + pick(PHLEN - 1, p.len(h) - 1, len - 1));
                case 8 -> {
                    int off = pick(len, offsets);
                    copydata(off, pick(len - off, offsets), rnd.nextBoolean());
                }
                case 9 -> {
                    int off = pick(Math.min(maxPacket, len + 2 * PHLEN), offsets);
                    copyback(off, pick(growth(maxPacket - off), growthEdges()), rnd.nextBoolean());
                }
                case 10 -> cat(pick(growth(room)));
                case 11 -> split(pick(len, offsets), rnd.nextInt(3));
                case 12 -> dup(rnd.nextBoolean());
                case 13 -> defrag();
                case 14 -> {
                    int off = pick(len, offsets);
                    apply(off, pick(len - off, offsets));
                }
                case 15 -> locate(pick(len + 1, offsets));
                case 16 -> bulkGet(rnd.nextInt(64));
                default -> adj(rnd.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE);
            }
        }

        /** Mostly small growth, sometimes up to the limit, so packets reach 64 KB without staying there. */
        private int growth(int room) {
            return rnd.nextInt(4) == 0 ? room : Math.min(room, 3 * PHLEN);
        }

        /** A value in {@code [0, max]}, most often on an edge: 0, 1, max, a PHLEN multiple or an anchor, +-1. */
        private int pick(int max, int... anchors) {
            long v = switch (rnd.nextInt(6)) {
                case 0, 1 -> rnd.nextInt(max + 1);
                case 2 -> rnd.nextInt(3);
                case 3 -> max - rnd.nextInt(3);
                case 4 -> (long) rnd.nextInt(max / PHLEN + 2) * PHLEN + rnd.nextInt(3) - 1;
                default -> anchors.length == 0 ? rnd.nextInt(max + 1)
                    : (long) anchors[rnd.nextInt(anchors.length)] + rnd.nextInt(3) - 1;
            };
            return Math.clamp(v, 0, max);
        }

        /** Packet offsets where pbufs end, and the first pbuf's headroom and capacity. */
        private int[] offsetEdges() {
            List<Integer> edges = new ArrayList<>();
            int hr = p.headroom(h);
            edges.add(hr);
            edges.add(PHLEN - hr);
            int acc = 0;
            for (int cur = h; cur != NULL; cur = p.next(cur)) {
                acc += p.len(cur);
                edges.add(acc);
            }
            return edges.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Sizes that fill the last pbuf's tailroom exactly, or it and whole new pbufs. */
        private int[] growthEdges() {
            int tail = p.tailroom(p.last(h));
            return new int[] {tail, tail + PHLEN, tail + 2 * PHLEN};
        }

        /** The edge values of the current chain, for the boundary sweep. */
        int[] edgeValues() {
            TreeSet<Integer> s = new TreeSet<>();
            // The first and last pbuf ends: a 64 KB chain has 142 of them and the middle ones add nothing.
            int[] offsets = offsetEdges();
            for (int k = 0; k < offsets.length; k++) {
                if (k < 5 || k >= offsets.length - 2) {
                    s.add(offsets[k]);
                }
            }
            for (int base : growthEdges()) {
                s.add(base);
            }
            for (int k = 0; k <= 3; k++) {
                s.add(k * PHLEN);
            }
            TreeSet<Integer> out = new TreeSet<>();
            for (int base : s) {
                for (int d = -1; d <= 1; d++) {
                    if (base + d >= 0) {
                        out.add(base + d);
                    }
                }
            }
            out.add(bytes.length + 1);
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        // ---- building packets ----

        /** Frees the current packet and builds a new one of the given shape (for the sweep). */
        void build(Shape shape, Layer layer, int length) {
            release();
            log.setLength(0);
            steps = 0;
            switch (shape) {
                case ALLOCATED -> newPacket(layer, length);
                case NEW_HEAD -> {
                    newPacket(layer, length);
                    prepend(Math.min(PHLEN, layer.headroom() + 1));
                }
                case BARE -> newBarePacket(length);
            }
        }

        void newPacket(Layer layer, int length) {
            note("alloc(" + layer + ", " + length + ")");
            release();
            int n = p.alloc(layer, length);
            if (n == NULL) {
                expectFailure("alloc");
                verify("alloc (failed)");
                newPacket(Layer.RAW, 0);
                return;
            }
            Supplier<String> why = why("alloc");
            assertEquals(Pbufs.pbufsFor(layer.headroom(), length), p.count(n), why);
            assertEquals(layer.headroom(), p.headroom(n), why);
            assertEquals(length, p.pktLen(n), why);
            byte[] b = randomBytes(length);
            assertTrue(p.copyback(n, 0, b, 0, length), why("filling a new packet"));
            hash = rnd.nextInt();
            p.setFlowHash(n, hash);
            h = n;
            bytes = b;
            pkthdr = true;
            verify("alloc");
        }

        void newBarePacket(int length) {
            note("get + append " + length);
            release();
            int n = p.get(PbufType.DATA);
            if (n == NULL) {
                expectFailure("get");
                verify("get (failed)");
                newPacket(Layer.RAW, 0);
                return;
            }
            assertFalse(p.isPktHdr(n), why("get"));
            h = n;
            bytes = new byte[0];
            pkthdr = false;
            append(length, true);
        }

        /** A second packet for cat, in one of several shapes; NULL when the pool is dry. */
        private int secondPacket(int length, byte[][] content) {
            byte[] b = randomBytes(length);
            content[0] = b;
            switch (rnd.nextInt(4)) {
                case 0, 1 -> {
                    int n = p.alloc(rnd.nextBoolean() ? Layer.TRANSPORT : Layer.RAW, length);
                    if (n != NULL) {
                        assertTrue(p.copyback(n, 0, b, 0, length), why("filling a second packet"));
                    }
                    return n;
                }
                case 2 -> {
                    int n = p.get(PbufType.DATA);
                    if (n != NULL && !p.append(n, b, 0, length)) {
                        p.freem(n);
                        return NULL;
                    }
                    return n;
                }
                default -> {
                    // A small pbuf in front (a prepend onto a packet without headroom), which cat copies
                    // into the first chain's tailroom.
                    int k = Math.min(length, 1 + rnd.nextInt(40));
                    int n = p.alloc(Layer.RAW, length - k);
                    if (n == NULL) {
                        return NULL;
                    }
                    assertTrue(p.copyback(n, 0, b, k, length - k), why("filling a second packet"));
                    n = p.prepend(n, k);
                    if (n != NULL) {
                        assertTrue(p.copyback(n, 0, b, 0, k), why("filling a second packet"));
                    }
                    return n;
                }
            }
        }

        // ---- operations, each applied to chain and oracle and then verified ----

        void prepend(int n) {
            int headroom = p.headroom(h);
            int count = p.count(h);
            int old = h;
            note("prepend(" + n + ") with headroom " + headroom);
            int r = p.prepend(h, n);
            if (r == NULL) {
                expectFailure("prepend");
                assertTrue(n > headroom, why("prepend failed though the headroom had room"));
                assertThrows(PbufStateException.class, () -> p.len(old), why("a failed prepend must free the chain"));
                h = NULL;
                bytes = new byte[0];
                verify("prepend (failed)");
                return;
            }
            h = r;
            Supplier<String> why = why("prepend");
            if (n <= headroom) {
                assertEquals(old, h, why);
                assertEquals(headroom - n, p.headroom(h), why);
                assertEquals(count, p.count(h), why);
            } else {
                assertEquals(count + 1, p.count(h), why);
                assertEquals(PHLEN - n, p.headroom(h), why);
            }
            byte[] header = randomBytes(n);
            assertTrue(p.copyback(h, 0, header, 0, n), why("writing the prepended bytes"));
            bytes = concat(header, bytes);
            verify("prepend");
        }

        void append(int len, boolean segment) {
            int pad = rnd.nextInt(5);
            byte[] src = randomBytes(len + 2 * pad);
            note("append " + len + " bytes from " + (segment ? "a segment" : "an array") + " at " + pad);
            long[] before = layout();
            long denied = denied();
            boolean ok = segment ? p.append(h, MemorySegment.ofArray(src), pad, len) : p.append(h, src, pad, len);
            if (!ok) {
                assertUnchanged("append", before, denied);
                return;
            }
            bytes = concat(bytes, Arrays.copyOfRange(src, pad, pad + len));
            verify("append");
        }

        void adj(int n) {
            note("adj(" + n + ")");
            int len = bytes.length;
            int trim = (int) Math.min(Math.abs((long) n), len);
            h = p.adj(h, n);
            bytes = n >= 0 ? Arrays.copyOfRange(bytes, trim, len) : Arrays.copyOf(bytes, len - trim);
            if (n != 0 && trim == len) {
                assertEquals(1, p.count(h), why("adj that empties the packet must keep one pbuf"));
            }
            verify("adj");
        }

        void pullup(int n) {
            note("pullup(" + n + ")");
            int old = h;
            if (bytes.length < n) {
                assertEquals(NULL, p.pullup(h, n), why("pullup of more than the packet"));
                assertThrows(PbufStateException.class, () -> p.len(old), why("a runt pullup must free the chain"));
                h = NULL;
                bytes = new byte[0];
                verify("pullup (runt)");
                return;
            }
            assertEquals(old, p.pullup(h, n), why("pullup keeps the head"));
            assertTrue(p.len(h) >= n, why("pullup(" + n + ") left " + p.len(h) + " bytes in the first pbuf"));
            byte[] view = p.segment().asSlice(p.address(h), n).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(Arrays.copyOf(bytes, n), view, why("pulled-up bytes read through one view"));
            verify("pullup");
        }

        void copydata(int off, int len, boolean segment) {
            note("copydata(" + off + ", " + len + ") to " + (segment ? "a segment" : "an array"));
            int pad = rnd.nextInt(5);
            byte[] dst = new byte[len + 2 * pad];
            Arrays.fill(dst, (byte) 0x5C);
            byte[] expected = dst.clone();
            System.arraycopy(bytes, off, expected, pad, len);
            if (segment) {
                p.copydata(h, off, len, MemorySegment.ofArray(dst), pad);
            } else {
                p.copydata(h, off, len, dst, pad);
            }
            assertArrayEquals(expected, dst, why("copydata"));
            verify("copydata");
        }

        void copyback(int off, int len, boolean segment) {
            int pad = rnd.nextInt(5);
            byte[] src = randomBytes(len + 2 * pad);
            note("copyback(" + off + ", " + len + ") from " + (segment ? "a segment" : "an array"));
            long[] before = layout();
            long denied = denied();
            boolean ok = segment ? p.copyback(h, off, MemorySegment.ofArray(src), pad, len)
                : p.copyback(h, off, src, pad, len);
            if (!ok) {
                assertTrue(off + len > bytes.length, why("copyback inside the packet must not fail"));
                assertUnchanged("copyback", before, denied);
                return;
            }
            byte[] b = Arrays.copyOf(bytes, Math.max(bytes.length, off + len));
            System.arraycopy(src, pad, b, off, len);
            bytes = b;
            verify("copyback");
        }

        void cat(int length) {
            byte[][] content = new byte[1][];
            int second = secondPacket(length, content);
            note("cat a packet of " + length + (second == NULL ? " (could not build it)" : ""));
            if (second == NULL) {
                expectFailure("building a packet to cat");
                verify("cat");
                return;
            }
            p.cat(h, second);
            bytes = concat(bytes, content[0]);
            verify("cat");
        }

        void split(int off, int then) {
            note("split at " + off + (then == 0 ? ", cat back" : then == 1 ? ", free the tail" : ", free the head"));
            long[] before = layout();
            long denied = denied();
            long at = p.locate(h, off);
            int t = p.split(h, off);
            if (t == NULL) {
                assertUnchanged("split", before, denied);
                return;
            }
            byte[] head = Arrays.copyOf(bytes, off);
            byte[] tail = Arrays.copyOfRange(bytes, off, bytes.length);
            Supplier<String> why = why("split");
            if (at == -1) {
                assertEquals(1, p.count(t), why("split at the end makes one empty pbuf"));
                assertEquals(pkthdr ? Layer.TRANSPORT.headroom() : 0, p.headroom(t), why);
            } else if (Pbufs.locatedOffset(at) == 0 && Pbufs.locatedPbuf(at) != h) {
                assertEquals(Pbufs.locatedPbuf(at), t, why("a cut between pbufs must move no data"));
            } else {
                assertEquals(Math.min(Layer.TRANSPORT.headroom(), PHLEN - p.len(t)), p.headroom(t),
                    why("a cut inside a pbuf leaves transport headroom in the tail"));
            }
            assertNull(p.check(h), why);
            assertNull(p.check(t), why);
            assertArrayEquals(head, p.toArray(h), why);
            assertArrayEquals(tail, p.toArray(t), why);
            assertEquals(pkthdr, p.isPktHdr(t), why);
            if (pkthdr) {
                assertEquals(off, p.pktLen(h), why);
                assertEquals(tail.length, p.pktLen(t), why);
                assertEquals(hash, p.flowHash(t), why);
            }
            assertEquals(p.count(h) + p.count(t) + held, pool.inUse(), why);
            switch (then) {
                case 0 -> p.cat(h, t);
                case 1 -> {
                    p.freem(t);
                    bytes = head;
                }
                default -> {
                    p.freem(h);
                    h = t;
                    bytes = tail;
                }
            }
            verify("split");
        }

        void dup(boolean continueWithCopy) {
            note("dup, then " + (continueWithCopy ? "free the original" : "free the copy"));
            long[] before = layout();
            long denied = denied();
            int d = p.dup(h);
            if (d == NULL) {
                assertUnchanged("dup", before, denied);
                return;
            }
            Supplier<String> why = why("dup");
            int headroom = p.headroom(h);
            assertNull(p.check(d), why);
            assertArrayEquals(bytes, p.toArray(d), why);
            assertEquals(headroom, p.headroom(d), why);
            assertEquals(Pbufs.pbufsFor(headroom, bytes.length), p.count(d), why);
            assertEquals(pkthdr, p.isPktHdr(d), why);
            if (pkthdr) {
                assertEquals(bytes.length, p.pktLen(d), why);
                assertEquals(hash, p.flowHash(d), why);
            }
            byte[] copy = bytes.clone();
            if (bytes.length > 0) {
                int pos = rnd.nextInt(bytes.length);
                long at = p.locate(d, pos);
                copy[pos] = (byte) ~copy[pos];
                p.putByte(Pbufs.locatedPbuf(at), Pbufs.locatedOffset(at), copy[pos]);
                assertArrayEquals(bytes, p.toArray(h), why("writing to the copy changed the original"));
                assertArrayEquals(copy, p.toArray(d), why);
            }
            if (continueWithCopy) {
                p.freem(h);
                h = d;
                bytes = copy;
            } else {
                p.freem(d);
            }
            verify("dup");
        }

        void defrag() {
            note("defrag");
            int headroom = p.headroom(h);
            assertEquals(h, p.defrag(h), why("defrag keeps the head"));
            assertEquals(headroom, p.headroom(h), why("defrag keeps the headroom"));
            assertEquals(Pbufs.pbufsFor(headroom, bytes.length), p.count(h), why("defrag packs into the fewest pbufs"));
            verify("defrag");
        }

        void apply(int off, int len) {
            note("apply(" + off + ", " + len + ")");
            long expected = 7;
            for (int k = 0; k < len; k++) {
                expected += (bytes[off + k] & 0xFF) * (k + 1L);
            }
            assertEquals(expected, p.apply(h, off, len, WEIGHTED_SUM, 7), why("apply"));
            verify("apply");
        }

        void locate(int off) {
            note("locate(" + off + ")");
            long at = p.locate(h, off);
            if (off >= bytes.length) {
                assertEquals(-1, at, why("locate past the end"));
                return;
            }
            int pbuf = Pbufs.locatedPbuf(at);
            int o = Pbufs.locatedOffset(at);
            assertTrue(o >= 0 && o < p.len(pbuf), why("located offset " + o + " outside its pbuf"));
            assertEquals(bytes[off], p.getByte(pbuf, o), why("locate"));
        }

        void bulkGet(int n) {
            note("get " + n + " pbufs at once");
            int[] out = new int[n + 1];
            long inUse = pool.inUse();
            long denied = denied();
            if (!p.get(PbufType.CONTROL, out, n)) {
                expectFailure("bulk get");
                assertEquals(inUse, pool.inUse(), why("a failed bulk get must take nothing"));
                assertTrue(denied() > denied, why("a failed bulk get must be counted as denied"));
                verify("bulk get (failed)");
                return;
            }
            for (int k = 0; k < n; k++) {
                assertEquals(0, p.len(out[k]), why("bulk get"));
            }
            assertEquals(inUse + n, pool.inUse(), why("bulk get"));
            p.freem(out, n);
            verify("bulk get");
        }

        // ---- checks ----

        private void verify(String what) {
            if (h == NULL) {
                assertEquals(held, pool.inUse(), why(what + ": pbufs in use with no packet held"));
                return;
            }
            Supplier<String> why = why(what);
            assertNull(p.check(h), why);
            assertEquals(bytes.length, p.length(h), why);
            assertArrayEquals(bytes, p.toArray(h), why);
            assertEquals(pkthdr, p.isPktHdr(h), why);
            if (pkthdr) {
                assertEquals(bytes.length, p.pktLen(h), why);
                assertEquals(hash, p.flowHash(h), why);
            }
            assertEquals(p.count(h) + held, pool.inUse(), why(what + ": pbufs in use other than the chain"));
        }

        private void expectFailure(String what) {
            assertTrue(mayFail, why(what + " failed in a pool that cannot run dry"));
            failures++;
        }

        /** A failed all-or-nothing operation: same pbufs, same offsets and lengths, same bytes, and counted. */
        private void assertUnchanged(String what, long[] before, long deniedBefore) {
            expectFailure(what);
            assertArrayEquals(before, layout(), why(what + " failed and changed the chain"));
            assertTrue(denied() > deniedBefore, why(what + " failed without counting a denied get"));
            verify(what + " (failed)");
        }

        /** Handle, address and length of every pbuf, then the packet length. */
        private long[] layout() {
            List<Long> l = new ArrayList<>();
            for (int cur = h; cur != NULL; cur = p.next(cur)) {
                l.add((long) cur);
                l.add(p.address(cur));
                l.add((long) p.len(cur));
            }
            l.add(pkthdr ? (long) p.pktLen(h) : -1L);
            return l.stream().mapToLong(Long::longValue).toArray();
        }

        private long denied() {
            return mayFail ? pool.stats().denied() : 0;
        }

        void note(String op) {
            log.append('#').append(steps++).append(' ').append(op).append('\n');
        }

        private Supplier<String> why(String what) {
            return () -> origin + ": " + what + " went wrong; chain " + shape() + ", oracle " + bytes.length
                + " bytes\noperations so far:\n" + log;
        }

        /** Headroom and pbuf lengths, e.g. [hr 138 | 326 464 12], safe on a broken chain. */
        private String shape() {
            if (h == NULL) {
                return "NULL";
            }
            StringBuilder b = new StringBuilder();
            try {
                b.append("[hr ").append(p.headroom(h)).append(" |");
                int n = 0;
                for (int cur = h; cur != NULL && n++ < 200; cur = p.next(cur)) {
                    b.append(' ').append(p.len(cur));
                }
                return b.append(']').toString();
            } catch (RuntimeException e) {
                return b.append(" ... ").append(e.getMessage()).append(']').toString();
            }
        }

        private byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            return b;
        }

        void release() {
            if (h != NULL) {
                int old = h;
                h = NULL;
                p.freem(old);
            }
            bytes = new byte[0];
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
