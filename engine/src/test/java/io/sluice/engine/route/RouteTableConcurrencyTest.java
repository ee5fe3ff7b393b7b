package io.sluice.engine.route;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * One writer toggles routes while reader threads look up and check that every result is one the address
 * may have at some moment: the result of one of the routes that cover it, never {@link RouteTable#NO_ROUTE}
 * (a /8 under everything is never removed), never a next hop of another address.
 *
 * <p>The table has only 4 tbl8 groups for 6 cells that each toggle two routes longer than /24, so groups
 * are folded, retired and reused in other cells all the time, and adds often find none free. A reader that
 * read a group after it was reused would see a next hop of another cell; one that saw a group before it was
 * filled would see no route, or the previous cell's. Readers report quiescent states every burst of 64
 * lookups and now and then go offline for a moment. One burst in eight is made of "slow" lookups that wait up
 * to 3 microseconds between their two loads, as a descheduled reader would: without that, the window a
 * premature reuse needs (a few nanoseconds) is too narrow to be hit in 2 seconds.
 *
 * <p>Bounded by time (2 s of writes) and by a count of writer operations.
 */
class RouteTableConcurrencyTest {
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(2_000);
    private static final int MAX_WRITER_OPS = 5_000_000;
    private static final int READERS = 2;
    private static final int BURST = 64;
    private static final int CELLS = 6;
    private static final int GROUPS = 4;
    private static final int BASE_HOP = 1;

    private static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    /** Routes a cell toggles: {prefix, length, next hop}. Cell c lives in 10.c.0.0/16. */
    private static int[][] cellRoutes(int c) {
        int net = ip("10.0.0.0") | c << 16;
        return new int[][] {
            {net, 16, 10 + c},
            {net | 1 << 8, 24, 20 + c},
            {net | 1 << 8 | 128, 25, 30 + c},
            {net | 1 << 8 | 200, 32, 40 + c},
            {net | 1 << 8 | 16, 28, 50 + c},
        };
    }

    @Test
    void readersSeeOnlyPermittedNextHopsWhileTheWriterTogglesRoutes() throws Exception {
        RouteTable table = new RouteTable(new RouteTableConfig().tbl8Groups(GROUPS).nextHops(64).readers(READERS + 1).name("stress"));
        table.add(ip("10.0.0.0"), 8, BASE_HOP);

        // Probe addresses and, for each, the mask of next hops it may show: the /8's and every toggled route's
        // that covers it.
        List<Integer> probeList = new ArrayList<>();
        List<Long> permittedList = new ArrayList<>();
        for (int c = 0; c < CELLS; c++) {
            int net = ip("10.0.0.0") | c << 16;
            int[] lasts = {0, 5, 16, 17, 31, 32, 127, 128, 129, 199, 200, 201, 255};
            for (int last : lasts) {
                probeList.add(net | 1 << 8 | last);
            }
            probeList.add(net | 2 << 8 | 200);
            probeList.add(net | 0xFFFF);
        }
        for (int a : probeList) {
            long mask = 1L << BASE_HOP;
            for (int c = 0; c < CELLS; c++) {
                for (int[] r : cellRoutes(c)) {
                    if (Ipv4Address.network(a, r[1]) == r[0]) {
                        mask |= 1L << r[2];
                    }
                }
            }
            permittedList.add(mask);
        }
        int[] probes = probeList.stream().mapToInt(Integer::intValue).toArray();
        long[] permitted = permittedList.stream().mapToLong(Long::longValue).toArray();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong lookups = new AtomicLong();
        AtomicLong offlines = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int k = 0; k < READERS; k++) {
            long seed = 100 + k;
            Thread t = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                long done = 0;
                try (RouteReader reader = table.registerReader(Thread.currentThread().getName())) {
                    while (!stop.get() && violation.get() == null) {
                        boolean slow = random.nextInt(8) == 0;
                        for (int i = 0; i < BURST; i++) {
                            int p = random.nextInt(probes.length);
                            int hop;
                            if (slow) {
                                // The two loads of a lookup, a few microseconds apart: as if the reader were
                                // descheduled between them, which widens the window a premature reuse needs.
                                int e = table.entry24(probes[p]);
                                if (RouteEntry.isExtended(e)) {
                                    long until = System.nanoTime() + random.nextInt(3_000);
                                    while (System.nanoTime() - until < 0) {
                                        Thread.onSpinWait();
                                    }
                                    e = table.entry8(e, probes[p]);
                                }
                                hop = RouteEntry.nextHop(e);
                            } else {
                                hop = table.lookup(probes[p]);
                            }
                            if (hop < 0 || hop >= 64 || (permitted[p] & 1L << hop) == 0) {
                                violation.compareAndSet(null, Ipv4Address.toString(probes[p]) + " -> " + hop
                                    + ", permitted mask 0x" + Long.toHexString(permitted[p]));
                            }
                        }
                        done += BURST;
                        reader.quiescent();
                        if (random.nextInt(4096) == 0) {
                            reader.offline();
                            offlines.incrementAndGet();
                            LockSupport.parkNanos(50_000);
                            reader.online();
                        }
                    }
                } finally {
                    lookups.addAndGet(done);
                }
            }, "route-reader-" + k);
            t.setDaemon(true);
            readers.add(t);
        }
        readers.forEach(Thread::start);

        ReferenceLpm ref = new ReferenceLpm();
        ref.add(ip("10.0.0.0"), 8, BASE_HOP);
        SplittableRandom random = new SplittableRandom(7);
        long deadline = System.nanoTime() + RUN_NANOS;
        int ops = 0;
        int exhausted = 0;
        int allocations = 0;
        while (ops < MAX_WRITER_OPS && System.nanoTime() - deadline < 0 && violation.get() == null) {
            int[] r = cellRoutes(random.nextInt(CELLS))[random.nextInt(5)];
            if (ref.contains(r[0], r[1])) {
                assertTrue(table.remove(r[0], r[1]));
                ref.remove(r[0], r[1]);
            } else {
                int inUse = table.tbl8GroupsInUse();
                if (table.add(r[0], r[1], r[2]) == RouteTable.OK) {
                    ref.add(r[0], r[1], r[2]);
                    allocations += table.tbl8GroupsInUse() - inUse;
                } else {
                    exhausted++;
                }
            }
            ops++;
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), t.getName() + " did not stop");
        }
        System.out.printf("route stress: %d writer ops, %d group allocations on %d groups, %d adds refused (no free"
                + " group), %d lookups by %d readers, %d offline periods%n",
            ops, allocations, GROUPS, exhausted, lookups.get(), READERS, offlines.get());

        assertNull(violation.get(), "a reader saw a next hop the address never had");
        assertTrue(lookups.get() > 100_000, "the readers ran: " + lookups.get());
        assertTrue(allocations > 10 * GROUPS, "groups were reused: " + allocations + " allocations of " + GROUPS);
        assertEquals(0, table.readersRegistered());
        for (int a : probes) {
            assertEquals(ref.lookup(a), table.lookup(a), "after the run, " + Ipv4Address.toString(a));
        }
    }
}
