package io.sluice.bench.demo;

import io.sluice.bench.pktgen.Pktgen;
import io.sluice.bench.pktgen.PktgenConfig;
import io.sluice.bench.pktgen.PktgenSink;
import io.sluice.config.ForwarderConfig;
import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.PortConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.engine.inet.Mib;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.LoopbackPair;
import io.sluice.engine.phy.NicPort;
import io.sluice.nativeio.NativePort;
import io.sluice.nativeio.NativePortFactory;
import io.sluice.nativeio.linux.NetNamespace;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * {@code ./sluice demo}: Sluice forwarding real frames. As root it builds the lab of
 * {@code config/samples/demo-lab.conf} (namespaces sluice-gen, sluice-demo and sluice-sink joined by two veth
 * pairs), starts the forwarder that file describes, sends pktgen traffic from the generator's namespace through
 * Sluice to the sink's for a few seconds with live progress, prints what was offered and delivered, the
 * latency and the netstat -m report, and removes the lab. Without root it says so and runs the same forwarder
 * on in-memory wires.
 */
public final class ForwardingDemo {
    private static final String[] NAMESPACES = {"sluice-gen", "sluice-demo", "sluice-sink"};

    private final double seconds;
    private final long rate;
    private final int pktSize;
    private final boolean inMemory;
    private final PrintStream out;

    public ForwardingDemo(double seconds, long rate, int pktSize, boolean inMemory, PrintStream out) {
        this.seconds = seconds;
        this.rate = rate;
        this.pktSize = pktSize;
        this.inMemory = inMemory;
        this.out = out;
    }

    /** @return whether every offered frame was delivered and the pool was full at the end */
    public boolean run() throws Exception {
        String why = inMemory ? "--in-memory" : DemoLab.missing();
        if (why == null) {
            return runInLab();
        }
        out.println("demo: " + why + ".");
        out.println("demo: running the same forwarder on in-memory wires instead (no kernel interfaces).");
        return runInMemory();
    }

    private boolean runInLab() throws Exception {
        Path file = Path.of(System.getProperty("sluice.home", "."), "config", "samples", "demo-lab.conf");
        ForwarderConfig config = ForwarderConfig.load(file);
        out.printf("demo: building the lab of %s: %s%n", file, String.join(", ", NAMESPACES));
        try (DemoLab lab = DemoLab.build()) {
            Forwarder forwarder = Forwarder.start(config);
            try (PbufPool pool = PbufPool.create(new PoolConfig().slots(32768).name("demo-hosts").jmx(false))) {
                NativePort gen = lab.open("sluice-gen", "gen0", false, true);
                NativePort sink = lab.open("sluice-sink", "sink0", true, false);
                try {
                    long sluiceMac = forwarder.inetPorts().getFirst().mac();
                    return drive(forwarder, pool, gen, sink, gen.interfaceInfo().mac(), sluiceMac);
                } finally {
                    try (Pbufs p = pool.local()) {
                        gen.close(p);
                        sink.close(p);
                    }
                }
            } finally {
                report(forwarder);
            }
        } finally {
            out.println("demo: lab removed");
        }
    }

    private boolean runInMemory() throws Exception {
        LoopbackPair genWire = LoopbackPair.create("gen", 4096, 64);
        LoopbackPair sinkWire = LoopbackPair.create("sink", 4096, 64);
        long sluiceGen = 0x02_5e_00_00_01_01L;
        long sluiceSink = 0x02_5e_00_00_02_01L;
        // demo-lab.conf without namespaces, and with the sink's MAC configured: nobody on a wire answers ARP.
        ForwarderConfig config = ForwarderConfig.builder().name("demo").jmx(true)
            .pool(new PoolConfig().slots(16384))
            .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
            .port("gen", p -> p.interfaceName("gen").address("10.10.1.1/24"))
            .port("sink", p -> p.interfaceName("sink").address("10.10.2.1/24"))
            .route("198.19.0.0/16", "10.10.2.2", null)
            .neighbour("10.10.2.2", "02:5e:00:00:02:02", "sink")
            .build();
        Forwarder forwarder = Forwarder.builder(config)
            .port("gen", genWire.b(), sluiceGen, 1500)
            .port("sink", sinkWire.b(), sluiceSink, 1500)
            .start();
        try {
            return drive(forwarder, forwarder.pool(), genWire.a(), sinkWire.a(), 0x02_5e_00_00_01_02L, sluiceGen);
        } finally {
            report(forwarder);
        }
    }

    /** Sends from {@code gen} through the forwarder to {@code sink}, with a progress line a second. */
    private boolean drive(Forwarder forwarder, PbufPool pool, NicPort gen, NicPort sink, long genMac, long sluiceMac)
        throws Exception {
        warmUp(forwarder, pool, gen, sink, genMac, sluiceMac);
        long count = (long) (rate * seconds);
        PktgenConfig c = new PktgenConfig(count, pktSize, seconds + 5, mac(sluiceMac), mac(genMac),
            0xC6130001, 0xC61300FF, 0x0A0A0102, 0x0A0A0102, 9, 9, 9, 9, 16, rate, 32);
        out.printf("demo: %,d pktgen frames of %d bytes at %,d pps, 10.10.1.2 -> 198.19.0.1-255 (16 flows), through"
            + " Sluice (%s)%n", count, pktSize, rate, forwarder.config().pipeline().layout());
        CompletableFuture<PktgenSink.Result> received = CompletableFuture.supplyAsync(
            () -> PktgenSink.run(sink, pool, count, seconds + 10, 2, null), daemon("demo-sink"));
        Thread.sleep(200); // the sink is polling before the first frame leaves
        CompletableFuture<Pktgen.Result> sent = CompletableFuture.supplyAsync(
            () -> Pktgen.run(gen, pool, c, null), daemon("demo-gen"));
        long lastOffered = gen.counters().txPackets(); // the warm-up's frames are not in the progress lines
        long lastDelivered = sink.counters().rxPackets();
        int second = 0;
        while (!received.isDone()) {
            try {
                received.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                long offered = gen.counters().txPackets();
                long delivered = sink.counters().rxPackets();
                out.printf("  %3d s  offered %,10d pps  forwarded %,12d  delivered %,10d pps  drops %d%n", ++second,
                    offered - lastOffered, forwarder.counters().get(Mib.ipForwDatagrams), delivered - lastDelivered,
                    forwarder.counters().drops());
                lastOffered = offered;
                lastDelivered = delivered;
            }
        }
        Pktgen.Result s = sent.get();
        PktgenSink.Result r = received.get();
        Histogram l = r.latency();
        out.printf("demo: offered %,d frames (%,.0f pps), delivered %,d (%.2f %%), lost %,d, reordered %,d%n",
            s.sent(), s.pps(), r.received(), s.sent() == 0 ? 0 : 100.0 * r.received() / s.sent(),
            s.sent() - r.received(), r.reordered());
        if (l.getTotalCount() > 0) {
            out.printf("demo: latency through Sluice, generator to sink: p50 %,d ns, p99 %,d ns, p99.9 %,d ns, max %,d ns%n",
                l.getValueAtPercentile(50), l.getValueAtPercentile(99), l.getValueAtPercentile(99.9), l.getMaxValue());
        }
        return s.sent() > 0 && r.received() == s.sent();
    }

    /**
     * A short run at a tenth of the rate before the measured one, so that the JIT compiles the data path of the
     * generator, Sluice and the sink while frames are few: without it the first frames of the measured run met
     * code still being compiled, and 0.1 to 1.6 % of them overflowed the kernel's receive ring before Sluice
     * could drain it. The sink waits until the warm-up's last frame is through, so none is counted twice.
     */
    private void warmUp(Forwarder forwarder, PbufPool pool, NicPort gen, NicPort sink, long genMac, long sluiceMac)
        throws Exception {
        long warmRate = Math.max(1_000, rate / 10);
        long warmCount = warmRate; // one second
        PktgenConfig w = new PktgenConfig(warmCount, pktSize, 5, mac(sluiceMac), mac(genMac),
            0xC6130001, 0xC61300FF, 0x0A0A0102, 0x0A0A0102, 9, 9, 9, 9, 16, warmRate, 32);
        CompletableFuture<PktgenSink.Result> received = CompletableFuture.supplyAsync(
            () -> PktgenSink.run(sink, pool, warmCount, 8, 0.5, null), daemon("demo-warm-sink"));
        Thread.sleep(200);
        Pktgen.Result s = Pktgen.run(gen, pool, w, null);
        PktgenSink.Result r = received.get();
        out.printf("demo: warm-up, %,d frames at %,d pps: %,d delivered (not counted below)%n", s.sent(), warmRate,
            r.received());
    }

    private void report(Forwarder forwarder) {
        forwarder.close();
        Forwarder.ClosedReport r = forwarder.closedReport();
        out.println();
        out.println("netstat -m of the forwarder's pool:");
        out.println(r.netstat());
        out.println("forwarding plane counters: " + r.counters());
        out.println(r.stats().inUse() == 0 ? "pool full again: every pbuf returned"
            : "LEAK: " + r.stats().inUse() + " pbufs still in use");
    }

    private static byte[] mac(long m) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (m >>> (40 - 8 * i));
        }
        return b;
    }

    private static Executor daemon(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            t.start();
        };
    }

    /** The three namespaces and two veth pairs of demo-lab.conf, built with {@code ip} and removed on close. */
    static final class DemoLab implements AutoCloseable {
        private DemoLab() {
        }

        /** Why the lab cannot be built here, or null. */
        static String missing() {
            if (!Commands.isRoot()) {
                return "not root: the lab needs network namespaces, veth pairs and raw sockets (run it as root)";
            }
            if (Commands.which("ip") == null) {
                return "the `ip` command is missing (Debian package iproute2)";
            }
            return null;
        }

        static DemoLab build() {
            DemoLab lab = new DemoLab();
            lab.close(); // a lab an interrupted demo left behind
            try {
                for (String ns : NAMESPACES) {
                    Commands.run("ip", "netns", "add", ns);
                    Commands.run("ip", "netns", "exec", ns, "sh", "-c",
                        "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6;"
                            + " ip link set lo up");
                }
                Commands.run("ip", "link", "add", "gen0", "netns", "sluice-gen", "type", "veth", "peer", "name", "s-gen",
                    "netns", "sluice-demo");
                Commands.run("ip", "link", "add", "sink0", "netns", "sluice-sink", "type", "veth", "peer", "name",
                    "s-sink", "netns", "sluice-demo");
                Commands.run("ip", "-n", "sluice-gen", "addr", "add", "10.10.1.2/24", "dev", "gen0");
                Commands.run("ip", "-n", "sluice-sink", "addr", "add", "10.10.2.2/24", "dev", "sink0");
                for (String[] d : new String[][] {{"sluice-gen", "gen0"}, {"sluice-sink", "sink0"},
                    {"sluice-demo", "s-gen"}, {"sluice-demo", "s-sink"}}) {
                    Commands.run("ip", "-n", d[0], "link", "set", d[1], "up");
                }
                Commands.run("ip", "-n", "sluice-gen", "route", "add", "default", "via", "10.10.1.1");
                return lab;
            } catch (RuntimeException e) {
                lab.close();
                throw e;
            }
        }

        /** Opens an AF_PACKET port on {@code iface} in namespace {@code ns}. */
        NativePort open(String ns, String iface, boolean receive, boolean transmit) {
            try (NetNamespace in = NetNamespace.enter(ns)) {
                return in.call(() -> NativePortFactory.open(PortConfig.Backend.AFPACKET, iface, receive, transmit));
            }
        }

        @Override
        public void close() {
            for (String ns : NAMESPACES) {
                if (Files.exists(Path.of("/var/run/netns", ns))) {
                    try {
                        Commands.run("ip", "netns", "del", ns);
                    } catch (IllegalStateException e) {
                        System.err.println("demo: could not remove namespace " + ns + ": " + e.getMessage());
                    }
                }
            }
        }
    }
}
