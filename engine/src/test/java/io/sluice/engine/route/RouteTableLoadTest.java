package io.sluice.engine.route;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A million routes shaped like a real table ({@link RouteGenerator}): how long they take to add, to write to
 * a route file and load back from it, and to remove, and how much memory the table takes. Times and sizes
 * are printed, not asserted (the machine is shared); lookups are checked against {@link ReferenceLpm} on a
 * sample of addresses.
 */
class RouteTableLoadTest {
    private static final int ROUTES = 1_000_000;
    private static final int NEXT_HOPS = 256;
    private static final int SAMPLE = 200_000;

    @TempDir
    Path dir;

    @Test
    void aMillionRoutesLoadInSecondsAndMatchTheReference() throws Exception {
        long t0 = System.nanoTime();
        RouteGenerator.Routes routes = RouteGenerator.generate(42, ROUTES, NEXT_HOPS);
        long generated = System.nanoTime() - t0;

        long heapBefore = usedHeap();
        RouteTable table = new RouteTable(new RouteTableConfig().name("million"));
        t0 = System.nanoTime();
        assertEquals(0, routes.addTo(table), "no add may run out of tbl8 groups");
        long loaded = System.nanoTime() - t0;
        long heapAfter = usedHeap();
        assertEquals(ROUTES, table.size());

        int longer = 0;
        for (int len = 25; len <= 32; len++) {
            longer += table.size(len);
        }
        System.out.printf("1M routes: generated in %d ms; added in %d ms (%.0f k routes/s); %d of /24, %d longer than"
                + " /24, %d tbl8 groups in use of %d%n",
            generated / 1_000_000, loaded / 1_000_000, ROUTES / (loaded / 1e6), table.size(24), longer,
            table.tbl8GroupsInUse(), table.tbl8GroupsMax());
        System.out.printf("1M routes: memory: lookup tables %d MiB (tbl24 64 MiB + tbl8 %d MiB), rule table %.1f MiB"
                + " (%.1f B/route), heap used grew by %d MiB%n",
            table.lookupTableBytes() >> 20, (table.lookupTableBytes() >> 20) - 64, table.ruleTableBytes() / 1048576.0,
            (double) table.ruleTableBytes() / ROUTES, (heapAfter - heapBefore) >> 20);

        ReferenceLpm ref = new ReferenceLpm();
        for (int i = 0; i < routes.size(); i++) {
            ref.add(routes.prefix(i), routes.length(i), routes.nextHop(i));
        }
        int[] inside = RouteGenerator.addressesIn(routes, 1, SAMPLE / 2);
        int[] anywhere = RouteGenerator.addresses(2, SAMPLE / 2);
        int hits = 0;
        for (int[] sample : new int[][] {inside, anywhere}) {
            for (int a : sample) {
                int expected = ref.lookup(a);
                assertEquals(expected, table.lookup(a), Ipv4Address.toString(a));
                if (expected != RouteTable.NO_ROUTE) {
                    hits++;
                }
            }
        }
        System.out.printf("1M routes: %d sampled lookups match the reference (%d have a route)%n", SAMPLE, hits);

        // The same routes through a route file.
        NextHopTable hops = new NextHopTable(NEXT_HOPS);
        for (int h = 0; h < NEXT_HOPS; h++) {
            assertEquals(h, hops.add(h % 4, Ipv4Address.parse("192.0.2.0") + h, 0));
        }
        Path file = dir.resolve("routes.txt");
        t0 = System.nanoTime();
        assertEquals(ROUTES, RouteLoader.write(file, table, hops));
        long written = System.nanoTime() - t0;
        RouteTable fromFile = new RouteTable(new RouteTableConfig().name("from-file"));
        NextHopTable fileHops = new NextHopTable(NEXT_HOPS);
        t0 = System.nanoTime();
        assertEquals(ROUTES, RouteLoader.load(file, fromFile, fileHops));
        long read = System.nanoTime() - t0;
        System.out.printf("1M routes: route file of %d MiB written in %d ms, loaded in %d ms%n",
            Files.size(file) >> 20, written / 1_000_000, read / 1_000_000);
        for (int a : inside) {
            int h = table.lookup(a);
            int f = fromFile.lookup(a);
            assertEquals(h == RouteTable.NO_ROUTE ? -1L : hops.get(h), f == RouteTable.NO_ROUTE ? -1L : fileHops.get(f),
                Ipv4Address.toString(a));
        }

        // And out again, in random order: every group must be folded back.
        t0 = System.nanoTime();
        for (int i = routes.size() - 1; i >= 0; i--) {
            assertTrue(table.remove(routes.prefix(i), routes.length(i)));
        }
        long removed = System.nanoTime() - t0;
        System.out.printf("1M routes: removed in %d ms%n", removed / 1_000_000);
        assertEquals(0, table.size());
        assertEquals(0, table.tbl8GroupsInUse());
        for (int a : inside) {
            assertEquals(RouteTable.NO_ROUTE, table.lookup(a));
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
