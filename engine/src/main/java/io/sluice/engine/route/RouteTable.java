package io.sluice.engine.route;

import static io.sluice.engine.route.RouteEntry.EMPTY;
import static io.sluice.engine.route.RouteEntry.EXTENDED;
import static io.sluice.engine.route.RouteEntry.GROUP_SHIFT;
import static io.sluice.engine.route.RouteEntry.GROUP_SIZE;
import static io.sluice.engine.route.RouteEntry.VALUE_MASK;
import static io.sluice.engine.route.RouteEntry.depth;
import static io.sluice.engine.route.RouteEntry.isExtended;
import static io.sluice.engine.route.RouteEntry.isValid;
import static io.sluice.engine.route.RouteEntry.value;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An IPv4 longest-prefix-match table with the DIR-24-8 layout of Gupta, Lin and McKeown ("Routing lookups in
 * hardware at memory access speeds", IEEE INFOCOM 1998), as DPDK's {@code rte_lpm} also uses it: a lookup is
 * one load from {@code tbl24}, indexed by the top 24 bits of the address, and a second load from a 256-entry
 * {@code tbl8} group, indexed by the last byte, only when the /24 holds a route longer than /24.
 *
 * <p><b>Data plane</b> ({@link #lookup(int)}): any number of reader threads, lock-free (wait-free: two loads
 * and no loop), no allocation, no exception. A reader sees, for each address, either the route before a
 * change or the route after it, never a torn entry or an unfilled group. Reader threads that run while the
 * table changes must be registered ({@link #registerReader}) and report quiescent states between bursts
 * ({@link RouteReader#quiescent()}); see {@link RouteReader} and the package documentation.
 *
 * <p><b>Control plane</b> ({@link #add}, {@link #remove}, {@link #clear}, {@link #reclaim} and the other
 * mutators): one writer thread at a time. A table built on one thread and handed to another (through a
 * queue, a volatile field or {@code Thread.start}) may be written there; two threads writing concurrently
 * corrupt it. The writer also keeps every route in a rule table, so that a remove restores the next less
 * specific route that covers the removed prefix.
 *
 * <p>Input: a prefix must have its host bits clear ({@code 10.0.0.1/8} is rejected, not silently turned
 * into {@code 10.0.0.0/8}: a route with host bits set is almost always a typo, and {@code ip route} rejects
 * it too; {@link Ipv4Address#network} masks for a caller that wants it). Lengths are 0..32; next-hop ids
 * are {@code 0 .. nextHops-1} ({@link RouteTableConfig#nextHops()}). Bad input throws
 * {@link IllegalArgumentException}; running out of tbl8 groups is a return code, {@link #TBL8_EXHAUSTED}.
 *
 * <p>Memory: {@code tbl24} is an {@code int[2^24]} (64 MiB) and the tbl8 groups one {@code int[groups * 256]},
 * both on the Java heap and allocated up front (see the package documentation for why not a
 * {@code MemorySegment}); the rule table grows with the routes, about 8 to 16 bytes each.
 */
public final class RouteTable {
    /** {@link #lookup} result when no route covers the address. */
    public static final int NO_ROUTE = -1;
    /** {@link #add} result: the route is in the table (added, changed, or already there with that next hop). */
    public static final int OK = 0;
    /**
     * {@link #add} result: the route is longer than /24, its /24 has no tbl8 group yet, and none is free. The
     * table is unchanged. Retired groups may come free once readers pass a quiescent state
     * ({@link #tbl8GroupsRetired()}, {@link #awaitReclaim}); otherwise raise {@link RouteTableConfig#tbl8Groups}.
     */
    public static final int TBL8_EXHAUSTED = -2;

    /** Entries of tbl24: one per /24. */
    public static final int TBL24_ENTRIES = 1 << 24;

    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] tbl24;
    private final int[] tbl8;
    private final RouteRules rules = new RouteRules();
    private final Tbl8Groups groups;
    private final ReaderEpochs readers;
    private final int nextHops;
    private final String name;

    /** A table with the given settings (concluded here if they are not yet). */
    public RouteTable(RouteTableConfig config) {
        this(config, TBL24_ENTRIES);
    }

    /**
     * A table whose tbl24 holds only the first {@code tbl24Entries} /24s, for tests that build thousands of
     * tables (the jcstress tests of the publication and reclamation protocols, which would otherwise need
     * 64 MiB per test state). Routes must lie below {@code tbl24Entries << 8}; a lookup of an address above
     * throws {@link ArrayIndexOutOfBoundsException}. The code paths are those of a full table.
     */
    RouteTable(RouteTableConfig config, int tbl24Entries) {
        if (tbl24Entries < 1 || tbl24Entries > TBL24_ENTRIES) {
            throw new IllegalArgumentException("tbl24Entries=" + tbl24Entries + " must be in 1.." + TBL24_ENTRIES);
        }
        config.conclude();
        this.name = config.name();
        this.nextHops = config.nextHops();
        this.tbl24 = new int[tbl24Entries];
        this.tbl8 = new int[config.tbl8Groups() * GROUP_SIZE];
        this.groups = new Tbl8Groups(config.tbl8Groups());
        this.readers = new ReaderEpochs(config.readers());
    }

    /** A table with the default settings ({@link RouteTableConfig}). */
    public RouteTable() {
        this(new RouteTableConfig());
    }

    // ------------------------------------------------------------------------------------------- data plane

    /**
     * The next hop of the longest prefix that covers {@code address}. Any thread; see the class documentation
     * for the readers' contract.
     *
     * @param address IPv4 destination in host order (first octet in the top byte)
     * @return the next-hop id, or {@link #NO_ROUTE}
     */
    public int lookup(int address) {
        int e = (int) ENTRY.getAcquire(tbl24, address >>> 8);
        if ((e & EXTENDED) != 0) {
            e = (int) ENTRY.getAcquire(tbl8, (e & VALUE_MASK) << GROUP_SHIFT | (address & 0xFF));
        }
        return (e & VALUE_MASK) | ~(e >> 31);
    }

    /** The first load of {@link #lookup}, for tests that stretch the time between the two loads. */
    int entry24(int address) {
        return (int) ENTRY.getAcquire(tbl24, address >>> 8);
    }

    /** The second load of {@link #lookup}, through extended tbl24 entry {@code e}. */
    int entry8(int e, int address) {
        return (int) ENTRY.getAcquire(tbl8, (e & VALUE_MASK) << GROUP_SHIFT | (address & 0xFF));
    }

    /**
     * Looks up {@code addresses[0, n)} into {@code hops[0, n)} (each a next-hop id or {@link #NO_ROUTE}). The
     * loads of a burst are independent, so the CPU overlaps their cache misses.
     */
    public void lookup(int[] addresses, int[] hops, int n) {
        int[] t24 = tbl24;
        int[] t8 = tbl8;
        for (int i = 0; i < n; i++) {
            int address = addresses[i];
            int e = (int) ENTRY.getAcquire(t24, address >>> 8);
            if ((e & EXTENDED) != 0) {
                e = (int) ENTRY.getAcquire(t8, (e & VALUE_MASK) << GROUP_SHIFT | (address & 0xFF));
            }
            hops[i] = (e & VALUE_MASK) | ~(e >> 31);
        }
    }

    /**
     * Registers a reader thread, online from now on. Any thread; safe while the writer writes.
     *
     * @throws IllegalStateException when all {@link RouteTableConfig#readers()} slots are taken
     */
    public RouteReader registerReader(String readerName) {
        int slot = readers.register();
        if (slot < 0) {
            throw new IllegalStateException("route table " + name + ": all " + readers.capacity()
                + " reader slots are taken; close unused readers or raise " + RouteTableConfig.READERS_PROP);
        }
        return new RouteReader(readers, slot, readerName, readers.global());
    }

    // ---------------------------------------------------------------------------------------- control plane

    /**
     * Adds the route {@code prefix/length -> nextHop}, or changes the next hop of an existing one. Readers
     * see each covered address switch from its old route to the new one in one store.
     *
     * @return {@link #OK}, or {@link #TBL8_EXHAUSTED} (table unchanged) when the route is longer than /24 and
     *     no tbl8 group is free for its /24
     * @throws IllegalArgumentException on a length outside 0..32, host bits set, or a next hop out of range
     */
    public int add(int prefix, int length, int nextHop) {
        checkRoute(prefix, length);
        if (nextHop < 0 || nextHop >= nextHops) {
            throw new IllegalArgumentException("route table " + name + ": nextHop=" + nextHop + " for "
                + Ipv4Address.toString(prefix, length) + " must be in 0.." + (nextHops - 1));
        }
        int old = rules.get(prefix, length);
        if (old == nextHop) {
            return OK;
        }
        int entry = RouteEntry.route(length, nextHop);
        if (length <= 24) {
            int first = prefix >>> 8;
            int end = first + (1 << (24 - length));
            for (int i = first; i < end; i++) {
                int e = tbl24[i];
                if (isExtended(e)) {
                    overwrite(e, 0, GROUP_SIZE, length, entry);
                } else if (!isValid(e) || depth(e) <= length) {
                    ENTRY.setRelease(tbl24, i, entry);
                }
            }
        } else {
            int i = prefix >>> 8;
            int e = tbl24[i];
            int from = prefix & 0xFF;
            int to = from + (1 << (32 - length));
            if (isExtended(e)) {
                overwrite(e, from, to, length, entry);
            } else {
                int g = groups.allocate(readers);
                if (g < 0) {
                    return TBL8_EXHAUSTED;
                }
                // Fill the whole group before the tbl24 entry points to it: the plain stores are ordered before
                // the release store that publishes the group, and a reader that acquires the new tbl24 entry
                // sees all 256 entries. The group is unreachable until then (free, or retired past every
                // reader's quiescent state), so no reader sees the stores in progress.
                int base = g << GROUP_SHIFT;
                for (int j = 0; j < GROUP_SIZE; j++) {
                    tbl8[base + j] = j >= from && j < to ? entry : e;
                }
                ENTRY.setRelease(tbl24, i, RouteEntry.group(g));
            }
        }
        rules.put(prefix, length, nextHop);
        return OK;
    }

    /** In the group of tbl24 entry {@code e}, entries [from, to) of depth {@code length} or less become {@code entry}. */
    private void overwrite(int e, int from, int to, int length, int entry) {
        int base = value(e) << GROUP_SHIFT;
        for (int j = base + from, end = base + to; j < end; j++) {
            int t = tbl8[j];
            if (!isValid(t) || depth(t) <= length) {
                ENTRY.setRelease(tbl8, j, entry);
            }
        }
    }

    /**
     * Removes the route {@code prefix/length}. The addresses it served go to the next less specific route that
     * covers them (or to no route), each in one store; a tbl8 group left with no route longer than /24 is
     * folded back into its tbl24 entry and retired, to be reused once every online reader has passed a
     * quiescent state.
     *
     * @return false when there is no such route (the table is unchanged)
     * @throws IllegalArgumentException on a length outside 0..32 or host bits set
     */
    public boolean remove(int prefix, int length) {
        checkRoute(prefix, length);
        if (rules.remove(prefix, length) == RouteRules.MISSING) {
            return false;
        }
        long cover = rules.longestCovering(prefix, length - 1);
        int replacement = cover < 0 ? EMPTY : RouteEntry.route((int) (cover >>> 32), (int) cover);
        if (length <= 24) {
            int first = prefix >>> 8;
            int end = first + (1 << (24 - length));
            for (int i = first; i < end; i++) {
                int e = tbl24[i];
                if (isExtended(e)) {
                    replace(e, 0, GROUP_SIZE, length, replacement);
                } else if (isValid(e) && depth(e) == length) {
                    ENTRY.setRelease(tbl24, i, replacement);
                }
            }
        } else {
            int i = prefix >>> 8;
            int e = tbl24[i];
            assert isExtended(e) : "a route longer than /24 without a group: " + RouteEntry.toString(e);
            int from = prefix & 0xFF;
            replace(e, from, from + (1 << (32 - length)), length, replacement);
            foldIfShort(i, e);
        }
        return true;
    }

    /** In the group of tbl24 entry {@code e}, entries [from, to) written by depth {@code length} become {@code replacement}. */
    private void replace(int e, int from, int to, int length, int replacement) {
        int base = value(e) << GROUP_SHIFT;
        for (int j = base + from, end = base + to; j < end; j++) {
            int t = tbl8[j];
            if (isValid(t) && depth(t) == length) {
                ENTRY.setRelease(tbl8, j, replacement);
            }
        }
    }

    /**
     * If the group behind tbl24 entry {@code i} no longer holds a route longer than /24, all its entries are
     * the same (the longest route of /24 or less over this /24, or empty): that entry replaces the pointer in
     * tbl24, and the group is retired. A reader that loaded the pointer before the store still finds the same
     * route in the group, which stays untouched until every online reader has reported a later epoch.
     */
    private void foldIfShort(int i, int e) {
        int base = value(e) << GROUP_SHIFT;
        int first = tbl8[base];
        if (isValid(first) && depth(first) > 24) {
            return;
        }
        for (int j = base + 1, end = base + GROUP_SIZE; j < end; j++) {
            if (tbl8[j] != first) {
                return;
            }
        }
        ENTRY.setRelease(tbl24, i, first);
        groups.retire(value(e), readers.advance());
    }

    /**
     * Removes every route. Readers see each entry go empty in one store; the tbl8 groups are retired.
     * Takes tens of milliseconds (it writes all 2^24 tbl24 entries).
     */
    public void clear() {
        int[] unlinked = new int[groups.inUse()];
        int n = 0;
        for (int i = 0; i < tbl24.length; i++) {
            int e = tbl24[i];
            if (e != EMPTY) {
                ENTRY.setRelease(tbl24, i, EMPTY);
                if (isExtended(e)) {
                    unlinked[n++] = value(e);
                }
            }
        }
        if (n > 0) {
            // One epoch for all: it is released after the last unlink store.
            long epoch = readers.advance();
            for (int k = 0; k < n; k++) {
                groups.retire(unlinked[k], epoch);
            }
        }
        rules.clear();
    }

    /**
     * Moves retired tbl8 groups that no online reader can still be reading back to the free list. Writer
     * thread; {@link #add} does it by itself when it finds no free group.
     *
     * @return how many groups came free
     */
    public int reclaim() {
        return groups.reclaim(readers);
    }

    /**
     * Waits until every retired tbl8 group is free again, that is until every online reader has passed a
     * quiescent state since the last retirement. Writer thread; it parks between checks.
     *
     * @return true when no group is left retired, false on timeout
     */
    public boolean awaitReclaim(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            groups.reclaim(readers);
            if (groups.retired() == 0) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * The next hop of exactly {@code prefix/length} as added (not a longest match). Writer thread.
     *
     * @return the next-hop id, or {@link #NO_ROUTE} when there is no such route
     */
    public int get(int prefix, int length) {
        checkRoute(prefix, length);
        return rules.get(prefix, length);
    }

    /** Every route, shortest prefixes first. Writer thread. */
    public void forEach(RouteVisitor visitor) {
        rules.forEach(visitor);
    }

    /** Routes in the table. Writer thread. */
    public int size() {
        return rules.size();
    }

    /** Routes of one prefix length. Writer thread. */
    public int size(int length) {
        checkLength(length);
        return rules.size(length);
    }

    // ---------------------------------------------------------------------------------------------- figures

    public String name() {
        return name;
    }

    /** Next-hop ids run from 0 to this minus one. */
    public int nextHops() {
        return nextHops;
    }

    public int tbl8GroupsMax() {
        return groups.capacity();
    }

    /** Groups linked from tbl24. Writer thread. */
    public int tbl8GroupsInUse() {
        return groups.inUse();
    }

    /** Groups ready to be taken. Writer thread. */
    public int tbl8GroupsFree() {
        return groups.free();
    }

    /** Groups unlinked but possibly still read by a reader that has not passed a quiescent state. Writer thread. */
    public int tbl8GroupsRetired() {
        return groups.retired();
    }

    /** Adds refused with {@link #TBL8_EXHAUSTED} so far. Writer thread. */
    public long tbl8Exhausted() {
        return groups.exhausted();
    }

    /** Reader slots taken. Any thread. */
    public int readersRegistered() {
        return readers.registered();
    }

    /** Bytes of the lookup tables (tbl24 and every tbl8 group, allocated up front). */
    public long lookupTableBytes() {
        return 4L * tbl24.length + 4L * tbl8.length;
    }

    /** Bytes of the rule table's arrays now. Writer thread. */
    public long ruleTableBytes() {
        return rules.footprintBytes();
    }

    @Override
    public String toString() {
        return "RouteTable{" + name + ": " + size() + " routes, tbl8 groups " + tbl8GroupsInUse() + " in use, "
            + tbl8GroupsRetired() + " retired, " + tbl8GroupsMax() + " max; " + readersRegistered() + " readers; "
            + (lookupTableBytes() >> 20) + " MiB lookup + " + (ruleTableBytes() >> 20) + " MiB rules}";
    }

    // --------------------------------------------------------------------------------------------- checks

    private void checkRoute(int prefix, int length) {
        checkLength(length);
        if ((prefix & ~Ipv4Address.mask(length)) != 0) {
            throw new IllegalArgumentException("route table " + name + ": " + Ipv4Address.toString(prefix, length)
                + " has host bits set; the network is " + Ipv4Address.toString(Ipv4Address.network(prefix, length), length));
        }
        if (Integer.compareUnsigned(Ipv4Address.last(prefix, length) >>> 8, tbl24.length) >= 0) {
            throw new IllegalArgumentException("route table " + name + ": " + Ipv4Address.toString(prefix, length)
                + " lies beyond this test table's " + tbl24.length + " /24s");
        }
    }

    private void checkLength(int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("route table " + name + ": length=" + length + " must be in 0..32");
        }
    }
}
