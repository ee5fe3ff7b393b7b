package io.sluice.bench.jmh;

import io.sluice.config.PoolConfig;
import io.sluice.config.RouteTableConfig;
import io.sluice.engine.inet.ArpCache;
import io.sluice.engine.inet.ForwardingPlane;
import io.sluice.engine.inet.IcmpRateLimiter;
import io.sluice.engine.inet.InetCounters;
import io.sluice.engine.inet.InetPort;
import io.sluice.engine.inet.Martians;
import io.sluice.engine.inet.Mib;
import io.sluice.engine.inet.Reassembler;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.route.NextHopTable;
import io.sluice.engine.route.RouteGenerator;
import io.sluice.engine.route.RouteTable;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.wire.EthernetFrame;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.UdpHeader;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The forwarding step of the IPv4 plane on one core: {@link ForwardingPlane#process} on a 64-byte frame (60
 * without the FCS) from port 0 to a destination in a 1 M-route table ({@link RouteGenerator}, seed 42), through
 * the Ethernet and IPv4 input checks, the martian filter, the hook, the TTL decrement with its incremental
 * checksum, the longest-prefix lookup, the neighbour look-up and the rewrite of both MACs: everything a frame
 * meets between the receive and the transmit stage. 1024 frames (one pbuf each) are processed in turn, each op
 * restoring the destination MAC, TTL and checksum the previous pass changed (three stores, counted in the figure).
 *
 * <p>Destinations ({@code traffic}): {@code routed}, random addresses inside random routes of the table (the
 * lookups miss the caches, as the uniform case of {@link RouteLookupBenchmark}); {@code hot}, 64 of those destinations over and over (their entries stay cached).
 * Must allocate nothing: {@code -prof gc} about 0 B/op. Ops/s is packets per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardingBenchmark {
    static final int FRAMES = 1024;
    static final int ROUTES = 1_000_000;
    static final int GATEWAYS = 256;
    static final int FRAME_LENGTH = 60;
    static final long IN_MAC = 0x02_00_00_00_00_01L;

    @Param({"routed", "hot"})
    String traffic;

    PbufPool pool;
    Pbufs p;
    ForwardingPlane plane;
    Emitter emitter;
    final int[] frames = new int[FRAMES];
    final int[] checksums = new int[FRAMES];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        pool = PbufPool.create(new PoolConfig().slots(8192).name("jmh-forward").jmx(false));
        p = pool.local();
        InetPort in = new InetPort(0, "in", IN_MAC, 0x0A0A0101, 24, 1500);
        InetPort out = new InetPort(1, "out", 0x02_00_00_00_00_02L, 0x0A0A0201, 24, 1500);
        RouteGenerator.Routes routes = RouteGenerator.generate(42, ROUTES, GATEWAYS);
        NextHopTable hops = new NextHopTable(GATEWAYS);
        ArpCache arp = new ArpCache(1024, 16, TimeUnit.MINUTES.toNanos(5));
        for (int i = 0; i < GATEWAYS; i++) {
            int gateway = 0x0A0A0200 | (i + 2);
            if (hops.add(1, gateway, 0) != i) {
                throw new IllegalStateException("next-hop ids are not 0..n-1");
            }
            arp.putStatic(gateway, 0x02_00_00_00_10_00L | i, 1);
        }
        RouteTable table = new RouteTable(new RouteTableConfig().name("jmh-forward").nextHops(GATEWAYS));
        if (routes.addTo(table) != 0) {
            throw new IllegalStateException("setup: an add ran out of tbl8 groups");
        }
        InetCounters counters = new InetCounters();
        plane = new ForwardingPlane(new InetPort[] {in, out}, table, hops, table.registerReader("jmh"), arp,
            new Reassembler(64, 16, 1024, TimeUnit.SECONDS.toNanos(30), counters), new IcmpRateLimiter(100), 64,
            counters);
        emitter = new Emitter(256);
        int[] candidates = RouteGenerator.addressesIn(routes, 7, 4 * FRAMES);
        int[] dst = new int[FRAMES];
        int distinct = traffic.equals("hot") ? 64 : FRAMES;
        for (int i = 0, d = 0; i < distinct; i++) {
            while (Martians.isMartianDestination(candidates[d]) || Martians.isMulticast(candidates[d])
                || in.onLink(candidates[d]) || out.onLink(candidates[d])) {
                d++;
            }
            dst[i] = candidates[d++];
        }
        for (int i = distinct; i < FRAMES; i++) {
            dst[i] = dst[i % distinct];
        }
        MemorySegment s = p.segment();
        for (int i = 0; i < FRAMES; i++) {
            int h = p.alloc(Layer.RAW, FRAME_LENGTH);
            long f = p.address(h);
            s.asSlice(f, FRAME_LENGTH).fill((byte) 0);
            EthernetFrame.write(s, f, in.mac(), 0x02_00_00_00_00_99L, EthernetFrame.ETHERTYPE_IPV4);
            Ipv4Header.write(s, f + 14, 0, FRAME_LENGTH - 14, i, 0, 64, Ipv4Header.PROTOCOL_UDP, 0x0A0A0102, dst[i]);
            UdpHeader.write(s, f + 34, 9, 9, FRAME_LENGTH - 34);
            p.setRcvif(h, 0);
            frames[i] = h;
            checksums[i] = Ipv4Header.checksum(s, f + 14);
        }
        // One pass to warm the neighbour entries and check every frame is forwarded, none dropped.
        for (int i = 0; i < FRAMES; i++) {
            step();
        }
        if (counters.get(Mib.ipForwDatagrams) != FRAMES || counters.drops() != 0) {
            throw new IllegalStateException("setup: not every frame was forwarded: " + counters.nonZero());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int h : frames) {
            if (h != PbufHandle.NULL) {
                p.freem(h);
            }
        }
        p.close();
        pool.close();
    }

    private int step() {
        int i = next;
        next = (i + 1) & (FRAMES - 1);
        int h = frames[i];
        MemorySegment s = p.segment();
        long f = p.address(h);
        long ip = f + 14;
        EthernetFrame.setDst(s, f, IN_MAC);
        Ipv4Header.setTtl(s, ip, 64);
        Ipv4Header.setChecksum(s, ip, checksums[i]);
        return plane.process(p, h, emitter);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public int forward() {
        return step();
    }
}
