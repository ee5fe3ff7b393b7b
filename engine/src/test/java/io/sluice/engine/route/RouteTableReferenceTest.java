package io.sluice.engine.route;

import static io.sluice.engine.route.RouteTable.OK;
import static io.sluice.engine.route.RouteTable.TBL8_EXHAUSTED;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random adds and removes, checked against {@link ReferenceLpm} after every operation at the edges of the
 * prefix it touched, and every few hundred operations at the edges of every route and at random addresses.
 *
 * <p>Prefixes are drawn around a few hot /20s (and sometimes anywhere, and at both ends of the address
 * space), with lengths weighted towards /0, /8, /16, /24, /25 and /32 and everything in between, so that
 * routes overlap at every depth, groups are created, shared, folded and reused, and /0 comes and goes.
 */
class RouteTableReferenceTest {
    private static final int OPS = 3_000;
    private static final int FULL_CHECK_EVERY = 500;
    private static final int NEXT_HOPS = 1_000;
    /**
     * Relative weights of lengths 0..32. Short prefixes are rare because each add or remove of one rewrites
     * 2^(24-len) tbl24 entries (16 Mi for /0: about 30 ms); /0 stands for them.
     */
    private static final int[] WEIGHTS = {
        1, 0, 0, 0, 0, 0, 0, 0,
        2, 1, 1, 1, 2, 2, 2, 2,
        6, 3, 3, 3, 4, 4, 6, 8,
        14, 10, 5, 5, 5, 5, 5, 5,
        10,
    };

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomAddsAndRemovesMatchTheReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] hot = new int[6];
        for (int i = 0; i < hot.length; i++) {
            hot[i] = random.nextInt() & 0xFFFFF000;
        }
        hot[0] = 0;                // the bottom of the space
        hot[1] = 0xFFFFF000;       // and the top
        RouteTable table = new RouteTable(new RouteTableConfig().tbl8Groups(512).nextHops(NEXT_HOPS).name("ref" + seed));
        ReferenceLpm ref = new ReferenceLpm();
        int exhausted = 0;
        for (int op = 1; op <= OPS; op++) {
            List<int[]> routes = null;
            int prefix;
            int length;
            if (random.nextInt(100) < 40 && ref.size() > 0) {
                routes = ref.routes();
                int[] r = routes.get(random.nextInt(routes.size()));
                prefix = r[0];
                length = r[1];
                assertTrue(table.remove(prefix, length), "remove " + Ipv4Address.toString(prefix, length));
                ref.remove(prefix, length);
            } else {
                length = pickLength(random);
                int base = random.nextInt(10) < 8 ? hot[random.nextInt(hot.length)] | random.nextInt(1 << 12) : random.nextInt();
                prefix = Ipv4Address.network(base, length);
                if (random.nextInt(20) == 0) {
                    assertEquals(ref.contains(prefix, length), table.remove(prefix, length), "remove of a maybe-absent route");
                    ref.remove(prefix, length);
                } else {
                    int hop = random.nextInt(NEXT_HOPS);
                    int result = table.add(prefix, length, hop);
                    if (result == TBL8_EXHAUSTED) {
                        exhausted++;
                    } else {
                        assertEquals(OK, result);
                        ref.add(prefix, length, hop);
                    }
                }
            }
            String what = "seed " + seed + " op " + op + " on " + Ipv4Address.toString(prefix, length);
            checkEdges(table, ref, prefix, length, what);
            assertEquals(ref.size(), table.size(), what);
            assertEquals(ref.slash24sWithLongRoutes(), table.tbl8GroupsInUse(), "groups in use, " + what);
            assertEquals(table.tbl8GroupsMax(), table.tbl8GroupsInUse() + table.tbl8GroupsFree() + table.tbl8GroupsRetired());
            if (op % FULL_CHECK_EVERY == 0) {
                for (int[] r : ref.routes()) {
                    checkEdges(table, ref, r[0], r[1], what + ", route " + Ipv4Address.toString(r[0], r[1]));
                }
                for (int i = 0; i < 5_000; i++) {
                    int a = random.nextInt(4) == 0 ? random.nextInt() : hot[random.nextInt(hot.length)] | random.nextInt(1 << 12);
                    assertEquals(ref.lookup(a), table.lookup(a), what + ", address " + Ipv4Address.toString(a));
                }
            }
        }
        assertEquals(0, exhausted, "512 groups are more than the hot /20s can use");
        // Remove everything, in random order: the table must end empty, with every group back.
        List<int[]> routes = ref.routes();
        while (!routes.isEmpty()) {
            int[] r = routes.remove(random.nextInt(routes.size()));
            assertTrue(table.remove(r[0], r[1]));
            ref.remove(r[0], r[1]);
            checkEdges(table, ref, r[0], r[1], "seed " + seed + " draining " + Ipv4Address.toString(r[0], r[1]));
        }
        assertEquals(0, table.size());
        assertEquals(0, table.tbl8GroupsInUse());
        table.reclaim();
        assertEquals(table.tbl8GroupsMax(), table.tbl8GroupsFree());
        for (int i = 0; i < 1_000; i++) {
            assertEquals(RouteTable.NO_ROUTE, table.lookup(random.nextInt()));
        }
    }

    private static int pickLength(SplittableRandom random) {
        int total = 0;
        for (int w : WEIGHTS) {
            total += w;
        }
        int pick = random.nextInt(total);
        int len = 0;
        while (pick >= WEIGHTS[len]) {
            pick -= WEIGHTS[len];
            len++;
        }
        return len;
    }

    /** First, last, one before, one after, and the middle of the prefix. */
    private static void checkEdges(RouteTable table, ReferenceLpm ref, int prefix, int length, String what) {
        int last = Ipv4Address.last(prefix, length);
        int[] probes = {prefix, last, prefix - 1, last + 1, prefix + (int) ((last - (long) prefix) >>> 1)};
        for (int a : probes) {
            assertEquals(ref.lookup(a), table.lookup(a), what + ", address " + Ipv4Address.toString(a));
        }
    }
}
