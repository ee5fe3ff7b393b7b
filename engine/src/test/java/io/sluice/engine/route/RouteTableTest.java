package io.sluice.engine.route;

import static io.sluice.engine.route.RouteTable.NO_ROUTE;
import static io.sluice.engine.route.RouteTable.OK;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ConfigException;
import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The semantics of {@link RouteTable} route by route: longest match, overlaps, removes, edges and bad input. */
class RouteTableTest {
    private static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    private static RouteTable table() {
        return new RouteTable(new RouteTableConfig().tbl8Groups(16).nextHops(1000).name("test"));
    }

    @Test
    void anEmptyTableHasNoRoute() {
        RouteTable t = table();
        assertEquals(NO_ROUTE, t.lookup(ip("0.0.0.0")));
        assertEquals(NO_ROUTE, t.lookup(ip("10.1.2.3")));
        assertEquals(NO_ROUTE, t.lookup(ip("255.255.255.255")));
        assertEquals(0, t.size());
    }

    @Test
    void theLongestPrefixWins() {
        RouteTable t = table();
        assertEquals(OK, t.add(ip("10.0.0.0"), 8, 1));
        assertEquals(OK, t.add(ip("10.1.0.0"), 16, 2));
        assertEquals(OK, t.add(ip("10.1.2.0"), 24, 3));
        assertEquals(OK, t.add(ip("10.1.2.128"), 25, 4));
        assertEquals(OK, t.add(ip("10.1.2.200"), 32, 5));
        assertEquals(1, t.lookup(ip("10.200.0.1")));
        assertEquals(2, t.lookup(ip("10.1.3.1")));
        assertEquals(3, t.lookup(ip("10.1.2.0")));
        assertEquals(3, t.lookup(ip("10.1.2.127")));
        assertEquals(4, t.lookup(ip("10.1.2.128")));
        assertEquals(4, t.lookup(ip("10.1.2.199")));
        assertEquals(5, t.lookup(ip("10.1.2.200")));
        assertEquals(4, t.lookup(ip("10.1.2.201")));
        assertEquals(4, t.lookup(ip("10.1.2.255")));
        assertEquals(NO_ROUTE, t.lookup(ip("11.0.0.0")));
        assertEquals(NO_ROUTE, t.lookup(ip("9.255.255.255")));
        assertEquals(5, t.size());
        assertEquals(1, t.tbl8GroupsInUse());
    }

    @Test
    void theOrderOfAddsDoesNotMatter() {
        RouteTable t = table();
        // Most specific first: the shorter routes must not overwrite the longer ones' entries.
        t.add(ip("10.1.2.200"), 32, 5);
        t.add(ip("10.1.2.128"), 25, 4);
        t.add(ip("10.1.2.0"), 24, 3);
        t.add(ip("10.1.0.0"), 16, 2);
        t.add(ip("10.0.0.0"), 8, 1);
        t.add(ip("0.0.0.0"), 0, 9);
        assertEquals(5, t.lookup(ip("10.1.2.200")));
        assertEquals(4, t.lookup(ip("10.1.2.201")));
        assertEquals(3, t.lookup(ip("10.1.2.1")));
        assertEquals(2, t.lookup(ip("10.1.255.1")));
        assertEquals(1, t.lookup(ip("10.2.0.0")));
        assertEquals(9, t.lookup(ip("11.0.0.0")));
    }

    @Test
    void theDefaultRouteCoversEverythingElse() {
        RouteTable t = table();
        t.add(0, 0, 7);
        t.add(ip("192.0.2.1"), 32, 8);
        assertEquals(7, t.lookup(0));
        assertEquals(7, t.lookup(-1));
        assertEquals(7, t.lookup(ip("192.0.2.0")));
        assertEquals(8, t.lookup(ip("192.0.2.1")));
        assertEquals(7, t.lookup(ip("192.0.2.2")));
        assertTrue(t.remove(0, 0));
        assertEquals(NO_ROUTE, t.lookup(0));
        assertEquals(NO_ROUTE, t.lookup(ip("192.0.2.2")));
        assertEquals(8, t.lookup(ip("192.0.2.1")));
    }

    @Test
    void hostRoutesAtBothEndsOfTheSpace() {
        RouteTable t = table();
        t.add(0, 32, 1);
        t.add(-1, 32, 2);
        assertEquals(1, t.lookup(0));
        assertEquals(NO_ROUTE, t.lookup(1));
        assertEquals(2, t.lookup(-1));
        assertEquals(NO_ROUTE, t.lookup(-2));
        assertEquals(2, t.tbl8GroupsInUse());
    }

    @Test
    void aRemoveRestoresTheNextLessSpecificRoute() {
        RouteTable t = table();
        t.add(ip("10.0.0.0"), 8, 1);
        t.add(ip("10.1.0.0"), 16, 2);
        t.add(ip("10.1.2.0"), 24, 3);
        t.add(ip("10.1.2.128"), 25, 4);
        t.add(ip("10.1.2.128"), 26, 6);

        assertTrue(t.remove(ip("10.1.2.128"), 26));
        assertEquals(4, t.lookup(ip("10.1.2.130")), "the /25 again");
        assertTrue(t.remove(ip("10.1.2.0"), 24));
        assertEquals(2, t.lookup(ip("10.1.2.1")), "the /16 under the removed /24");
        assertEquals(4, t.lookup(ip("10.1.2.130")), "the /25 is untouched by the /24's removal");
        assertTrue(t.remove(ip("10.1.2.128"), 25));
        assertEquals(2, t.lookup(ip("10.1.2.130")));
        assertEquals(0, t.tbl8GroupsInUse(), "no route longer than /24 left: the group is folded back");
        assertTrue(t.remove(ip("10.1.0.0"), 16));
        assertEquals(1, t.lookup(ip("10.1.2.1")));
        assertTrue(t.remove(ip("10.0.0.0"), 8));
        assertEquals(NO_ROUTE, t.lookup(ip("10.1.2.1")));
        assertEquals(0, t.size());
    }

    @Test
    void removingAnAbsentRouteChangesNothing() {
        RouteTable t = table();
        t.add(ip("10.0.0.0"), 8, 1);
        assertFalse(t.remove(ip("10.0.0.0"), 9));
        assertFalse(t.remove(ip("11.0.0.0"), 8));
        assertEquals(1, t.size());
        assertEquals(1, t.lookup(ip("10.0.0.1")));
    }

    @Test
    void addingAnExistingRouteChangesItsNextHop() {
        RouteTable t = table();
        t.add(ip("10.0.0.0"), 8, 1);
        t.add(ip("10.1.1.0"), 30, 2);
        assertEquals(OK, t.add(ip("10.0.0.0"), 8, 3));
        assertEquals(OK, t.add(ip("10.1.1.0"), 30, 4));
        assertEquals(OK, t.add(ip("10.1.1.0"), 30, 4), "the same route again is a no-op");
        assertEquals(2, t.size());
        assertEquals(3, t.lookup(ip("10.9.9.9")));
        assertEquals(3, t.lookup(ip("10.1.1.4")), "the rest of the /24 follows the /8 inside the group");
        assertEquals(4, t.lookup(ip("10.1.1.3")));
        assertEquals(3, t.get(ip("10.0.0.0"), 8));
        assertEquals(NO_ROUTE, t.get(ip("10.0.0.0"), 9));
    }

    @Test
    void aGroupStartsAsACopyOfTheCoveringRoute() {
        RouteTable t = table();
        t.add(ip("10.1.0.0"), 16, 2);
        t.add(ip("10.1.2.64"), 26, 3);
        for (int last = 0; last < 256; last++) {
            int expected = last >= 64 && last < 128 ? 3 : 2;
            assertEquals(expected, t.lookup(ip("10.1.2.0") + last), "10.1.2." + last);
        }
    }

    @Test
    void aShortRouteAddedOverAGroupFillsOnlyTheLessSpecificEntries() {
        RouteTable t = table();
        t.add(ip("10.1.2.64"), 26, 3);
        t.add(ip("10.1.2.0"), 27, 4);
        t.add(ip("10.0.0.0"), 8, 1);
        for (int last = 0; last < 256; last++) {
            int expected = last < 32 ? 4 : last >= 64 && last < 128 ? 3 : 1;
            assertEquals(expected, t.lookup(ip("10.1.2.0") + last), "10.1.2." + last);
        }
        assertTrue(t.remove(ip("10.0.0.0"), 8));
        for (int last = 0; last < 256; last++) {
            int expected = last < 32 ? 4 : last >= 64 && last < 128 ? 3 : NO_ROUTE;
            assertEquals(expected, t.lookup(ip("10.1.2.0") + last), "10.1.2." + last);
        }
    }

    @Test
    void clearEmptiesTheTableAndRetiresItsGroups() {
        RouteTable t = table();
        t.add(0, 0, 1);
        t.add(ip("10.1.2.64"), 26, 3);
        t.add(ip("10.1.3.64"), 26, 3);
        t.clear();
        assertEquals(0, t.size());
        assertEquals(NO_ROUTE, t.lookup(ip("10.1.2.65")));
        assertEquals(NO_ROUTE, t.lookup(ip("1.1.1.1")));
        assertEquals(0, t.tbl8GroupsInUse());
        assertEquals(2, t.tbl8GroupsRetired());
        assertEquals(2, t.reclaim(), "no reader is registered: retired groups are free at once");
        assertEquals(16, t.tbl8GroupsFree());
        t.add(ip("10.1.2.64"), 26, 5);
        assertEquals(5, t.lookup(ip("10.1.2.65")));
        assertEquals(NO_ROUTE, t.lookup(ip("10.1.2.1")), "a reused group holds nothing from before the clear");
    }

    @Test
    void forEachVisitsEveryRouteOnce() {
        RouteTable t = table();
        t.add(0, 0, 1);
        t.add(ip("10.0.0.0"), 8, 2);
        t.add(ip("10.1.2.3"), 32, 3);
        List<String> seen = new ArrayList<>();
        t.forEach((p, l, h) -> seen.add(Ipv4Address.toString(p, l) + "=" + h));
        assertEquals(List.of("0.0.0.0/0=1", "10.0.0.0/8=2", "10.1.2.3/32=3"), seen);
        assertEquals(1, t.size(8));
        assertEquals(0, t.size(24));
    }

    @Test
    void badRoutesAreRejectedWithTheReason() {
        RouteTable t = table();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.add(ip("10.0.0.1"), 8, 1));
        assertTrue(e.getMessage().contains("10.0.0.1/8 has host bits set; the network is 10.0.0.0/8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.add(0, 33, 1));
        assertTrue(e.getMessage().contains("length=33 must be in 0..32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.add(0, -1, 1));
        assertTrue(e.getMessage().contains("length=-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.add(ip("10.0.0.0"), 8, 1000));
        assertTrue(e.getMessage().contains("nextHop=1000 for 10.0.0.0/8 must be in 0..999"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.add(ip("10.0.0.0"), 8, -1));
        assertThrows(IllegalArgumentException.class, () -> t.remove(ip("10.0.0.1"), 24));
        assertThrows(IllegalArgumentException.class, () -> t.get(0, 40));
        assertEquals(0, t.size(), "nothing was added by the rejected calls");
        assertEquals(NO_ROUTE, t.lookup(ip("10.0.0.1")));
    }

    @Test
    void badSettingsAreRejectedByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> new RouteTable(new RouteTableConfig().tbl8Groups(0)));
        assertTrue(e.getMessage().startsWith(RouteTableConfig.TBL8_GROUPS_PROP + "=0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new RouteTable(new RouteTableConfig().nextHops(1 << 25)));
        assertTrue(e.getMessage().startsWith(RouteTableConfig.NEXT_HOPS_PROP), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new RouteTable(new RouteTableConfig().readers(0)));
        assertTrue(e.getMessage().startsWith(RouteTableConfig.READERS_PROP), e.getMessage());
    }

    @Test
    void theBurstLookupAgreesWithTheSingleOne() {
        RouteTable t = table();
        t.add(ip("10.0.0.0"), 8, 1);
        t.add(ip("10.1.2.128"), 25, 4);
        int[] dst = {ip("10.1.2.1"), ip("10.1.2.129"), ip("11.0.0.0"), 0};
        int[] hops = new int[dst.length];
        t.lookup(dst, hops, 3);
        assertArrayEquals(new int[] {1, 4, NO_ROUTE, 0}, hops);
    }

    @Test
    void addressesParseAndPrint() {
        assertEquals(0x0A010203, ip("10.1.2.3"));
        assertEquals(-1, ip("255.255.255.255"));
        assertEquals("192.0.2.255", Ipv4Address.toString(ip("192.0.2.255")));
        assertEquals("10.0.0.0/8", Ipv4Address.toString(0x0A000000, 8));
        assertEquals(0xFFFFFF00, Ipv4Address.mask(24));
        assertEquals(0, Ipv4Address.mask(0));
        assertEquals(-1, Ipv4Address.mask(32));
        assertEquals(ip("10.255.255.255"), Ipv4Address.last(ip("10.0.0.0"), 8));
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.4 ", "1234.1.1.1"}) {
            assertThrows(IllegalArgumentException.class, () -> ip(bad), bad);
        }
    }
}
