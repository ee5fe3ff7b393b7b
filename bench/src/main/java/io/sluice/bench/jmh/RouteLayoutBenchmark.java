package io.sluice.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The experiment behind the route table's storage: the same DIR-24-8 lookup over a {@code tbl24} of 2^24
 * ints and 64 Ki tbl8 groups, kept either in {@code int[]}s on the heap or in {@code MemorySegment}s of a
 * shared arena, read with acquire loads (as {@code RouteTable.lookup} does) or plain ones. The entries are
 * random (2 % extended), not a real table: only the memory access pattern matters here.
 *
 * <p>{@code hot=false}: 4096 destinations uniform over the whole address space (every lookup misses);
 * {@code hot=true}: 4096 destinations 4096 apart (each on its own tbl24 cache line: 256 KiB of lines, which
 * stay in L2). Add {@code -jvmArgsAppend -XX:+UseTransparentHugePages} to back the heap arrays with huge
 * pages (arena memory is not madvised and does not get them).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLayoutBenchmark {
    static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    static final VarHandle SEGMENT_INT = ValueLayout.JAVA_INT.varHandle();
    static final int N = 4096;
    static final int EXTENDED = 1 << 30;
    static final int VALUE_MASK = 0xFF_FFFF;

    @Param({"false", "true"})
    boolean hot;

    final int[] tbl24 = new int[1 << 24];
    final int[] tbl8 = new int[(1 << 16) << 8];
    Arena arena;
    MemorySegment seg24;
    MemorySegment seg8;
    final int[] destinations = new int[N];

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        seg24 = arena.allocate(4L * tbl24.length, 64);
        seg8 = arena.allocate(4L * tbl8.length, 64);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < tbl24.length; i++) {
            int e = r.nextInt(100) < 2 ? (0xC000_0000 | r.nextInt(1 << 16)) : (0x8000_0000 | r.nextInt(1000));
            tbl24[i] = e;
            seg24.setAtIndex(ValueLayout.JAVA_INT, i, e);
        }
        for (int i = 0; i < tbl8.length; i++) {
            int e = 0x8000_0000 | r.nextInt(1000);
            tbl8[i] = e;
            seg8.setAtIndex(ValueLayout.JAVA_INT, i, e);
        }
        for (int i = 0; i < N; i++) {
            destinations[i] = hot ? r.nextInt(1 << 16) << 12 : r.nextInt();
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int intArrayAcquire() {
        int sum = 0;
        for (int d : destinations) {
            int e = (int) INTS.getAcquire(tbl24, d >>> 8);
            if ((e & EXTENDED) != 0) {
                e = (int) INTS.getAcquire(tbl8, (e & VALUE_MASK) << 8 | (d & 0xFF));
            }
            sum += (e & VALUE_MASK) | ~(e >> 31);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int intArrayPlain() {
        int sum = 0;
        for (int d : destinations) {
            int e = tbl24[d >>> 8];
            if ((e & EXTENDED) != 0) {
                e = tbl8[(e & VALUE_MASK) << 8 | (d & 0xFF)];
            }
            sum += (e & VALUE_MASK) | ~(e >> 31);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int segmentAcquire() {
        int sum = 0;
        for (int d : destinations) {
            int e = (int) SEGMENT_INT.getAcquire(seg24, (long) (d >>> 8) << 2);
            if ((e & EXTENDED) != 0) {
                e = (int) SEGMENT_INT.getAcquire(seg8, (long) ((e & VALUE_MASK) << 8 | (d & 0xFF)) << 2);
            }
            sum += (e & VALUE_MASK) | ~(e >> 31);
        }
        return sum;
    }
}
