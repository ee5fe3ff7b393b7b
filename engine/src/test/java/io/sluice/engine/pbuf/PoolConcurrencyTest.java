package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.PoolConfig;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several threads allocate (single gets, all-or-nothing bulk gets, chains, reserve gets) and hand what they
 * got to other threads, which free it. A ledger of slot indices, marked on allocation and cleared before the
 * free, catches a slot handed out twice; a stamp written into each pbuf by its allocator and checked by its
 * freer catches two holders writing the same slot. At the end the pool must be exactly full, with every
 * slot index on it once.
 *
 * <p>Each run is bounded by time (about 2 s of traffic) and by a count of operations per thread.
 */
@ExtendWith(PbufLeakExtension.class)
class PoolConcurrencyTest {
    private static final int THREADS = 4;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(2_000);
    private static final int MAX_OPS_PER_THREAD = 3_000_000;
    private static final long JOIN_SECONDS = 30;
    private static final Layer[] LAYERS = Layer.values();
    private static final PbufType[] TYPES = PbufType.values();

    @Test
    void pbufsMovingBetweenThreadsAreNeverLostNorDuplicated() throws Exception {
        PoolConfig config = new PoolConfig().name("concurrency").slots(4096).cacheSize(64).reserve(64).jmx(false);
        try (PbufPool pool = PbufPool.create(config)) {
            Run run = new Run(pool, 16, -1);
            run.execute();
            run.assertClean();
            assertPoolFullAndEverySlotOnItOnce(pool, run);
        }
    }

    @Test
    void aTinyPoolUnderContentionDeniesOftenAndStillLosesNothing() throws Exception {
        // 24 slots, batches of 2: four threads that each keep what they get until a get fails must be denied.
        PoolConfig config = new PoolConfig().name("tiny").slots(24).cacheSize(4).reserve(2).jmx(false);
        try (PbufPool pool = PbufPool.create(config)) {
            Run run = new Run(pool, Integer.MAX_VALUE, -1);
            run.execute();
            run.assertClean();
            assertTrue(run.denied() > 0, "a tiny pool under contention must deny some gets");
            assertTrue(run.allocated() > 0, "and still serve some");
            assertPoolFullAndEverySlotOnItOnce(pool, run);
        }
    }

    @Test
    void aThreadThatDiesWithoutClosingGivesItsCacheBack() throws Exception {
        PoolConfig config = new PoolConfig().name("orphans").slots(2048).cacheSize(64).reserve(32).jmx(false);
        try (PbufPool pool = PbufPool.create(config)) {
            Run run = new Run(pool, 8, 0);
            run.execute();
            run.assertClean();
            assertTrue(run.cachedAtDeath > 0, "the dying thread's cache must hold pbufs when it ends");
            // stats() reclaims the dead thread's cache.
            assertPoolFullAndEverySlotOnItOnce(pool, run);
        }
    }

    @Test
    void aDeadThreadsCacheIsReclaimedWhenThePoolRunsDry() throws Exception {
        PoolConfig config = new PoolConfig().name("dry").slots(64).cacheSize(64).reserve(0).jmx(false);
        try (PbufPool pool = PbufPool.create(config)) {
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread t = new Thread(() -> {
                try {
                    Pbufs p = pool.local();
                    int[] all = new int[64];
                    assertTrue(p.get(PbufType.DATA, all, 64));
                    for (int h : all) {
                        p.free(h);
                    }
                    // Everything sits in this thread's cache; it ends without p.close().
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "dies-with-a-full-cache");
            t.start();
            t.join(TimeUnit.SECONDS.toMillis(JOIN_SECONDS));
            assertFalse(t.isAlive());
            assertTrue(failures.isEmpty(), failures::toString);
            assertEquals(0, pool.sharedFree(), "the dead thread's cache holds the whole pool");

            Pbufs p = pool.local();
            int h = p.get(PbufType.DATA);
            assertNotEquals(NULL, h, "a get on a dry pool reclaims the dead thread's cache");
            int[] rest = new int[63];
            assertTrue(p.get(PbufType.DATA, rest, 63));
            assertEquals(NULL, p.get(PbufType.DATA));
            p.free(h);
            p.freem(rest, 63);
            p.close();
            PbufStats s = pool.stats();
            assertEquals(0, s.inUse());
            assertEquals(0, s.cached());
            assertEquals(64, s.free());
        }
    }

    @Test
    void theHighWaterMarkStaysWithinThePoolWhileThreadsComeAndGo() throws Exception {
        // A long-lived producer hands pbufs to short-lived consumers, which free them and close. A snapshot
        // of the counters taken while a consumer retires must neither lose nor double its frees: losing
        // them once made the pool report thousands of pbufs in use in a pool of 256.
        PoolConfig config = new PoolConfig().name("churn").slots(256).cacheSize(2).reserve(0).jmx(false);
        try (PbufPool pool = PbufPool.create(config)) {
            BlockingQueue<Integer> pipe = new ArrayBlockingQueue<>(128);
            AtomicBoolean stop = new AtomicBoolean();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + RUN_NANOS;
            Thread producer = new Thread(() -> {
                Pbufs p = pool.local();
                int[] out = new int[16];
                try {
                    for (int k = 0; k < MAX_OPS_PER_THREAD && !stop.get(); k++) {
                        if (p.get(PbufType.DATA, out, out.length)) {
                            for (int h : out) {
                                while (!pipe.offer(h, 1, TimeUnit.MILLISECONDS)) {
                                    if (stop.get()) {
                                        p.free(h);
                                        break;
                                    }
                                }
                            }
                        }
                        long hw = pool.stats().highWater();
                        if (hw > pool.capacity()) {
                            throw new AssertionError("high-water mark " + hw + " above the pool size of "
                                + pool.capacity());
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    p.close();
                }
            }, "churn-producer");
            producer.start();
            int consumers = 0;
            try {
                while (System.nanoTime() - deadline < 0 && consumers < 2_000 && failures.isEmpty()) {
                    Thread consumer = new Thread(() -> {
                        Pbufs p = pool.local();
                        try {
                            for (int k = 0; k < 2_000 && producer.isAlive(); k++) {
                                Integer h = pipe.poll(1, TimeUnit.MILLISECONDS);
                                if (h != null) {
                                    p.free(h);
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        } finally {
                            p.close();
                        }
                    }, "churn-consumer-" + consumers);
                    consumer.start();
                    consumer.join(TimeUnit.SECONDS.toMillis(JOIN_SECONDS));
                    assertFalse(consumer.isAlive());
                    consumers++;
                }
            } finally {
                stop.set(true);
            }
            producer.join(TimeUnit.SECONDS.toMillis(JOIN_SECONDS));
            assertFalse(producer.isAlive());
            Pbufs p = pool.local();
            for (Integer h = pipe.poll(); h != null; h = pipe.poll()) {
                p.free(h);
            }
            p.close();
            assertTrue(failures.isEmpty(), failures::toString);
            assertTrue(consumers > 1, "threads came and went");
            PbufStats s = pool.stats();
            assertEquals(0, s.inUse());
            assertEquals(256, s.free());
            assertTrue(s.highWater() <= 256, "high-water mark " + s.highWater());
        }
    }

    /** After a run: nothing in use or cached, the whole pool free, and every slot index on it exactly once. */
    private static void assertPoolFullAndEverySlotOnItOnce(PbufPool pool, Run run) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> NetstatReport.format(s));
        for (PbufType t : TYPES) {
            assertEquals(0, s.inUse(t), t + " in use");
        }
        assertEquals(0, s.cached(), () -> "every thread closed or died: " + NetstatReport.format(s));
        assertEquals(s.total(), s.free(), () -> NetstatReport.format(s));
        assertEquals(run.denied(), s.denied(), "denied pbufs as the threads counted them");
        assertEquals(run.allocated() + run.denied(), s.requests(), "requests = allocations + denied");
        assertTrue(s.highWater() <= s.total(), "high-water mark " + s.highWater() + " above the pool size");

        // Take the whole pool as one receive chain (which may use the reserve): every index exactly once.
        int total = (int) s.total();
        Pbufs p = pool.local();
        int chain = p.allocReceive(total * PHLEN);
        assertNotEquals(NULL, chain, "the whole pool must be allocatable as one chain");
        BitSet seen = new BitSet(total);
        int n = 0;
        for (int h = chain; h != NULL && n <= total; h = p.next(h)) {
            int i = PbufHandle.index(h);
            assertFalse(seen.get(i), "slot " + i + " is on the free lists twice");
            seen.set(i);
            n++;
        }
        assertEquals(total, n);
        assertEquals(total, seen.cardinality());
        assertEquals(NULL, p.get(PbufType.DATA), "nothing beyond the pool");
        p.freem(chain);
        p.close();
        PbufStats after = pool.stats();
        assertEquals(0, after.inUse());
        assertEquals(after.total(), after.free());
    }

    /** Which slots are out, marked on allocation and cleared just before the free. */
    private static final class Ledger {
        private final AtomicIntegerArray marks;
        final Queue<String> errors = new ConcurrentLinkedQueue<>();

        Ledger(int slots) {
            marks = new AtomicIntegerArray(slots);
        }

        void taken(Pbufs p, int chain) {
            for (int h = chain, k = 0; h != NULL && k < marks.length(); h = p.next(h), k++) {
                int i = PbufHandle.index(h);
                if (!marks.compareAndSet(i, 0, 1)) {
                    errors.add("slot " + i + " handed out while still held (" + PbufHandle.toString(h) + ")");
                }
            }
        }

        void released(Pbufs p, int chain) {
            for (int h = chain, k = 0; h != NULL && k < marks.length(); h = p.next(h), k++) {
                int i = PbufHandle.index(h);
                if (!marks.compareAndSet(i, 1, 0)) {
                    errors.add("slot " + i + " freed but not marked as held (" + PbufHandle.toString(h) + ")");
                }
            }
        }

        int marked() {
            int n = 0;
            for (int i = 0; i < marks.length(); i++) {
                n += marks.get(i);
            }
            return n;
        }
    }

    /**
     * One run of {@link #THREADS} workers. Each keeps what it allocates until it holds {@code hold} pbufs or
     * a get fails, then hands it all to other workers; each frees what it is handed.
     */
    private static final class Run {
        private final PbufPool pool;
        private final int hold;
        private final int mortal;
        private final Ledger ledger;
        private final List<Queue<Long>> inboxes = new ArrayList<>();
        private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        private final CountDownLatch producing = new CountDownLatch(THREADS);
        private final CountDownLatch drained = new CountDownLatch(THREADS);
        private final long[] allocated = new long[THREADS];
        private final long[] denied = new long[THREADS];
        private final long[] ops = new long[THREADS];
        volatile long cachedAtDeath = -1;

        /** @param mortal index of a worker that ends without closing its Pbufs, or -1 */
        Run(PbufPool pool, int hold, int mortal) {
            this.pool = pool;
            this.hold = hold;
            this.mortal = mortal;
            this.ledger = new Ledger(pool.capacity());
            for (int t = 0; t < THREADS; t++) {
                inboxes.add(new ConcurrentLinkedQueue<>());
            }
        }

        void execute() throws InterruptedException {
            long deadline = System.nanoTime() + RUN_NANOS;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                threads.add(new Thread(() -> work(id, deadline), pool.name() + "-worker-" + t));
            }
            threads.forEach(Thread::start);
            for (Thread th : threads) {
                th.join(TimeUnit.SECONDS.toMillis(JOIN_SECONDS));
                assertFalse(th.isAlive(), th.getName() + " did not finish");
            }
        }

        void assertClean() {
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " worker(s) failed");
                failures.forEach(e::addSuppressed);
                throw e;
            }
            assertTrue(ledger.errors.isEmpty(), () -> String.join("\n", ledger.errors));
            assertEquals(0, ledger.marked(), "slots still marked as held after every worker freed its inbox");
            for (long o : ops) {
                assertTrue(o > 0, "every worker ran");
            }
        }

        long allocated() {
            long s = 0;
            for (long a : allocated) {
                s += a;
            }
            return s;
        }

        long denied() {
            long s = 0;
            for (long d : denied) {
                s += d;
            }
            return s;
        }

        private void work(int id, long deadline) {
            Pbufs p = pool.local();
            SplittableRandom rnd = new SplittableRandom(0x5EED + id);
            long[] held = new long[4096];
            int[] out = new int[8];
            int heldCount = 0;
            int heldPbufs = 0;
            int stamp = id << 24;
            try {
                try {
                    while (ops[id] < MAX_OPS_PER_THREAD && System.nanoTime() - deadline < 0) {
                        ops[id]++;
                        boolean failed;
                        int got;
                        PbufType type = TYPES[rnd.nextInt(TYPES.length)];
                        switch (rnd.nextInt(5)) {
                            case 0 -> {
                                int h = p.get(type);
                                failed = h == NULL;
                                count(id, failed, 1);
                                got = failed ? 0 : 1;
                                if (h != NULL) {
                                    p.setLen(h, 4);
                                    held[heldCount++] = own(p, h, ++stamp);
                                }
                            }
                            case 1 -> {
                                int n = 1 + rnd.nextInt(out.length);
                                failed = !p.get(type, out, n);
                                count(id, failed, n);
                                got = failed ? 0 : n;
                                for (int k = 0; k < got; k++) {
                                    p.setLen(out[k], 4);
                                    held[heldCount++] = own(p, out[k], ++stamp);
                                }
                            }
                            case 2 -> {
                                Layer layer = LAYERS[rnd.nextInt(LAYERS.length)];
                                int len = 4 + rnd.nextInt(1600);
                                int need = Pbufs.pbufsFor(layer.headroom(), len);
                                int h = p.alloc(layer, len);
                                failed = h == NULL;
                                count(id, failed, need);
                                got = failed ? 0 : need;
                                if (h != NULL) {
                                    assertEquals(need, p.count(h));
                                    held[heldCount++] = own(p, h, ++stamp);
                                }
                            }
                            case 3 -> {
                                int h = p.getHdrReserve(type, LAYERS[rnd.nextInt(LAYERS.length)]);
                                failed = h == NULL;
                                count(id, failed, 1);
                                got = failed ? 0 : 1;
                                if (h != NULL) {
                                    p.setLen(h, 4);
                                    p.setPktLen(h, 4);
                                    held[heldCount++] = own(p, h, ++stamp);
                                }
                            }
                            default -> {
                                int len = 4 + rnd.nextInt(1000);
                                int need = Pbufs.pbufsFor(0, len);
                                int h = p.allocReceive(len);
                                failed = h == NULL;
                                count(id, failed, need);
                                got = failed ? 0 : need;
                                if (h != NULL) {
                                    held[heldCount++] = own(p, h, ++stamp);
                                }
                            }
                        }
                        heldPbufs += got;
                        if (heldPbufs >= hold || failed || heldCount > held.length - out.length) {
                            send(id, held, heldCount, rnd);
                            heldCount = 0;
                            heldPbufs = 0;
                        }
                        freeInbox(id, p);
                    }
                    send(id, held, heldCount, rnd);
                } finally {
                    producing.countDown();
                }
                // Nobody sends once every worker has stopped producing: then each frees what it was handed.
                assertTrue(producing.await(JOIN_SECONDS, TimeUnit.SECONDS), "other workers did not stop");
                freeInbox(id, p); // all of it: a pool holds no more than its capacity of messages
                drained.countDown();
                if (id == mortal) {
                    // Leave pbufs in the cache: free a few allocated just now, and end without p.close().
                    assertTrue(drained.await(JOIN_SECONDS, TimeUnit.SECONDS), "other workers did not drain");
                    int[] some = new int[8];
                    assertTrue(p.get(PbufType.DATA, some, some.length), pool::netstat);
                    allocated[id] += some.length;
                    p.freem(some, some.length);
                    cachedAtDeath = pool.stats().perThread().stream()
                        .filter(c -> c.thread().equals(Thread.currentThread().getName()))
                        .mapToLong(PbufStats.CacheStat::cached).sum();
                } else {
                    p.close();
                }
            } catch (Throwable e) {
                failures.add(e);
                producing.countDown();
                drained.countDown();
            }
        }

        private void count(int id, boolean failed, int pbufs) {
            if (failed) {
                denied[id] += pbufs;
            } else {
                allocated[id] += pbufs;
            }
        }

        /** Marks a fresh chain in the ledger and stamps its first four bytes; returns the message to send. */
        private long own(Pbufs p, int h, int stamp) {
            ledger.taken(p, h);
            for (int b = 0; b < 4; b++) {
                p.putByte(h, b, (byte) (stamp >>> (8 * b)));
            }
            return (long) stamp << 32 | (h & 0xFFFF_FFFFL);
        }

        private void send(int id, long[] held, int n, SplittableRandom rnd) {
            for (int k = 0; k < n; k++) {
                int to = (id + 1 + rnd.nextInt(THREADS - 1)) % THREADS;
                inboxes.get(to).add(held[k]);
            }
        }

        /** Frees what this worker was handed, at most one pool's worth of messages per call. */
        private void freeInbox(int id, Pbufs p) {
            Queue<Long> inbox = inboxes.get(id);
            Long m;
            for (int k = 0; k < pool.capacity() && (m = inbox.poll()) != null; k++) {
                int h = (int) (long) m;
                int stamp = (int) (m >>> 32);
                assertNull(p.check(h), () -> p.dump(h));
                int found = 0;
                for (int b = 0; b < 4; b++) {
                    found |= (p.getByte(h, b) & 0xFF) << (8 * b);
                }
                if (found != stamp) {
                    ledger.errors.add("pbuf " + PbufHandle.toString(h) + " stamped " + Integer.toHexString(stamp)
                        + " by its allocator now holds " + Integer.toHexString(found) + ": another holder wrote it");
                }
                ledger.released(p, h);
                p.freem(h);
            }
        }
    }
}
