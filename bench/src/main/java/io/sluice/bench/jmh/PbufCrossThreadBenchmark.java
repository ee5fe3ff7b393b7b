package io.sluice.bench.jmh;

import static io.sluice.engine.pbuf.PbufHandle.NULL;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.ring.SpscRing;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pbufs crossing threads: one thread gets pbufs from its cache and offers them to an {@link SpscRing}, the
 * other polls them and frees them into its own cache. The freeing thread's cache fills and flushes chunks to
 * the pool's shared free list, and the getting thread's cache refills from it, so this measures the whole
 * cycle: thread cache, ring publication, lock-free shared list, both directions. Unchecked mode;
 * {@link PbufCrossThreadCheckedBenchmark} runs it checked.
 *
 * <p>Neither side can spin forever: every wait is bounded ({@link #SPINS} attempts); a producer that gives up
 * frees its pbufs itself, a consumer that gives up returns. Both are counted in the {@link Counters}
 * ({@code offerFailed}, {@code pollEmpty}, {@code getFailed}), which JMH prints as secondary results (per
 * second). The rate of pbufs that really made the trip is {@code freed}.
 *
 * <p>Scores are throughput in ops/s per group: the group total adds both methods, so the transfer rate is the
 * score of either method alone (they match when few attempts fail), or {@code freed}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Group)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dsluice.pbuf.checked=false")
public class PbufCrossThreadBenchmark {
    /** Attempts before a side gives up on a full or empty ring (each followed by Thread.onSpinWait()). */
    static final int SPINS = 1024;
    static final int BURST = 32;

    PbufPool pool;
    SpscRing ring;

    @Setup(Level.Trial)
    public void setUp() {
        pool = PbufPool.create(new PoolConfig().slots(16 * 1024).jmx(false).name("jmh-" + getClass().getSimpleName()));
        ring = new SpscRing("jmh", 1024);
    }

    /**
     * After each iteration (JMH runs group teardown once every thread of the group has stopped): frees what
     * is left in the ring with this thread's toolkit.
     */
    @TearDown(Level.Iteration)
    public void drainRing() {
        Pbufs p = pool.local();
        for (int h = ring.poll(NULL); h != NULL; h = ring.poll(NULL)) {
            p.free(h);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long inUse = pool.inUse();
        pool.close();
        if (inUse != 0) {
            throw new IllegalStateException(inUse + " pbufs still in use at the end of the trial");
        }
    }

    /** Per-thread state: the thread's own toolkit, its scratch array and its counters. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Pbufs offered to the ring. */
        public long offered;
        /** Pbufs freed by the consumer after the trip. */
        public long freed;
        /** Producer gave up after SPINS attempts on a full ring and freed the pbufs itself. */
        public long offerFailed;
        /** Consumer gave up after SPINS attempts on an empty ring. */
        public long pollEmpty;
        /** The pool had no pbuf for the producer. */
        public long getFailed;

        Pbufs pbufs;
        final int[] scratch = new int[BURST];

        /**
         * This thread's toolkit, bound on first use from the benchmark method itself (not by injecting the
         * group state into a setup method: in the checked subclass that would inject a second instance of
         * the parent class, with its own pool).
         */
        Pbufs pbufs(PbufPool pool) {
            Pbufs p = pbufs;
            return p != null ? p : (pbufs = pool.local());
        }

        @Setup(Level.Iteration)
        public void reset() {
            offered = freed = offerFailed = pollEmpty = getFailed = 0;
        }
    }

    /** One op: get one pbuf and offer it to the ring. */
    @Benchmark
    @Group("pbufGetRingFree")
    @GroupThreads(1)
    public void get(Counters c) {
        Pbufs p = c.pbufs(pool);
        int h = p.get(PbufType.DATA);
        if (h == NULL) {
            c.getFailed++;
            return;
        }
        for (int n = 0; n < SPINS; n++) {
            if (ring.offer(h)) {
                c.offered++;
                return;
            }
            Thread.onSpinWait();
        }
        p.free(h);
        c.offerFailed++;
    }

    /** One op: poll one pbuf from the ring and free it. */
    @Benchmark
    @Group("pbufGetRingFree")
    @GroupThreads(1)
    public void free(Counters c) {
        for (int n = 0; n < SPINS; n++) {
            int h = ring.poll(NULL);
            if (h != NULL) {
                c.pbufs(pool).free(h);
                c.freed++;
                return;
            }
            Thread.onSpinWait();
        }
        c.pollEmpty++;
    }

    /**
     * One invocation: a bulk get of 32 pbufs and a burst offer of them (retrying the rest, bounded); reported
     * per pbuf (@OperationsPerInvocation(32)).
     */
    @Benchmark
    @Group("pbufBulkGetRingFree32")
    @GroupThreads(1)
    @OperationsPerInvocation(BURST)
    public void bulkGet(Counters c) {
        Pbufs p = c.pbufs(pool);
        int[] s = c.scratch;
        if (!p.get(PbufType.DATA, s, BURST)) {
            c.getFailed += BURST;
            return;
        }
        int done = 0;
        for (int n = 0; n < SPINS && done < BURST; n++) {
            int k = ring.offerBurst(s, done, BURST - done);
            if (k == 0) {
                Thread.onSpinWait();
            }
            done += k;
        }
        c.offered += done;
        if (done < BURST) {
            c.offerFailed += BURST - done;
            for (int k = done; k < BURST; k++) {
                p.free(s[k]);
            }
        }
    }

    /** One invocation: a burst poll of up to 32 pbufs (bounded retries while empty) and a free of each; per pbuf. */
    @Benchmark
    @Group("pbufBulkGetRingFree32")
    @GroupThreads(1)
    @OperationsPerInvocation(BURST)
    public void bulkFree(Counters c) {
        int[] s = c.scratch;
        for (int n = 0; n < SPINS; n++) {
            int k = ring.pollBurst(s, 0, BURST);
            if (k > 0) {
                c.pbufs(pool).freem(s, k);
                c.freed += k;
                return;
            }
            Thread.onSpinWait();
        }
        c.pollEmpty++;
    }
}
