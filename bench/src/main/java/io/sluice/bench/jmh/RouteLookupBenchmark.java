package io.sluice.bench.jmh;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.route.RouteGenerator;
import io.sluice.engine.route.RouteReader;
import io.sluice.engine.route.RouteTable;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Lookups in a {@link RouteTable} of 1 M routes ({@link RouteGenerator}, seed 42: 60 % /24, 1 % longer than
 * /24), one thread, 4096 pregenerated destinations per invocation, reported per lookup.
 *
 * <p>Traffic ({@code traffic}):
 * <ul>
 *   <li>{@code uniform}: destinations uniform over the unicast space. Nearly every lookup misses the caches
 *       and the TLB (tbl24 is 64 MiB), so this measures memory-level parallelism, not the code.</li>
 *   <li>{@code routed}: destinations inside random routes of the table (the same, as far as the caches
 *       go, but every lookup finds a route, and about 1 % take the second load).</li>
 *   <li>{@code hot}: 4096 destinations inside 256 random routes, so the entries they touch stay in L1/L2:
 *       the cost of the code when the traffic has locality, as most real traffic does.</li>
 * </ul>
 *
 * <p>Every benchmark must allocate nothing ({@code -prof gc}: about 0 B/op). Run with
 * {@code -jvmArgsAppend -XX:+UseTransparentHugePages} to see the effect of huge pages on the uniform case
 * (the machine's THP mode is {@code madvise}, and the JVM madvises its heap only with that flag).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {
    static final int ROUTES = 1_000_000;
    static final int N = 4096;
    static final int QUIESCENT_EVERY = 32;

    @Param({"uniform", "routed", "hot"})
    String traffic;

    RouteTable table;
    RouteReader reader;
    int[] destinations;
    final int[] hops = new int[N];

    @Setup(Level.Trial)
    public void setUp() {
        RouteGenerator.Routes routes = RouteGenerator.generate(42, ROUTES, 256);
        table = new RouteTable(new RouteTableConfig().name("jmh"));
        if (routes.addTo(table) != 0) {
            throw new IllegalStateException("setup: an add ran out of tbl8 groups");
        }
        destinations = switch (traffic) {
            case "uniform" -> RouteGenerator.addresses(7, N);
            case "routed" -> RouteGenerator.addressesIn(routes, 7, N);
            case "hot" -> {
                int[] few = RouteGenerator.addressesIn(routes, 7, 256);
                SplittableRandom random = new SplittableRandom(8);
                int[] d = new int[N];
                for (int i = 0; i < N; i++) {
                    d[i] = few[random.nextInt(few.length)] ^ random.nextInt(4);
                }
                yield d;
            }
            default -> throw new IllegalArgumentException("traffic=" + traffic);
        };
        reader = table.registerReader("jmh");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        reader.close();
    }

    /** One op: one {@link RouteTable#lookup(int)}. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int lookup() {
        RouteTable t = table;
        int[] d = destinations;
        int sum = 0;
        for (int i = 0; i < N; i++) {
            sum += t.lookup(d[i]);
        }
        return sum;
    }

    /** One op: one lookup of a burst lookup of 4096 ({@link RouteTable#lookup(int[], int[], int)}). */
    @Benchmark
    @OperationsPerInvocation(N)
    public int lookupBurst() {
        table.lookup(destinations, hops, N);
        return hops[N - 1];
    }

    /** One op: one lookup plus 1/32 of a {@link RouteReader#quiescent()}, as a reader stage would run. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int lookupQuiescentEvery32() {
        RouteTable t = table;
        RouteReader r = reader;
        int[] d = destinations;
        int sum = 0;
        for (int i = 0; i < N; i += QUIESCENT_EVERY) {
            for (int j = i; j < i + QUIESCENT_EVERY; j++) {
                sum += t.lookup(d[j]);
            }
            r.quiescent();
        }
        return sum;
    }
}
