package io.sluice.engine.forward;

import io.sluice.config.ConfigException;
import io.sluice.config.ForwarderConfig;
import io.sluice.config.NeighbourConfig;
import io.sluice.config.PortConfig;
import io.sluice.config.RouteConfig;
import io.sluice.config.RouteTableConfig;
import io.sluice.engine.inet.ArpCache;
import io.sluice.engine.inet.ForwardingPlane;
import io.sluice.engine.inet.IcmpRateLimiter;
import io.sluice.engine.inet.InetCounters;
import io.sluice.engine.inet.InetPort;
import io.sluice.engine.inet.LocalProtocol;
import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.inet.Reassembler;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;
import io.sluice.engine.route.NextHopTable;
import io.sluice.engine.route.RouteTable;
import io.sluice.engine.stage.Pipeline;
import io.sluice.engine.stats.MBeans;
import io.sluice.engine.transport.TransportProtocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * An IPv4 forwarder running in this JVM: the embedding API. Build it from a {@link ForwarderConfig} (a file or
 * {@link ForwarderConfig#builder()}), optionally with a {@link PacketHook} that sees every datagram on the fast
 * path, then {@link Builder#start()}; {@link #close()} stops it in order and leaves the pool full.
 *
 * <pre>{@code
 * ForwarderConfig config = ForwarderConfig.load(Path.of("config/samples/demo-lab.conf"));
 * try (Forwarder f = Forwarder.builder(config)
 *         .hook((p, packet, l3, rcvif) -> PacketHook.PASS)
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>One pipeline: a receive stage per port, one {@code ip} stage running the {@link ForwardingPlane}, and a
 * transmit stage per port, on threads laid out by the configuration. Routes may change while traffic flows
 * ({@link #addRoute}, {@link #removeRoute}): the table takes one writer (these methods, serialised here) and
 * lock-free readers.
 */
public final class Forwarder implements AutoCloseable {
    /** Distinct next hops (gateway and port) a forwarder has room for at least. */
    public static final int NEXT_HOPS_MIN = 4096;
    private final ForwarderConfig config;
    private final PbufPool pool;
    private final List<NicPort> ports;
    private final List<InetPort> inetPorts;
    private final RouteTable routes;
    private final NextHopTable hops;
    private final ForwardingPlane plane;
    private final Pipeline pipeline;
    private final List<TransportProtocol> transports;
    private final List<ObjectName> mbeans = new ArrayList<>();
    private boolean closed;
    private ClosedReport closedReport;

    private Forwarder(Builder b) {
        this.config = b.config;
        List<PortConfig> portConfigs = config.ports();
        this.pool = PbufPool.create(config.pool());
        List<NicPort> opened = new ArrayList<>();
        List<NicPort> transmitting = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>(); // {index in opened, port index}
        try {
            List<InetPort> inet = new ArrayList<>();
            for (int i = 0; i < portConfigs.size(); i++) {
                PortConfig pc = portConfigs.get(i);
                PortFactory.Opened o = b.given.containsKey(pc.name()) ? b.given.get(pc.name()) : b.factory().open(pc);
                inputs.add(new int[] {opened.size(), i});
                opened.add(o.port());
                transmitting.add(o.port());
                for (NicPort q : o.moreQueues()) {
                    inputs.add(new int[] {opened.size(), i});
                    opened.add(q);
                }
                long mac = pc.mac().map(m -> m.value()).orElse(o.mac());
                int mtu = pc.mtu().orElse(o.mtu());
                inet.add(new InetPort(i, pc.name(), mac, pc.address(), pc.prefixLength(), mtu));
            }
            this.ports = List.copyOf(opened);
            this.inetPorts = List.copyOf(inet);
            // Room for the next hops routes added while it runs will name (one per distinct gateway and port).
            this.hops = new NextHopTable(Math.max(NEXT_HOPS_MIN, config.routes().size() + portConfigs.size() + 1));
            this.routes = new RouteTable(new RouteTableConfig().name(config.name() + ".routes").nextHops(hops.capacity()));
            for (InetPort p : inetPorts) {
                check(routes.add(p.network(), p.prefixLength(), hops.intern(p.index(), NextHopTable.NO_GATEWAY, 0)),
                    "connected route of port " + p.name());
            }
            for (RouteConfig r : config.routes()) {
                check(routes.add(r.prefix(), r.length(), hops.intern(portIndex(r.port()), r.via(), 0)), r.toString());
            }
            ArpCache arp = new ArpCache(config.arp().maxEntries(), config.arp().pendingPerHop(),
                config.arp().cacheTimeout().toNanos());
            for (NeighbourConfig n : config.neighbours()) {
                arp.putStatic(n.address(), n.mac().value(), portIndex(n.port()));
            }
            var reasm = config.ip().reassembly();
            InetCounters counters = new InetCounters();
            this.plane = new ForwardingPlane(inetPorts.toArray(InetPort[]::new), routes, hops,
                routes.registerReader(config.name() + ".ip"), arp,
                new Reassembler(reasm.maxDatagrams(), reasm.maxFragments(), reasm.maxPbufs(), reasm.timeout().toNanos(),
                    counters),
                new IcmpRateLimiter(config.ip().icmpRateLimit()), config.ip().defaultTtl(), counters);
            plane.hook(b.hook);
            b.protocols.forEach(plane::protocol);
            b.transports.forEach(plane::transport);
            this.transports = List.copyOf(b.transports);
            Pipeline.Builder pb = Pipeline.builder(pool).config(config.pipeline());
            // Every receive queue of a port stamps the port's index, so the plane sees ports, not queues.
            inputs.forEach(in -> pb.receiveFrom(ports.get(in[0]), in[1]));
            pb.stage("ip", plane);
            transmitting.forEach(pb::transmitTo);
            this.pipeline = pb.build();
        } catch (RuntimeException | Error e) {
            try (Pbufs p = pool.local()) {
                opened.forEach(port -> port.close(p));
            }
            pool.close();
            throw e;
        }
    }

    private int portIndex(String name) {
        for (InetPort p : inetPorts) {
            if (p.name().equals(name)) {
                return p.index();
            }
        }
        throw new ConfigException("no port named " + name);
    }

    private static void check(int result, String what) {
        if (result != RouteTable.OK) {
            throw new ConfigException(what + ": the route table is out of tbl8 groups (" + result + ")");
        }
    }

    private Forwarder startPipeline() {
        if (config.jmx()) {
            mbeans.add(MBeans.register(new InetView(), "Inet", config.name()));
        }
        pipeline.start();
        return this;
    }

    public static Builder builder(ForwarderConfig config) {
        return new Builder(config);
    }

    /** Starts a forwarder on the ports the configuration names, opened by the {@link PortFactory} on the class path. */
    public static Forwarder start(ForwarderConfig config) {
        return builder(config).start();
    }

    public ForwarderConfig config() {
        return config;
    }

    public PbufPool pool() {
        return pool;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** Every port the forwarder opened: each configured port's first queue, then its other receive queues. */
    public List<NicPort> ports() {
        return ports;
    }

    public List<InetPort> inetPorts() {
        return inetPorts;
    }

    /** The plane's counters: MIB-2 and drops by reason. Readable from any thread. */
    public InetCounters counters() {
        return plane.counters();
    }

    /**
     * The plane's counters and those of its transports (prefixed with the transport's name: {@code
     * udp.udpInDatagrams}), the non-zero ones, by name. Readable from any thread.
     */
    public Map<String, Long> allCounters() {
        Map<String, Long> all = plane.counters().nonZero();
        for (TransportProtocol t : transports) {
            t.nonZeroCounters().forEach((k, v) -> all.put(t.name() + "." + k, v));
        }
        return all;
    }

    /** Adds or changes a route while traffic flows; {@code via} 0 for a directly connected one. */
    public synchronized void addRoute(int prefix, int length, int via, String port) {
        int hop = hops.intern(portIndex(port), via, 0);
        if (hop == NextHopTable.FULL) {
            throw new IllegalStateException("no room for another next hop (" + hops.capacity() + " distinct gateways)");
        }
        check(routes.add(prefix, length, hop), "route");
    }

    public synchronized boolean removeRoute(int prefix, int length) {
        return routes.remove(prefix, length);
    }

    public synchronized int routeCount() {
        return routes.size();
    }

    /** Stops in order: receive stops, stages drain, ports close, and the pool is full again. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pipeline.close();
        try (Pbufs p = pool.local()) {
            ports.forEach(port -> port.close(p));
        }
        mbeans.forEach(MBeans::unregister);
        closedReport = new ClosedReport(pool.stats(), pool.netstat(), allCounters());
        pool.close();
    }

    /** The pool and the counters as {@link #close()} left them: {@code stats().inUse() == 0} when nothing leaked. */
    public synchronized ClosedReport closedReport() {
        if (closedReport == null) {
            throw new IllegalStateException("the forwarder is still running");
        }
        return closedReport;
    }

    /** What {@link #close()} saw just before it closed the pool. */
    public record ClosedReport(PbufStats stats, String netstat, Map<String, Long> counters) {
    }

    private final class InetView implements InetMXBean {
        @Override
        public Map<String, Long> getCounters() {
            return allCounters();
        }

        @Override
        public int getArpEntries() {
            return plane.arp().size();
        }

        @Override
        public int getReassemblyDatagrams() {
            return plane.reassembler().datagrams();
        }

        @Override
        public int getRoutes() {
            return routeCount();
        }
    }

    /** Builds a forwarder; {@link #start()} opens what it has not been given and starts the threads. */
    public static final class Builder {
        private final ForwarderConfig config;
        private final Map<String, PortFactory.Opened> given = new HashMap<>();
        private final Map<Integer, LocalProtocol> protocols = new LinkedHashMap<>();
        private final List<TransportProtocol> transports = new ArrayList<>();
        private PacketHook hook = PacketHook.NONE;
        private PortFactory factory;

        private Builder(ForwarderConfig config) {
            this.config = config;
        }

        /** Uses {@code port} for the configured port {@code name} instead of opening its interface (tests, in-memory devices). */
        public Builder port(String name, NicPort port, long mac, int mtu) {
            if (config.port(name).isEmpty()) {
                throw new ConfigException("the configuration has no port named " + name);
            }
            given.put(name, new PortFactory.Opened(port, mac, mtu));
            return this;
        }

        public Builder hook(PacketHook h) {
            this.hook = h;
            return this;
        }

        public Builder protocol(int number, LocalProtocol protocol) {
            protocols.put(number, protocol);
            return this;
        }

        /**
         * Plugs a transport protocol (UDP, TCP) in under its protocol number: it is attached to the plane's
         * output before the pipeline starts, ticks with the plane, and releases what it holds when it stops.
         */
        public Builder transport(TransportProtocol t) {
            transports.add(t);
            return this;
        }

        public Builder portFactory(PortFactory f) {
            this.factory = f;
            return this;
        }

        private PortFactory factory() {
            if (factory == null) {
                factory = PortFactory.find();
            }
            return factory;
        }

        public Forwarder start() {
            return new Forwarder(this).startPipeline();
        }
    }
}
