package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ConfigException;
import io.sluice.config.PoolConfig;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;

/**
 * The pool's reports: {@code netstat -m}, occupancy by owner, the leak report, the MXBean as jconsole reads
 * it, and the validation of {@link PoolConfig}.
 *
 * <p>Not under {@link PbufLeakExtension}: one test leaks on purpose to see the leak report taken at close.
 * Every other test checks its pool's leak report itself before closing it.
 */
class PoolStatsTest {

    private static PbufPool pool(String name, int slots) {
        return PbufPool.create(new PoolConfig().name(name).slots(slots).cacheSize(16).reserve(4).jmx(false));
    }

    private static void assertNoLeaks(PbufPool pool) {
        LeakReport leaks = pool.leakReport();
        assertTrue(leaks.isEmpty(), leaks::toString);
    }

    private static String line(String format, Object... args) {
        return String.format(format, args) + "\n";
    }

    @Test
    void netstatReportsTheFiguresOfTheStatistics() {
        try (PbufPool pool = pool("netstat", 256)) {
            Pbufs p = pool.local();
            int[] data = new int[3];
            assertTrue(p.get(PbufType.DATA, data, 3));
            int hdr1 = p.getHdr(PbufType.HEADER, Layer.IP);
            int hdr2 = p.getHdr(PbufType.HEADER, Layer.LINK);
            int chain = p.alloc(Layer.RAW, 2 * PHLEN + 1);
            int[] denied = new int[300];
            assertFalse(p.get(PbufType.CONTROL, denied, 300), "more than the pool");

            PbufStats s = pool.stats();
            assertEquals(8, s.inUse());
            assertEquals(6, s.inUse(PbufType.DATA));
            assertEquals(2, s.inUse(PbufType.HEADER));
            assertEquals(0, s.inUse(PbufType.CONTROL));
            assertEquals(8 + 300, s.requests());
            assertEquals(300, s.denied());
            assertEquals(256, s.total());
            assertEquals(256, s.inUse() + s.cached() + s.free());
            String report = pool.netstat();
            assertTrue(report.startsWith(line("%d/%d/%d/%d pbufs in use (current/cache/free/total) [pool netstat, "
                + "512-byte slots, PHLEN %d]", 8, s.cached(), s.free(), 256, PHLEN)), report);
            assertTrue(report.contains(line("    6 data, 2 header, 0 control")), report);
            assertTrue(report.contains(line("%d pbufs high-water mark", s.highWater())), report);
            assertTrue(s.highWater() >= 8, "high-water " + s.highWater());
            assertTrue(report.contains(line("4K/%dK/128K bytes allocated to pbufs (current/cache/total)",
                s.cached() * 512 / 1024)), report);
            assertTrue(report.contains(line("308 requests for pbufs")), report);
            assertTrue(report.contains(line("300 requests for pbufs denied")), report);
            assertTrue(report.contains(line("0 requests for pbufs delayed")), report);
            assertTrue(report.contains(line("4/4 pbufs in the receive reserve (free/size), 0 chunks taken from it")),
                report);
            assertTrue(report.contains(line("%d cache refills, %d cache flushes", s.refills(), s.flushes())), report);
            assertTrue(report.contains(line("    %6d cached by thread %s", s.cached(), Thread.currentThread().getName())),
                report);
            assertTrue(report.contains(line("    %6d in use by unowned", 8)), report);

            p.freem(data, 3);
            p.free(hdr1);
            p.free(hdr2);
            p.freem(chain);
            p.close();
            String after = pool.netstat();
            assertTrue(after.startsWith(line("0/0/256/256 pbufs in use (current/cache/free/total) [pool netstat, "
                + "512-byte slots, PHLEN %d]", PHLEN)), after);
            assertTrue(after.contains(line("    0 data, 0 header, 0 control")), after);
            assertFalse(after.contains("in use by"), after);
            assertNoLeaks(pool);
        }
    }

    @Test
    void occupancyByOwnerFollowsStampsAndClaims() {
        try (PbufPool pool = pool("owners", 128)) {
            int ip = pool.registerOwner("ip");
            int tcp = pool.registerOwner("tcp");
            assertEquals(ip, pool.registerOwner("ip"), "registering a name again gives its id");
            assertNotEquals(ip, tcp);
            Pbufs p = pool.local();
            p.owner(ip);
            int h1 = p.getHdr(PbufType.DATA, Layer.IP);
            int chain = p.alloc(Layer.IP, 2 * PHLEN);
            p.owner(tcp);
            int h2 = p.get(PbufType.CONTROL);

            assertEquals(Map.of("ip", 4L, "tcp", 1L), pool.stats(true).occupancyByOwner());
            String report = pool.netstat();
            assertTrue(report.contains(line("    %6d in use by ip", 4)), report);
            assertTrue(report.contains(line("    %6d in use by tcp", 1)), report);
            assertTrue(pool.stats().occupancyByOwner().isEmpty(), "occupancy only when asked for");

            // The chain changes hands: tcp claims it, every pbuf of it.
            p.claim(chain);
            assertEquals(Map.of("ip", 1L, "tcp", 4L), pool.stats(true).occupancyByOwner());
            report = pool.netstat();
            assertTrue(report.contains(line("    %6d in use by ip", 1)), report);
            assertTrue(report.contains(line("    %6d in use by tcp", 4)), report);

            p.free(h1);
            p.free(h2);
            p.freem(chain);
            assertEquals(Map.of(), pool.stats(true).occupancyByOwner());
            p.close();
            assertNoLeaks(pool);
        }
    }

    @Test
    void theLeakReportNamesTheHoldersAndIsKeptAtClose() {
        PbufPool pool = pool("leaky", 64);
        try {
            int tcp = pool.registerOwner("tcp");
            Pbufs p = pool.local();
            assertTrue(pool.leakReport().isEmpty());
            assertEquals("pool leaky: no pbufs leaked", pool.leakReport().toString());
            p.owner(tcp);
            int kept = p.alloc(Layer.TRANSPORT, 100);
            int other = p.get(PbufType.CONTROL);
            int freed = p.get(PbufType.DATA);
            p.free(freed);

            LeakReport open = pool.leakReport();
            assertEquals(2, open.leaked());
            assertEquals(Map.of("tcp", 2L), open.byOwner());
            assertEquals(2, open.sample().size());
            String text = open.toString();
            assertTrue(text.startsWith("pool leaky: 2 pbuf(s) still allocated\n"), text);
            assertTrue(text.contains("  2 held by tcp\n"), text);
            assertTrue(text.contains(PbufHandle.toString(kept) + " data len=100 pkthdr len=100 held by tcp"), text);
            assertTrue(text.contains(PbufHandle.toString(other) + " control len=0 held by tcp"), text);

            p.free(other);
            p.close();
        } finally {
            pool.close();
        }
        assertFalse(pool.isOpen());
        LeakReport atClose = pool.leakReport();
        assertEquals(1, atClose.leaked(), "the report taken at close");
        assertEquals(Map.of("tcp", 1L), atClose.byOwner());
        assertTrue(atClose.toString().contains("held by tcp"), atClose::toString);
        assertSame(atClose, pool.leakReport(), "the same report every time after close");
        assertThrows(IllegalStateException.class, pool::stats, "a closed pool has no statistics");
    }

    @Test
    void aPoolWithoutLeaksReportsNoneAfterClose() {
        PbufPool pool = pool("clean", 32);
        Pbufs p = pool.local();
        p.free(p.get(PbufType.DATA));
        p.close();
        pool.close();
        assertTrue(pool.leakReport().isEmpty());
        assertEquals(0, pool.leakReport().leaked());
    }

    @Test
    void theMXBeanShowsThePoolToJconsoleUntilItCloses() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.sluice:type=PbufPool,name=\"x\"");
        assertFalse(server.isRegistered(name));
        PbufPool pool = PbufPool.create(new PoolConfig().name("x").slots(128).cacheSize(16).reserve(0).jmx(true));
        try {
            assertTrue(server.isRegistered(name), "registered as " + name);
            assertTrue(server.isInstanceOf(name, PbufPoolMXBean.class.getName()));
            Pbufs p = pool.local();
            int[] data = new int[5];
            assertTrue(p.get(PbufType.DATA, data, 5));
            int hdr = p.getHdr(PbufType.HEADER, Layer.TRANSPORT);

            assertEquals("x", server.getAttribute(name, "Name"));
            assertEquals(6L, server.getAttribute(name, "InUse"));
            assertEquals(128L, server.getAttribute(name, "Total"));
            long cached = (Long) server.getAttribute(name, "Cached");
            assertEquals(128L - 6 - cached, server.getAttribute(name, "Free"));
            long hw = (Long) server.getAttribute(name, "HighWater");
            assertTrue(hw >= 6 && hw <= 128, "HighWater " + hw);
            assertEquals(6L, server.getAttribute(name, "Requests"));
            assertEquals(0L, server.getAttribute(name, "Denied"));
            assertEquals(6L * 512, server.getAttribute(name, "BytesInUse"));

            // A Map<String, Long> attribute is open data: a table of (key, value) rows.
            Object byType = server.getAttribute(name, "InUseByType");
            TabularData table = assertInstanceOf(TabularData.class, byType);
            Map<String, Long> rows = new HashMap<>();
            for (Object row : table.values()) {
                CompositeData cd = (CompositeData) row;
                rows.put((String) cd.get("key"), (Long) cd.get("value"));
            }
            assertEquals(Map.of("data", 5L, "header", 1L, "control", 0L), rows);

            String netstat = (String) server.getAttribute(name, "NetstatReport");
            assertTrue(netstat.startsWith("6/"), netstat);
            assertTrue(netstat.contains("[pool x, 512-byte slots"), netstat);
            String leaks = (String) server.invoke(name, "leakReport", null, null);
            assertTrue(leaks.contains("6 pbuf(s) still allocated"), leaks);

            p.freem(data, 5);
            p.free(hdr);
            p.close();
            assertEquals(0L, server.getAttribute(name, "InUse"));
            assertEquals(128L, server.getAttribute(name, "Free"));
            assertNoLeaks(pool);
        } finally {
            pool.close();
        }
        assertFalse(server.isRegistered(name), "closing the pool unregisters its MXBean");
    }

    @Test
    void aSecondPoolOfTheSameNameIsRegisteredUnderAnotherName() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName firstName = new ObjectName("io.sluice:type=PbufPool,name=\"twin\"");
        ObjectName secondName = new ObjectName("io.sluice:type=PbufPool,name=\"twin-2\"");
        PoolConfig config = new PoolConfig().name("twin").slots(16).cacheSize(2).reserve(0).jmx(true);
        try (PbufPool first = PbufPool.create(config); PbufPool second = PbufPool.create(config)) {
            assertTrue(server.isRegistered(firstName));
            assertTrue(server.isRegistered(secondName));
            assertEquals("twin", first.name());
            second.close();
            assertFalse(server.isRegistered(secondName));
            assertTrue(server.isRegistered(firstName), "closing one leaves the other");
            assertEquals(16L, server.getAttribute(firstName, "Free"));
        }
        assertFalse(server.isRegistered(firstName));
    }

    @Test
    void badSettingsAreRejectedNamingThePropertyAndValue() {
        assertRejected(c -> c.slots(0), "sluice.pool.slots=0");
        assertRejected(c -> c.slots(-5), "sluice.pool.slots=-5");
        assertRejected(c -> c.slots(PoolConfig.SLOTS_MAX + 1), "sluice.pool.slots=" + (PoolConfig.SLOTS_MAX + 1));
        assertRejected(c -> c.cacheSize(3), "sluice.pool.cache=3");
        assertRejected(c -> c.cacheSize(0), "sluice.pool.cache=0");
        assertRejected(c -> c.slots(64).reserve(64), "sluice.pool.reserve=64");
        assertRejected(c -> c.slots(64).reserve(100), "sluice.pool.reserve=100");
        assertRejected(c -> c.reserve(-2), "sluice.pool.reserve=-2");
        assertRejected(c -> c.name("bad name"), "sluice.pool.name=bad name");
        assertRejected(c -> c.name(""), "sluice.pool.name=");
        assertRejected(c -> c.name("a,b=c"), "sluice.pool.name=a,b=c");
        assertRejected(c -> c.name(null), "sluice.pool.name=null");

        // Good settings pass, and a concluded configuration is frozen.
        PoolConfig ok = new PoolConfig().slots(64).cacheSize(2).reserve(63).name("fine-1.x_y").jmx(false).conclude();
        assertEquals(63, ok.reserve());
        assertThrows(IllegalStateException.class, () -> ok.slots(32));
        assertEquals(1, new PoolConfig().slots(64).reserve(-1).reserve(), "the default reserve is 1/64");
    }

    @Test
    void badSystemPropertiesAreRejectedNamingThePropertyAndValue() {
        String old = System.getProperty(PoolConfig.SLOTS_PROP);
        System.setProperty(PoolConfig.SLOTS_PROP, "lots");
        try {
            ConfigException e = assertThrows(ConfigException.class, PoolConfig::fromSystemProperties);
            assertTrue(e.getMessage().contains("sluice.pool.slots=lots"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(PoolConfig.SLOTS_PROP);
            } else {
                System.setProperty(PoolConfig.SLOTS_PROP, old);
            }
        }
    }

    private static void assertRejected(UnaryOperator<PoolConfig> setting, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> setting.apply(new PoolConfig()).conclude());
        assertTrue(e.getMessage().contains(expected), () -> "message \"" + e.getMessage() + "\" must name " + expected);
        ConfigException fromCreate = assertThrows(ConfigException.class,
            () -> PbufPool.create(setting.apply(new PoolConfig()).jmx(false)).close(), "a pool is never built");
        assertEquals(e.getMessage(), fromCreate.getMessage());
    }
}
