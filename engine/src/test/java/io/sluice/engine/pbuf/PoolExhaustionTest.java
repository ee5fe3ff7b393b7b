package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.PoolConfig;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pool run dry: every kind of get fails as a whole and is counted, freeing recovers, the reserve keeps
 * receive work going, {@link Pbufs#getWait} waits for a free, and the high-water mark remembers the peak.
 */
@ExtendWith(PbufLeakExtension.class)
class PoolExhaustionTest {
    private static final long BOUND_SECONDS = 10;

    private static PbufPool pool(String name, int slots, int cacheSize, int reserve) {
        return PbufPool.create(new PoolConfig().name(name).slots(slots).cacheSize(cacheSize).reserve(reserve)
            .jmx(false));
    }

    @Test
    void aDrainedPoolDeniesEveryKindOfGetAndCountsEachPbuf() {
        try (PbufPool pool = pool("drain", 64, 8, 0)) {
            Pbufs p = pool.local();
            int[] held = new int[64];
            int n = 0;
            for (int k = 0; k < 2 * held.length; k++) {
                int h = p.get(PbufType.DATA);
                if (h == NULL) {
                    break;
                }
                held[n++] = h;
            }
            assertEquals(64, n, "single gets take every slot, then the next one fails");
            long allocs = 64;
            long denied = 1;

            int[] out = new int[8];
            assertEquals(NULL, p.get(PbufType.CONTROL));
            denied += 1;
            assertEquals(NULL, p.getHdr(PbufType.HEADER, Layer.IP));
            denied += 1;
            assertFalse(p.get(PbufType.DATA, out, 1));
            denied += 1;
            assertFalse(p.get(PbufType.DATA, out, 8));
            denied += 8;
            assertEquals(NULL, p.alloc(Layer.TRANSPORT, 1500));
            denied += Pbufs.pbufsFor(Layer.TRANSPORT.headroom(), 1500);
            assertEquals(NULL, p.allocReceive(1514), "no reserve to fall back on");
            denied += Pbufs.pbufsFor(0, 1514);
            assertEquals(NULL, p.getHdrReserve(PbufType.DATA, Layer.RAW));
            denied += 1;

            PbufStats s = pool.stats();
            assertEquals(64, s.inUse());
            assertEquals(64, s.inUse(PbufType.DATA));
            assertEquals(0, s.cached());
            assertEquals(0, s.free());
            assertEquals(denied, s.denied(), "each pbuf of a failed request is counted");
            assertEquals(allocs + denied, s.requests(), "requests = allocations + denied");

            p.freem(held, n);
            s = pool.stats();
            assertEquals(0, s.inUse());
            assertEquals(64, s.cached() + s.free());

            // Recovered: the whole pool again, in one all-or-nothing get and as one chain.
            assertTrue(p.get(PbufType.HEADER, held, 64));
            allocs += 64;
            assertEquals(64, pool.stats().inUse(PbufType.HEADER));
            p.freem(held, 64);
            int chain = p.alloc(Layer.RAW, 64 * PHLEN);
            assertNotEquals(NULL, chain);
            assertEquals(64, p.count(chain));
            allocs += 64;
            p.freem(chain);

            s = pool.stats();
            assertEquals(0, s.inUse());
            assertEquals(denied, s.denied());
            assertEquals(allocs + denied, s.requests());
            p.close();
            assertEquals(64, pool.stats().free());
        }
    }

    @Test
    void bulkAndChainGetsAreAllOrNothing() {
        try (PbufPool pool = pool("all-or-nothing", 64, 8, 0)) {
            Pbufs p = pool.local();
            int[] held = new int[60];
            assertTrue(p.get(PbufType.DATA, held, 60));
            PbufStats before = pool.stats();
            assertEquals(4, before.cached() + before.free());

            int[] out = new int[8];
            assertFalse(p.get(PbufType.CONTROL, out, 5), "5 of 4");
            int fivePbufs = 4 * PHLEN + 1;
            assertEquals(5, Pbufs.pbufsFor(0, fivePbufs));
            assertEquals(NULL, p.alloc(Layer.RAW, fivePbufs), "a chain of 5 of 4");
            PbufStats after = pool.stats();
            assertEquals(60, after.inUse(), "a failed get allocates nothing");
            assertEquals(4, after.cached() + after.free(), "and keeps nothing back");
            assertEquals(60, LeakReport.scan(pool).leaked());
            assertEquals(before.denied() + 5 + 5, after.denied());

            int chain = p.alloc(Layer.RAW, 4 * PHLEN);
            assertNotEquals(NULL, chain, "a chain of exactly what is left");
            assertEquals(4, p.count(chain));
            assertNull(p.check(chain));
            p.freem(chain);
            assertTrue(p.get(PbufType.CONTROL, out, 4));
            assertEquals(NULL, p.get(PbufType.DATA));
            p.freem(out, 4);
            p.freem(held, 60);
            p.close();
            PbufStats s = pool.stats();
            assertEquals(0, s.inUse());
            assertEquals(64, s.free());
        }
    }

    @Test
    void theReserveServesOnlyReceiveWorkAndIsRefilledFirst() {
        int slots = 64;
        int r = 8;
        // Batches of one slot: the reserve is then exact, not "to within one cache batch".
        try (PbufPool pool = pool("reserve", slots, 2, r)) {
            Pbufs p = pool.local();
            int[] held = new int[slots];
            int n = 0;
            for (int k = 0; k < 2 * slots; k++) {
                int h = p.getHdr(PbufType.DATA, Layer.TRANSPORT);
                if (h == NULL) {
                    break;
                }
                held[n++] = h;
            }
            assertEquals(slots - r, n, "ordinary gets stop where the reserve begins");
            assertEquals(r, pool.stats().reserveFree());

            for (int k = 0; k < r; k++) {
                assertEquals(NULL, p.getHdr(PbufType.DATA, Layer.IP), "getHdr with " + (r - k) + " in reserve");
                assertEquals(NULL, p.get(PbufType.CONTROL), "get with " + (r - k) + " in reserve");
                assertEquals(NULL, p.alloc(Layer.RAW, 10), "alloc with " + (r - k) + " in reserve");
                int h = k % 2 == 0 ? p.getHdrReserve(PbufType.DATA, Layer.RAW) : p.allocReceive(60);
                assertNotEquals(NULL, h, "receive work takes reserve slot " + k);
                held[n++] = h;
                assertEquals(r - k - 1, pool.stats().reserveFree());
            }
            assertEquals(NULL, p.getHdrReserve(PbufType.DATA, Layer.RAW), "the reserve is empty");
            assertEquals(NULL, p.allocReceive(60));
            PbufStats dry = pool.stats();
            assertEquals(slots, dry.inUse());
            assertEquals(0, dry.reserveFree());
            assertTrue(dry.reserveChunks() >= r);

            // Frees refill the reserve before anything goes back to the common list.
            for (int k = 0; k < n; k++) {
                p.free(held[k]);
                PbufStats s = pool.stats();
                long common = s.free() - s.reserveFree();
                assertTrue(common == 0 || s.reserveFree() == r,
                    "after " + (k + 1) + " frees: " + common + " common while the reserve holds " + s.reserveFree());
            }
            p.close();
            PbufStats s = pool.stats();
            assertEquals(r, s.reserveFree());
            assertEquals(slots, s.free());
        }
    }

    @Test
    void receiveWorkDoesNotOpenTheReserveToTheOrdinaryGetsOfItsThread() {
        int slots = 512;
        int r = 16;
        // Default cache: batches of 128, more than the whole reserve.
        try (PbufPool pool = PbufPool.create(new PoolConfig().name("rx-tx").slots(slots).reserve(r).jmx(false))) {
            Pbufs p = pool.local();
            int[] held = new int[slots];
            int n = 0;
            for (int k = 0; k < 2 * slots; k++) {
                int h = p.getHdr(PbufType.DATA, Layer.TRANSPORT);
                if (h == NULL) {
                    break;
                }
                held[n++] = h;
            }
            assertEquals(slots - r, n);
            int taken = 0;
            for (int k = 0; taken < r && k < r; k++) {
                int h = k % 2 == 0 ? p.getHdrReserve(PbufType.DATA, Layer.RAW) : p.allocReceive(3 * PHLEN);
                assertNotEquals(NULL, h, "receive work with " + (r - taken) + " left in the reserve");
                held[n++] = h;
                taken += p.count(h);
                assertEquals(NULL, p.getHdr(PbufType.DATA, Layer.IP), "getHdr with " + (r - taken) + " in reserve");
                assertEquals(NULL, p.get(PbufType.CONTROL), "get with " + (r - taken) + " in reserve");
                assertEquals(NULL, p.alloc(Layer.RAW, 10), "alloc with " + (r - taken) + " in reserve");
                assertEquals(r - taken, pool.stats().reserveFree() + pool.stats().cached());
            }
            assertEquals(r, taken);
            assertEquals(NULL, p.getHdrReserve(PbufType.DATA, Layer.RAW), "the reserve is empty");
            p.freem(held, n);
            p.close();
            PbufStats s = pool.stats();
            assertEquals(0, s.inUse());
            assertEquals(slots, s.free());
            assertTrue(s.reserveFree() >= r);
        }
    }

    @Test
    void sendersDrainedByOneThreadDoNotStopReceiveWorkOnAnother() throws Exception {
        int slots = 512;
        int r = 16;
        // Default cache (batches of 128): the reserve is one chunk that only receive work may take.
        try (PbufPool pool = PbufPool.create(new PoolConfig().name("rx").slots(slots).reserve(r).jmx(false))) {
            Pbufs rx = pool.local();
            AtomicInteger sent = new AtomicInteger();
            CountDownLatch drained = new CountDownLatch(1);
            CountDownLatch received = new CountDownLatch(1);
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread sender = new Thread(() -> {
                Pbufs tx = pool.local();
                int[] held = new int[slots];
                int n = 0;
                try {
                    for (int k = 0; k < 2 * slots; k++) {
                        int h = tx.getHdr(PbufType.DATA, Layer.TRANSPORT);
                        if (h == NULL) {
                            break;
                        }
                        held[n++] = h;
                    }
                    sent.set(n);
                    drained.countDown();
                    assertTrue(received.await(BOUND_SECONDS, TimeUnit.SECONDS));
                    assertEquals(NULL, tx.getHdr(PbufType.DATA, Layer.TRANSPORT), "the sender stays drained");
                    assertEquals(NULL, tx.alloc(Layer.IP, 100));
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    drained.countDown();
                    tx.freem(held, n);
                    tx.close();
                }
            }, "sender");
            sender.start();
            assertTrue(drained.await(BOUND_SECONDS, TimeUnit.SECONDS));
            assertEquals(slots - r, sent.get());

            int[] rxHeld = new int[r];
            for (int k = 0; k < r; k++) {
                rxHeld[k] = rx.getHdrReserve(PbufType.DATA, Layer.RAW);
                assertNotEquals(NULL, rxHeld[k], "receive get " + k + " of a reserve of " + r);
            }
            assertEquals(NULL, rx.getHdrReserve(PbufType.DATA, Layer.RAW), "past the reserve");
            received.countDown();
            sender.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            assertFalse(sender.isAlive());
            assertTrue(failures.isEmpty(), failures::toString);
            rx.freem(rxHeld, r);
            rx.close();
            PbufStats s = pool.stats();
            assertEquals(0, s.inUse());
            assertEquals(slots, s.free());
            assertTrue(s.reserveFree() >= r, "the reserve is full again: " + s.reserveFree());
        }
    }

    @Test
    void getWaitGetsAPbufThatAnotherThreadFreesAndCountsItDelayed() throws Exception {
        try (PbufPool pool = pool("wait", 16, 8, 0)) {
            Pbufs p = pool.local();
            int[] held = new int[16];
            assertTrue(p.get(PbufType.DATA, held, 16));
            int[] got = {NULL};
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread waiter = new Thread(() -> {
                Pbufs w = pool.local();
                try {
                    got[0] = w.getWait(PbufType.CONTROL, Layer.IP, TimeUnit.SECONDS.toNanos(BOUND_SECONDS));
                    if (got[0] != NULL) {
                        assertEquals(PbufType.CONTROL, w.type(got[0]));
                        assertTrue(w.isPktHdr(got[0]));
                        w.free(got[0]);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    w.close();
                }
            }, "waiter");
            waiter.start();
            awaitParked(waiter);

            // This thread frees one pbuf and goes on holding the rest, without closing its Pbufs.
            p.free(held[15]);
            waiter.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS + 5));
            assertFalse(waiter.isAlive());
            assertTrue(failures.isEmpty(), failures::toString);
            assertNotEquals(NULL, got[0], "getWait must get the pbuf freed while it waited");
            PbufStats s = pool.stats();
            assertEquals(1, s.delayed());
            assertEquals(0, s.denied());
            assertEquals(17, s.requests());
            p.freem(held, 15);
            p.close();
            assertEquals(16, pool.stats().free());
        }
    }

    @Test
    void getWaitTimesOutWhenNothingIsFreedAndCountsItDenied() {
        try (PbufPool pool = pool("timeout", 16, 8, 0)) {
            Pbufs p = pool.local();
            int[] held = new int[16];
            assertTrue(p.get(PbufType.DATA, held, 16));
            assertEquals(NULL, p.getWait(PbufType.DATA, Layer.RAW, TimeUnit.MILLISECONDS.toNanos(200)));
            PbufStats s = pool.stats();
            assertEquals(1, s.denied());
            assertEquals(0, s.delayed());
            assertEquals(17, s.requests());

            p.free(held[0]);
            int h = p.getWait(PbufType.DATA, Layer.RAW, TimeUnit.MILLISECONDS.toNanos(200));
            assertNotEquals(NULL, h, "a pbuf at hand is taken at once");
            assertEquals(0, pool.stats().delayed(), "and not counted as delayed");
            held[0] = h;
            p.freem(held, 16);
            p.close();
        }
    }

    @Test
    void theHighWaterMarkRemembersThePeak() {
        int batch = 8;
        try (PbufPool pool = pool("high-water", 1024, 2 * batch, 0)) {
            assertEquals(0, pool.stats().highWater());
            Pbufs p = pool.local();
            int peak = 0;
            for (int k : new int[] {1, 37, 100, 64}) {
                int[] held = new int[k];
                for (int j = 0; j < k; j++) {
                    held[j] = p.get(PbufType.DATA);
                    assertNotEquals(NULL, held[j]);
                }
                p.freem(held, k);
                peak = Math.max(peak, k);
                long hw = pool.stats().highWater();
                assertTrue(hw >= peak, "high-water " + hw + " after holding " + peak + " at once");
                assertTrue(hw <= peak + batch, "high-water " + hw + " after holding " + peak
                    + " at once, batches of " + batch);
            }
            // Chains (and bulk gets) count every pbuf.
            int chain = p.alloc(Layer.RAW, 300 * PHLEN);
            p.freem(chain);
            long hw = pool.stats().highWater();
            assertTrue(hw >= 300 && hw <= 300 + batch, "high-water " + hw + " after a chain of 300");
            p.close();
        }
    }

    /** Waits (bounded) until {@code t} parks, as getWait does while the pool is empty. */
    private static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (t.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(t.isAlive(), t.getName() + " ended before it waited");
            assertTrue(System.nanoTime() - deadline < 0, t.getName() + " never waited");
            Thread.onSpinWait();
        }
    }
}
