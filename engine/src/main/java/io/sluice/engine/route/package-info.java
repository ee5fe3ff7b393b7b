/**
 * IPv4 routing: a longest-prefix-match table for a user-space forwarder, its next hops, route files and a
 * route generator.
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@link io.sluice.engine.route.RouteTable}: the DIR-24-8 lookup tables, the rule table behind them,
 *       and the writer's side of tbl8-group reclamation. {@code lookup(int)} on any reader thread;
 *       {@code add}, {@code remove}, {@code clear} on one writer thread.</li>
 *   <li>{@link io.sluice.engine.route.RouteReader}: a reader thread's registration; it reports quiescent
 *       states between bursts.</li>
 *   <li>{@link io.sluice.engine.route.NextHopTable}: next-hop id to egress port, gateway and flags, one
 *       {@code long} each.</li>
 *   <li>{@link io.sluice.engine.route.RouteLoader}: route files in a subset of {@code ip route} syntax.</li>
 *   <li>{@link io.sluice.engine.route.RouteGenerator}: random route sets shaped like a full table, and
 *       destination addresses, for tests and benchmarks.</li>
 *   <li>{@link io.sluice.engine.wire.Ipv4Address}: dotted quads and masks (shared with the wire views).</li>
 * </ul>
 * Settings are in {@link io.sluice.config.RouteTableConfig} ({@code sluice.route.*}).
 *
 * <h2>Layout: DIR-24-8</h2>
 * The layout is the one Gupta, Lin and McKeown describe in "Routing lookups in hardware at memory access
 * speeds" (IEEE INFOCOM 1998), which DPDK's {@code rte_lpm} library also uses: a first-level table
 * {@code tbl24} with one entry per /24 (2^24 entries), indexed by the top 24 bits of the destination, and
 * second-level groups of 256 entries ({@code tbl8}), one per /24 that holds a route longer than /24, indexed
 * by the last byte. A route of length {@code L <= 24} is expanded into the 2^(24-L) tbl24 entries it covers;
 * a longer one into 2^(32-L) entries of its /24's group. A lookup is one load, or two when the tbl24 entry
 * is marked extended. As in {@code rte_lpm}, each entry records the depth (prefix length) of the route that
 * wrote it, so that an add overwrites only entries of its own depth or less, and a remove only those of its
 * own depth; and the control plane keeps the routes themselves in a rule table per prefix length, so that a
 * remove can put back the longest remaining route that covers the removed prefix. The code here is written
 * from that description, not from either source. The entry format is in {@code RouteEntry}: one
 * {@code int} with a valid bit (the sign bit), an extended bit, 6 bits of depth and 24 bits of next-hop id
 * or group index; the all-zero entry is empty, so a new {@code int[]} is an empty table.
 *
 * <p>A group is folded back when a remove leaves it without a route longer than /24: its 256 entries are
 * then all equal (the longest route of /24 or less over that /24, or empty), that value replaces the pointer
 * in tbl24, and the group is retired. So a group is in use exactly when its /24 holds a route longer than
 * /24, and running out of groups ({@code RouteTable.TBL8_EXHAUSTED}, a return code that leaves the table
 * unchanged) depends only on how many /24s hold such routes, not on history.
 *
 * <h2>Storage: int[] on the heap, not a MemorySegment</h2>
 * tbl24 is an {@code int[1 << 24]} (64 MiB) and the groups one {@code int[groups * 256]}, allocated once
 * per table. Measured with {@code RouteLayoutBenchmark} (the same lookup over the same random entries, 4096
 * random destinations per invocation, JDK 25, this 2-vCPU machine, two runs; figures in PERFORMANCE.md):
 * over the whole address space, where every lookup misses, the arrays and a shared-arena
 * {@code MemorySegment} cost the same (4.4 to 4.7 ns a lookup); over a cache-resident working set the
 * arrays took 1.6 ns and the segment 2.5 ns (the segment's liveness and bounds checks are not folded away
 * for a segment held in an instance field). With {@code -XX:+UseTransparentHugePages} the JVM madvises its
 * heap and the arrays' random-lookup cost fell to 3.0 ns, because tbl24 then spans 32 huge pages instead of
 * 16 Ki small ones; arena memory is not madvised (the engine does not call into libc: only native-io uses
 * the Linker), so the segment stayed at 4.8 to 4.9 ns. The cost of the heap arrays: 80 MiB of heap by
 * default (64 MiB + 16 MiB for 16 Ki groups), allocated by G1 as humongous objects, which it normally
 * leaves in place; and a table is freed by the collector, not by a {@code close()}.
 *
 * <h2>Concurrency: one writer, many readers</h2>
 * Readers run {@code lookup} with no lock and no atomic read-modify-write: a plain-cost acquire load of the
 * tbl24 entry and, for an extended entry, an acquire load of the group entry. Every store the writer makes
 * to the lookup tables is a single {@code int} store, so a reader sees an entry whole, old or new (the Java
 * memory model makes {@code int} accesses atomic, JLS 17.7). The argument, change by change:
 * <ol>
 *   <li><b>Changing entries in place</b> (an add or remove that touches tbl24 entries, or entries of an
 *       existing group): each entry an address uses is written once, with a release store, from its old
 *       route's value to its new route's value. A reader that loads it sees one or the other. A lookup whose
 *       first load sees a group pointer and whose second load sees a group entry also sees one or the other:
 *       the group's entries for that address change by the same rule. (Addresses covered by one change flip
 *       one at a time, so two lookups of different addresses in the middle of an add of a /8 may see one
 *       old and one new: each address is either, which is the contract.)</li>
 *   <li><b>Publishing a new group</b>: the writer takes a group no reader can reach (below), writes all 256
 *       entries with plain stores, then writes the tbl24 entry that points to it with a release store. A
 *       reader whose acquire load returns that pointer synchronizes with the release store, so the fill
 *       happens-before the reader's load of the group entry: it sees the filled value (or a later one),
 *       never an unfilled or stale entry. jcstress: {@code RouteGroupPublicationTest}.</li>
 *   <li><b>Folding a group</b>: the tbl24 pointer is replaced (release store) by the value all 256 entries
 *       already hold. A reader that loaded the pointer before the store still finds that value in the
 *       group, which is retired but not touched until reclaimed.</li>
 *   <li><b>Next hops</b>: a {@link io.sluice.engine.route.NextHopTable} entry is written before the routes
 *       that use it are added; the route entry's release store orders it, and the reader's acquire load of
 *       the route entry makes it visible. Next hops are {@code long}s written with release stores and read
 *       with acquire loads, so a change made in place is seen whole.</li>
 * </ol>
 *
 * <h2>Reclamation: quiescent-state epochs</h2>
 * A retired group must not be refilled while a reader that loaded the old pointer may still read it. The
 * scheme is quiescent-state-based reclamation (QSBR, as in userspace RCU's QSBR flavour), with a global
 * epoch that only the writer advances and one epoch slot per registered reader, 128 bytes apart:
 * <ul>
 *   <li>the writer retires a group by advancing the global epoch to {@code E} with a release store after
 *       the store that unlinked the group, and records {@code E} with the group;</li>
 *   <li>a reader, at a quiescent point (between bursts, holding nothing it loaded from the table), loads
 *       the global epoch with acquire and, if it moved, stores it into its slot with release
 *       ({@link io.sluice.engine.route.RouteReader#quiescent()});</li>
 *   <li>the writer reuses a group retired at {@code E} only when every online reader's slot holds
 *       {@code E} or more (it checks when it finds no free group, or on {@code reclaim()}).</li>
 * </ul>
 * Why it is safe: a slot value of at least {@code E} was stored by the reader after it loaded a global
 * epoch of at least {@code E}. Its loads before that store are ordered before it (release) and so
 * happen-before the writer's acquire load of the slot and the refill that follows: they cannot see the
 * refill. Its loads after it are ordered after its acquire load of the global epoch, which synchronizes
 * with the writer's release store of {@code E}, after the unlink: they see the unlinked tbl24 entry (or a
 * later one), never the old pointer. A later pointer to the same group is a new publication (point 2).
 * jcstress: {@code RouteReclaimTest}.
 *
 * <p>A reader that parks or blocks for long goes {@code offline()} (its slot no longer holds the writer
 * back) and comes back {@code online()} before its next lookup. Coming online races the writer's check: the
 * reader stores its epoch and then loads tbl24, the writer stores the unlink and then loads the reader's
 * slot, the store-buffering (Dekker) pattern, which release and acquire do not order. Both sides therefore
 * run a full fence ({@code VarHandle.fullFence()}) between their store and their load: either the writer
 * sees the reader's slot (at an epoch older than {@code E}, and waits), or the reader sees the unlink.
 * (The Java memory model does not define fences; their JDK specification, "ensures that loads and stores
 * before the fence will not be reordered with loads and stores after the fence", is what this relies on.)
 * jcstress: {@code RouteReaderOnlineTest}, which fails (forbidden outcome seen) when the two fences are
 * removed. Registering a reader is the same case and fences the same way.
 *
 * <p>What the contract costs a reader: one acquire load of a line that changes only when a group is
 * retired, and a store to its own line when it did, per burst of lookups: with a report every 32 lookups,
 * {@code RouteLookupBenchmark} measured 1.25 ns a lookup against 1.11 ns without when the table is cached,
 * and no difference when lookups miss. What breaking it costs: a registered reader that
 * stops reporting keeps retired groups from coming free, so adds that need a new group fail with
 * {@code TBL8_EXHAUSTED} once the free ones are used (lookups stay right). An unregistered thread that looks
 * up while the writer folds and reuses groups can read a reused group and get a wrong next hop for that one
 * lookup; it cannot read outside the arrays or crash, since every access is bounds-checked.
 */
package io.sluice.engine.route;
