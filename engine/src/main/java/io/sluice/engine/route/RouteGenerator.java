package io.sluice.engine.route;

import io.sluice.engine.wire.Ipv4Address;
import java.util.SplittableRandom;
import org.agrona.collections.LongHashSet;

/**
 * Random route sets and destination addresses for tests and benchmarks, reproducible from a seed.
 *
 * <p>Prefix lengths follow {@link #LENGTH_WEIGHTS}, shaped roughly like a public IPv4 BGP table (most routes
 * /24, then /22, /23, /21, /20 and a thin tail of shorter ones), plus about 1 % longer than /24, which the
 * global table filters but an internal or customer table carries; each of those needs a tbl8 group unless it
 * shares its /24 with another. Prefixes are drawn uniformly from the unicast space 1.0.0.0 to
 * 223.255.255.255 and are distinct; they overlap as random prefixes do (a /24 may fall inside a /16).
 */
public final class RouteGenerator {
    /** Relative weight of each prefix length 0..32, out of 100 000. */
    public static final int[] LENGTH_WEIGHTS = {
        0, 0, 0, 0, 0, 0, 0, 0,
        5, 10, 30, 80, 200, 400, 700, 1_000,              // /8 .. /15
        1_400, 800, 1_500, 2_500, 4_000, 5_000, 12_000, 10_000, // /16 .. /23
        59_375,                                            // /24
        200, 150, 100, 150, 100, 150, 50, 100,             // /25 .. /32
    };
    private static final int TOTAL_WEIGHT = 100_000;
    /** 1.0.0.0 to 223.255.255.255: the unicast space, below the multicast 224/4 and reserved 240/4. */
    private static final long UNICAST_FIRST = 0x0100_0000L;
    private static final long UNICAST_END = 0xE000_0000L;

    private RouteGenerator() {
    }

    /** A set of routes in parallel arrays (no object per route). */
    public static final class Routes {
        private final int[] prefixes;
        private final byte[] lengths;
        private final int[] nextHops;

        Routes(int[] prefixes, byte[] lengths, int[] nextHops) {
            this.prefixes = prefixes;
            this.lengths = lengths;
            this.nextHops = nextHops;
        }

        public int size() {
            return prefixes.length;
        }

        public int prefix(int i) {
            return prefixes[i];
        }

        public int length(int i) {
            return lengths[i];
        }

        public int nextHop(int i) {
            return nextHops[i];
        }

        /**
         * Adds every route to {@code table} in order. Writer thread of the table.
         *
         * @return how many adds returned {@link RouteTable#TBL8_EXHAUSTED} (those routes are not in the table)
         */
        public int addTo(RouteTable table) {
            int refused = 0;
            for (int i = 0; i < prefixes.length; i++) {
                if (table.add(prefixes[i], lengths[i], nextHops[i]) != RouteTable.OK) {
                    refused++;
                }
            }
            return refused;
        }
    }

    /**
     * {@code count} distinct routes with next hops uniform in {@code 0 .. nextHops-1}.
     *
     * @throws IllegalArgumentException when {@code count} is too large to find that many distinct prefixes
     */
    public static Routes generate(long seed, int count, int nextHops) {
        if (count < 0 || nextHops < 1) {
            throw new IllegalArgumentException("count=" + count + " must be 0 or more, nextHops=" + nextHops + " 1 or more");
        }
        int[] cumulative = new int[33];
        int sum = 0;
        for (int len = 0; len <= 32; len++) {
            sum += LENGTH_WEIGHTS[len];
            cumulative[len] = sum;
        }
        SplittableRandom random = new SplittableRandom(seed);
        LongHashSet seen = new LongHashSet(Math.max(16, count * 2));
        int[] prefixes = new int[count];
        byte[] lengths = new byte[count];
        int[] hops = new int[count];
        long attempts = 0;
        long maxAttempts = 20L * count + 1_000;
        for (int i = 0; i < count; ) {
            if (++attempts > maxAttempts) {
                throw new IllegalArgumentException("could not draw " + count + " distinct prefixes (" + i + " after "
                    + maxAttempts + " attempts)");
            }
            int pick = random.nextInt(TOTAL_WEIGHT);
            int len = 0;
            while (cumulative[len] <= pick) {
                len++;
            }
            int prefix = Ipv4Address.network(unicast(random), len);
            if (seen.add((long) prefix << 6 | len)) {
                prefixes[i] = prefix;
                lengths[i] = (byte) len;
                hops[i] = random.nextInt(nextHops);
                i++;
            }
        }
        return new Routes(prefixes, lengths, hops);
    }

    private static int unicast(SplittableRandom random) {
        return (int) random.nextLong(UNICAST_FIRST, UNICAST_END);
    }

    /** {@code count} addresses uniform over the unicast space 1.0.0.0 .. 223.255.255.255. */
    public static int[] addresses(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            a[i] = unicast(random);
        }
        return a;
    }

    /** {@code count} addresses, each inside a route of {@code routes} picked at random: traffic that has a route. */
    public static int[] addressesIn(Routes routes, long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            int r = random.nextInt(routes.size());
            a[i] = routes.prefix(r) | random.nextInt() & ~Ipv4Address.mask(routes.length(r));
        }
        return a;
    }
}
