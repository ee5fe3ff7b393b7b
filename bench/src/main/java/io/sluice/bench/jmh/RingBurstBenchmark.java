package io.sluice.bench.jmh;

import io.sluice.engine.ring.SpscRing;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.SpscArrayQueue;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two threads moving elements through a single-producer single-consumer queue of the same capacity:
 * Sluice's {@link SpscRing} of int handles in bursts of 32 ({@code offerBurst}/{@code pollBurst}, one
 * release store per burst) against JCTools' {@link SpscArrayQueue} carrying preallocated {@link Integer}
 * objects, offered and polled one by one, 32 per invocation. Both report elements per second per side
 * (@OperationsPerInvocation(32)); the group score adds producer and consumer, so the element rate is either
 * method's score. The exact rates of elements moved are the {@code offered}/{@code polled} counters.
 *
 * <p>Waits are bounded: a side that sees a full (empty) ring {@link #SPINS} times in a row gives up for this
 * invocation and counts it ({@code offerFailed}, {@code pollEmpty}). The preallocated Integers and the int
 * arrays are made once per trial, so neither queue allocates per element (check with -prof gc).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Group)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBurstBenchmark {
    static final int CAPACITY = 1024;
    static final int BURST = 32;
    static final int SPINS = 1024;

    SpscRing ring;
    SpscArrayQueue<Integer> queue;
    /** The elements the JCTools producer offers, boxed once at setup. */
    Integer[] boxes;

    @Setup(Level.Trial)
    public void setUp() {
        ring = new SpscRing("jmh", CAPACITY);
        queue = new SpscArrayQueue<>(CAPACITY);
        if (queue.capacity() != CAPACITY) {
            throw new IllegalStateException("SpscArrayQueue capacity " + queue.capacity());
        }
        boxes = new Integer[BURST * 64];
        for (int i = 0; i < boxes.length; i++) {
            boxes[i] = i + 1_000_000; // outside the Integer cache: real objects
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long offered;
        public long polled;
        public long offerFailed;
        public long pollEmpty;
        final int[] src = new int[BURST];
        final int[] dst = new int[BURST];
        int next;
        /** Consumer's checksum, so the polled values are used. */
        long sum;

        {
            for (int i = 0; i < BURST; i++) {
                src[i] = i + 1;
            }
        }

        @Setup(Level.Iteration)
        public void reset() {
            offered = polled = offerFailed = pollEmpty = 0;
        }
    }

    /** One invocation: offers a burst of 32 handles, retrying the rest while the ring is full (bounded). */
    @Benchmark
    @Group("spscRingBurst32")
    @GroupThreads(1)
    @OperationsPerInvocation(BURST)
    public void ringOffer(Counters c) {
        int done = 0;
        for (int n = 0; n < SPINS && done < BURST; n++) {
            int k = ring.offerBurst(c.src, done, BURST - done);
            if (k == 0) {
                Thread.onSpinWait();
            }
            done += k;
        }
        c.offered += done;
        if (done < BURST) {
            c.offerFailed++;
        }
    }

    /** One invocation: polls a burst of up to 32 handles; retries while the ring is empty (bounded). */
    @Benchmark
    @Group("spscRingBurst32")
    @GroupThreads(1)
    @OperationsPerInvocation(BURST)
    public long ringPoll(Counters c) {
        int[] d = c.dst;
        for (int n = 0; n < SPINS; n++) {
            int k = ring.pollBurst(d, 0, BURST);
            if (k > 0) {
                long s = 0;
                for (int i = 0; i < k; i++) {
                    s += d[i];
                }
                c.polled += k;
                return c.sum += s;
            }
            Thread.onSpinWait();
        }
        c.pollEmpty++;
        return c.sum;
    }

    /** One invocation: offers 32 preallocated Integers one by one, retrying each while full (bounded). */
    @Benchmark
    @Group("jctoolsSpscQueue32")
    @GroupThreads(1)
    @OperationsPerInvocation(BURST)
    public void queueOffer(Counters c) {
        Integer[] b = boxes;
        int at = c.next;
        int done = 0;
        int spins = 0;
        while (done < BURST) {
            if (queue.offer(b[(at + done) & (b.length - 1)])) {
                done++;
            } else if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                c.offerFailed++;
                break;
            }
        }
        c.next = at + done;
        c.offered += done;
    }

    /** One invocation: polls up to 32 Integers one by one; retries while empty before the first (bounded). */
    @Benchmark
    @Group("jctoolsSpscQueue32")
    @GroupThreads(1)
    @OperationsPerInvocation(BURST)
    public long queuePoll(Counters c) {
        long s = 0;
        int got = 0;
        int spins = 0;
        while (got < BURST) {
            Integer v = queue.poll();
            if (v != null) {
                s += v;
                got++;
            } else if (got == 0 && ++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                break;
            }
        }
        if (got == 0) {
            c.pollEmpty++;
        }
        c.polled += got;
        return c.sum += s;
    }
}
