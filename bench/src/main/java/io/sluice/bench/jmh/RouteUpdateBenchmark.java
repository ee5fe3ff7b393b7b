package io.sluice.bench.jmh;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.route.RouteGenerator;
import io.sluice.engine.route.RouteTable;
import io.sluice.engine.wire.Ipv4Address;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route changes on the control plane of a 1 M-route {@link RouteTable}: one op is the add of a route that
 * was not in the table and its remove, so the table is the same after every op. The routes cycle through
 * 1024 prefixes of {@code length} drawn at random and absent from the table.
 *
 * <ul>
 *   <li>{@code /16}: rewrites 256 tbl24 entries (and the groups of any /24 inside with longer routes);</li>
 *   <li>{@code /24}: one tbl24 entry (or one group's less specific entries);</li>
 *   <li>{@code /28}: mostly in a /24 without a group, so the add fills and publishes a new group and the
 *       remove folds and retires it (no reader is registered, so it is free again at once).</li>
 * </ul>
 * Each op also does rule-table work: the exact-match lookup, the insert and delete, and on remove the search
 * for the covering route (up to one hash lookup per prefix length present).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteUpdateBenchmark {
    static final int PREFIXES = 1024;

    @Param({"16", "24", "28"})
    int length;

    RouteTable table;
    final int[] prefixes = new int[PREFIXES];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        table = new RouteTable(new RouteTableConfig().name("jmh"));
        if (RouteGenerator.generate(42, 1_000_000, 256).addTo(table) != 0) {
            throw new IllegalStateException("setup: an add ran out of tbl8 groups");
        }
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < PREFIXES; ) {
            int p = Ipv4Address.network((int) random.nextLong(0x0100_0000L, 0xE000_0000L), length);
            if (table.get(p, length) == RouteTable.NO_ROUTE) {
                prefixes[i++] = p;
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (table.size() != 1_000_000) {
            throw new IllegalStateException("the table changed size: " + table.size());
        }
    }

    /** One op: add of an absent route, then its remove. */
    @Benchmark
    public int addRemove() {
        int p = prefixes[next];
        next = (next + 1) & (PREFIXES - 1);
        if (table.add(p, length, 7) != RouteTable.OK) {
            throw new IllegalStateException("add refused");
        }
        table.remove(p, length);
        return p;
    }
}
