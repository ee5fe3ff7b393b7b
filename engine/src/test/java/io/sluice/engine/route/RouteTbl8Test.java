package io.sluice.engine.route;

import static io.sluice.engine.route.RouteTable.NO_ROUTE;
import static io.sluice.engine.route.RouteTable.OK;
import static io.sluice.engine.route.RouteTable.TBL8_EXHAUSTED;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * tbl8 groups: running out is a return code that leaves the table as it was, and a group given back by a
 * remove is reused only after every online reader has passed a quiescent state.
 */
class RouteTbl8Test {
    private static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    private static RouteTable table(int groups) {
        return new RouteTable(new RouteTableConfig().tbl8Groups(groups).nextHops(100).readers(4).name("tbl8"));
    }

    /** Lookups of every address in the /24s the test touches, to compare before and after. */
    private static int[] snapshot(RouteTable t) {
        int[] s = new int[4 * 256];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.lookup(ip("10.1.0.0") + (i >> 8 << 8) + (i & 0xFF));
        }
        return s;
    }

    @Test
    void exhaustionIsAReturnCodeAndLeavesTheTableUnchanged() {
        RouteTable t = table(2);
        t.add(ip("10.0.0.0"), 8, 1);
        assertEquals(OK, t.add(ip("10.1.0.128"), 25, 2));
        assertEquals(OK, t.add(ip("10.1.1.128"), 25, 3));
        int[] before = snapshot(t);

        assertEquals(TBL8_EXHAUSTED, t.add(ip("10.1.2.128"), 25, 4), "a third /24 with a long route needs a third group");
        assertEquals(TBL8_EXHAUSTED, t.add(ip("10.1.3.7"), 32, 4));
        assertArrayEquals(before, snapshot(t), "no lookup result changed");
        assertEquals(3, t.size());
        assertEquals(NO_ROUTE, t.get(ip("10.1.2.128"), 25), "the refused route is not in the rule table");
        assertEquals(2, t.tbl8GroupsInUse());
        assertEquals(0, t.tbl8GroupsFree());
        assertEquals(2, t.tbl8Exhausted());
        assertFalse(t.remove(ip("10.1.2.128"), 25), "nothing to remove");

        assertEquals(OK, t.add(ip("10.1.1.192"), 26, 5), "a long route in a /24 that has a group needs no new one");
        assertEquals(OK, t.add(ip("10.1.2.0"), 24, 6), "routes of /24 or less need no group");
        assertEquals(5, t.lookup(ip("10.1.1.200")));
        assertEquals(6, t.lookup(ip("10.1.2.200")));

        assertTrue(t.remove(ip("10.1.0.128"), 25));
        assertEquals(OK, t.add(ip("10.1.2.128"), 25, 4), "the freed group is reused (no reader registered)");
        assertEquals(4, t.lookup(ip("10.1.2.128")));
        assertEquals(6, t.lookup(ip("10.1.2.127")));
        assertEquals(1, t.lookup(ip("10.1.0.200")), "the folded /24 is back to the /8");
    }

    @Test
    void aRetiredGroupWaitsForEveryOnlineReader() {
        RouteTable t = table(1);
        RouteReader a = t.registerReader("a");
        RouteReader b = t.registerReader("b");
        assertEquals(2, t.readersRegistered());
        assertEquals(OK, t.add(ip("10.1.0.128"), 25, 2));
        assertTrue(t.remove(ip("10.1.0.128"), 25));
        assertEquals(1, t.tbl8GroupsRetired());

        assertEquals(TBL8_EXHAUSTED, t.add(ip("10.1.1.128"), 25, 3), "a and b may still read the group");
        a.quiescent();
        assertEquals(TBL8_EXHAUSTED, t.add(ip("10.1.1.128"), 25, 3), "b may still read the group");
        b.quiescent();
        assertEquals(OK, t.add(ip("10.1.1.128"), 25, 3), "both passed a quiescent state since the retirement");
        assertEquals(0, t.tbl8GroupsRetired());
        assertEquals(3, t.lookup(ip("10.1.1.129")));
        assertEquals(NO_ROUTE, t.lookup(ip("10.1.0.129")));
        a.close();
        b.close();
        assertEquals(0, t.readersRegistered());
    }

    @Test
    void offlineAndClosedReadersDoNotHoldTheWriterBack() {
        RouteTable t = table(1);
        RouteReader idle = t.registerReader("idle");
        RouteReader gone = t.registerReader("gone");
        t.add(ip("10.1.0.128"), 25, 2);
        t.remove(ip("10.1.0.128"), 25);
        idle.offline();
        assertFalse(idle.isOnline());
        assertEquals(TBL8_EXHAUSTED, t.add(ip("10.1.1.128"), 25, 3), "gone is still online at the old epoch");
        gone.close();
        assertEquals(OK, t.add(ip("10.1.1.128"), 25, 3), "idle is offline, gone is closed");
        idle.close();
    }

    @Test
    void aReaderThatComesOnlineAfterTheRetirementDoesNotHoldItBack() {
        RouteTable t = table(1);
        RouteReader r = t.registerReader("r");
        r.offline();
        t.add(ip("10.1.0.128"), 25, 2);
        t.remove(ip("10.1.0.128"), 25);
        r.online();
        assertEquals(OK, t.add(ip("10.1.1.128"), 25, 3),
            "r came online after the group was unlinked, so it cannot have seen the pointer");
        r.close();
    }

    @Test
    void readerMisuseIsCaught() {
        RouteTable t = table(1);
        RouteReader r = t.registerReader("r");
        r.offline();
        t.add(ip("10.1.0.128"), 25, 2);
        t.remove(ip("10.1.0.128"), 25);
        IllegalStateException e = assertThrows(IllegalStateException.class, r::quiescent);
        assertTrue(e.getMessage().contains("offline"), e.getMessage());
        r.close();
        assertThrows(IllegalStateException.class, r::online);
        r.close();
    }

    @Test
    void readerSlotsRunOutWithAClearError() {
        RouteTable t = table(1);
        RouteReader[] readers = new RouteReader[4];
        for (int i = 0; i < 4; i++) {
            readers[i] = t.registerReader("r" + i);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.registerReader("r4"));
        assertTrue(e.getMessage().contains("all 4 reader slots are taken"), e.getMessage());
        readers[2].close();
        t.registerReader("r4").close();
        for (RouteReader r : readers) {
            r.close();
        }
    }

    @Test
    void awaitReclaimWaitsForAReaderOnAnotherThread() throws Exception {
        RouteTable t = table(1);
        RouteReader r = t.registerReader("r");
        t.add(ip("10.1.0.128"), 25, 2);
        t.remove(ip("10.1.0.128"), 25);
        assertFalse(t.awaitReclaim(Duration.ofMillis(20)), "r has not passed a quiescent state");
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.quiescent();
        });
        assertTrue(t.awaitReclaim(Duration.ofSeconds(10)));
        later.get(10, TimeUnit.SECONDS);
        assertEquals(1, t.tbl8GroupsFree());
        r.close();
    }
}
