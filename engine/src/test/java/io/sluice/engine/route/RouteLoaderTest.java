package io.sluice.engine.route;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/** Route files, next hops and the route generator. */
class RouteLoaderTest {
    private static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    private static RouteTable table() {
        return new RouteTable(new RouteTableConfig().tbl8Groups(4).nextHops(16).name("loader"));
    }

    private static int load(String text, RouteTable t, NextHopTable hops, ToIntFunction<String> ports) throws Exception {
        return RouteLoader.load(new BufferedReader(new StringReader(text)), "routes.txt", t, hops, ports);
    }

    @Test
    void everyKindOfLineLoads() throws Exception {
        String text = """
            # a route file
            10.0.0.0/8 via 192.0.2.1 dev 1
            192.0.2.0/24 dev 1          # connected

            default via 198.51.100.1 dev 0
            203.0.113.7 dev 2
            blackhole 10.66.0.0/16
            local 192.0.2.10/32 dev 1
            unicast 10.1.0.0/16 dev 3 via 192.0.2.1
            10.2.0.0/16 via 192.0.2.1 dev 1
            """;
        RouteTable t = table();
        NextHopTable hops = new NextHopTable(16);
        assertEquals(8, load(text, t, hops, RouteLoader.NUMBERED_PORTS));
        assertEquals(8, t.size());
        assertEquals(7, hops.size(), "10.0.0.0/8 and 10.2.0.0/16 share a next hop");

        long h = hops.get(t.lookup(ip("10.9.9.9")));
        assertEquals(1, NextHopTable.port(h));
        assertEquals(ip("192.0.2.1"), NextHopTable.gateway(h));
        assertEquals(t.lookup(ip("10.9.9.9")), t.lookup(ip("10.2.0.1")));
        h = hops.get(t.lookup(ip("192.0.2.99")));
        assertEquals(NextHopTable.NO_GATEWAY, NextHopTable.gateway(h));
        assertEquals("dev 1", NextHopTable.toString(h));
        assertEquals("via 198.51.100.1 dev 0", NextHopTable.toString(hops.get(t.lookup(ip("8.8.8.8")))));
        assertEquals("dev 2", NextHopTable.toString(hops.get(t.lookup(ip("203.0.113.7")))));
        assertEquals("via 198.51.100.1 dev 0", NextHopTable.toString(hops.get(t.lookup(ip("203.0.113.8")))));
        assertEquals(NextHopTable.FLAG_BLACKHOLE, hops.flags(t.lookup(ip("10.66.1.1"))));
        assertEquals(NextHopTable.FLAG_LOCAL, hops.flags(t.lookup(ip("192.0.2.10"))));
        assertEquals(3, hops.port(t.lookup(ip("10.1.1.1"))));

        StringWriter out = new StringWriter();
        assertEquals(8, RouteLoader.write(out, t, hops, p -> "eth" + p));
        String written = out.toString();
        assertTrue(written.startsWith("0.0.0.0/0 via 198.51.100.1 dev eth0\n"), written);
        assertTrue(written.contains("blackhole 10.66.0.0/16\n"), written);
        assertTrue(written.contains("local 192.0.2.10/32 dev eth1\n"), written);

        // Round trip with named ports.
        RouteTable again = table();
        NextHopTable againHops = new NextHopTable(16);
        Map<String, Integer> names = Map.of("eth0", 0, "eth1", 1, "eth2", 2, "eth3", 3);
        assertEquals(8, load(written, again, againHops, n -> names.getOrDefault(n, -1)));
        for (String a : new String[] {"10.9.9.9", "192.0.2.99", "8.8.8.8", "203.0.113.7", "10.66.1.1", "192.0.2.10", "10.1.1.1"}) {
            assertEquals(hops.get(t.lookup(ip(a))), againHops.get(again.lookup(ip(a))), a);
        }
    }

    @Test
    void badLinesNameTheLineAndTheProblem() {
        String[][] cases = {
            {"10.0.0.1/8 dev 1", "routes.txt:2: 10.0.0.1/8 has host bits set (the network is 10.0.0.0/8)"},
            {"10.0.0.0/33 dev 1", "prefix length 33 is not in 0..32"},
            {"10.0.0/8 dev 1", "not an IPv4 address (a.b.c.d): 10.0.0"},
            {"10.0.0.0/8 via 192.0.2.1", "a unicast route needs 'dev PORT'"},
            {"10.0.0.0/8 dev eth9", "unknown port 'eth9'"},
            {"10.0.0.0/8 dev", "'dev' needs a port"},
            {"10.0.0.0/8 via", "'via' needs a gateway address"},
            {"10.0.0.0/8 dev 1 metric 5", "unexpected 'metric' (expected via or dev)"},
            {"blackhole 10.0.0.0/8 dev 1", "a blackhole route takes no via and no dev"},
            {"local 10.0.0.1 via 192.0.2.1", "a local route takes no via"},
            {"blackhole", "no destination after the route type"},
        };
        for (String[] c : cases) {
            RouteTable t = table();
            RouteFileException e = assertThrows(RouteFileException.class,
                () -> load("192.0.2.0/24 dev 0\n" + c[0] + "\n10.9.0.0/16 dev 0\n", t, new NextHopTable(16), RouteLoader.NUMBERED_PORTS),
                c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.getMessage().startsWith("routes.txt:2: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("'" + c[0] + "'"), e.getMessage());
            assertEquals(1, t.size(), "the line before the bad one is loaded, the one after is not");
        }
    }

    @Test
    void runningOutOfGroupsOrNextHopsStopsTheLoad() {
        RouteTable t = table();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            text.append("10.0.").append(i).append(".128/25 dev 0\n");
        }
        RouteFileException e = assertThrows(RouteFileException.class,
            () -> load(text.toString(), t, new NextHopTable(16), RouteLoader.NUMBERED_PORTS));
        assertTrue(e.getMessage().startsWith("routes.txt:5: no tbl8 group left for 10.0.4.128/25 (4 in use, 0 retired); raise "
            + RouteTableConfig.TBL8_GROUPS_PROP), e.getMessage());

        RouteTable t2 = table();
        e = assertThrows(RouteFileException.class,
            () -> load("10.0.0.0/8 dev 0\n10.1.0.0/16 dev 1\n10.2.0.0/16 dev 2\n", t2, new NextHopTable(2), RouteLoader.NUMBERED_PORTS));
        assertTrue(e.getMessage().startsWith("routes.txt:3: the next-hop table is full (2 next hops)"), e.getMessage());
    }

    @Test
    void nextHopsChangeInPlaceAndInternFindsEqualOnes() {
        NextHopTable hops = new NextHopTable(3);
        assertEquals(0L, hops.get(2), "never added");
        assertFalse(NextHopTable.isValid(hops.get(2)));
        int a = hops.intern(1, ip("192.0.2.1"), 0);
        assertEquals(a, hops.intern(1, ip("192.0.2.1"), 0));
        int b = hops.add(65535, ip("255.255.255.254"), NextHopTable.FLAG_LOCAL | NextHopTable.FLAG_BLACKHOLE);
        assertEquals(65535, hops.port(b));
        assertEquals(ip("255.255.255.254"), hops.gateway(b));
        assertEquals(3, hops.flags(b));
        hops.set(a, 2, ip("192.0.2.2"), 0);
        assertEquals(2, hops.port(a));
        assertEquals(a, hops.intern(2, ip("192.0.2.2"), 0));
        assertNotEquals(a, hops.intern(1, ip("192.0.2.1"), 0), "the old value is no longer interned as a");
        assertEquals(NextHopTable.FULL, hops.add(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> hops.set(5, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> NextHopTable.pack(65536, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> NextHopTable.pack(0, 0, 256));
    }

    @Test
    void generatedRoutesAreDistinctAndShapedLikeAFullTable() {
        int total = 0;
        for (int w : RouteGenerator.LENGTH_WEIGHTS) {
            total += w;
        }
        assertEquals(100_000, total);
        RouteGenerator.Routes routes = RouteGenerator.generate(3, 100_000, 10);
        RouteTable t = new RouteTable(new RouteTableConfig().tbl8Groups(2048).nextHops(10));
        assertEquals(0, routes.addTo(t));
        assertEquals(100_000, t.size(), "distinct prefixes");
        assertEquals(59_375, t.size(24), 1_000);
        assertEquals(12_000, t.size(22), 500);
        int longer = 0;
        for (int len = 25; len <= 32; len++) {
            longer += t.size(len);
        }
        assertEquals(1_000, longer, 150);
        for (int i = 0; i < routes.size(); i++) {
            assertEquals(routes.prefix(i), Ipv4Address.network(routes.prefix(i), routes.length(i)));
            int first = routes.prefix(i) >>> 24;
            assertTrue(first >= 1 && first <= 223, "unicast: " + Ipv4Address.toString(routes.prefix(i)));
        }
        for (int a : RouteGenerator.addressesIn(routes, 4, 10_000)) {
            assertNotEquals(RouteTable.NO_ROUTE, t.lookup(a));
        }
        assertArrayEquals(RouteGenerator.addresses(5, 100), RouteGenerator.addresses(5, 100), "reproducible");
    }
}
