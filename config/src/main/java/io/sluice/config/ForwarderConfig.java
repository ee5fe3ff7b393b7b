package io.sluice.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The forwarder's whole configuration: its ports, routes and static neighbours, the pool, the pipeline (thread
 * layout, idle strategy, rings), ARP and IPv4 settings. It describes; the engine and native-io build from it.
 *
 * <p>Three ways in, one validation: {@link #load(Path)} reads a HOCON file, {@link #parse(String, String)}
 * parsed text, and {@link #builder()} settings made in code. Each checks everything (unknown keys, missing
 * keys, types, ranges, and the settings against each other: duplicate ports, overlapping subnets, routes to
 * unknown ports or unreachable gateways...) and throws one {@link ConfigException} listing every problem, one
 * per line, as {@code FILE:LINE: KEY: MESSAGE}. What is legal but doubtful (a CPU beyond this machine's, a
 * route that repeats a connected one) is returned in {@link #warnings()}. The format and every key are
 * documented in {@code config/README.md}; {@code config/samples/} holds commented samples.
 *
 * @param name       the engine's name: threads, JMX and the pool are named after it
 * @param jmx        register the MXBeans (pool, stages, rings, ports)
 * @param ports      the ports, in the file's order
 * @param routes     the static routes; each port's subnet is a connected route besides these
 * @param neighbours the static ARP entries
 * @param pool       the pbuf pool (concluded: it no longer changes); named {@code name}
 * @param pipeline   the pipeline settings (concluded; the accessor returns a copy)
 * @param arp        ARP settings
 * @param ip         IPv4 settings
 * @param warnings   what was legal but doubtful, as {@code FILE:LINE: KEY: MESSAGE}
 */
public record ForwarderConfig(
    String name,
    boolean jmx,
    List<PortConfig> ports,
    List<RouteConfig> routes,
    List<NeighbourConfig> neighbours,
    PoolConfig pool,
    PipelineConfig pipeline,
    ArpConfig arp,
    IpConfig ip,
    List<ConfigProblem> warnings) {

    /**
     * The forwarder's stages, as a thread layout names them: {@code rx} receives on every queue of every port,
     * {@code ip} does Ethernet, ARP, IPv4, ICMP and routing, {@code tx} transmits on every port.
     */
    public static final List<String> STAGES = List.of("rx", "ip", "tx");
    public static final String NAME_DEFAULT = "sluice";
    public static final boolean JMX_DEFAULT = true;
    /** The longest {@code pipeline.drainTimeout} accepted. */
    public static final Duration DRAIN_MAX = Duration.ofHours(1);

    public ForwarderConfig {
        Objects.requireNonNull(name, "name");
        ports = List.copyOf(ports);
        routes = List.copyOf(routes);
        neighbours = List.copyOf(neighbours);
        Objects.requireNonNull(arp, "arp");
        Objects.requireNonNull(ip, "ip");
        warnings = List.copyOf(warnings);
        PoolConfig p = new PoolConfig().slots(pool.slots()).cacheSize(pool.cacheSize()).reserve(pool.reserve())
            .name(pool.name()).jmx(pool.jmx());
        pool = p.conclude();
        pipeline = pipeline.copy().conclude();
        // What the readers check with file and line, checked again for records built by hand.
        Set<String> names = new HashSet<>();
        for (PortConfig port : ports) {
            if (!names.add(port.name())) {
                throw new ConfigException(port.origin() + ": port name " + port.name() + " is used twice");
            }
        }
        for (RouteConfig r : routes) {
            if (!names.contains(r.port())) {
                throw new ConfigException(r.origin() + ": route " + r + ": there is no port " + r.port());
            }
        }
        for (NeighbourConfig n : neighbours) {
            if (!names.contains(n.port())) {
                throw new ConfigException(n.origin() + ": neighbour " + n + ": there is no port " + n.port());
            }
        }
    }

    /** A copy of the pipeline settings (a {@link PipelineConfig} is mutable). */
    @Override
    public PipelineConfig pipeline() {
        return pipeline.copy();
    }

    /** The port named {@code name}. */
    public java.util.Optional<PortConfig> port(String name) {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Reads and checks the HOCON file {@code file}. Errors name the file as given ({@code lab.conf:14: ...});
     * {@code include}d files are read relative to it and errors in them name them.
     *
     * @throws ConfigException listing every problem, one per line, as {@code FILE:LINE: KEY: MESSAGE}
     */
    public static ForwarderConfig load(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(new ConfigProblem(new Origin(name, -1), "",
                Files.exists(file) ? "is not a regular file" : "no such file"));
        }
        if (!Files.isReadable(file)) {
            throw new ConfigException(new ConfigProblem(new Origin(name, -1), "", "cannot be read (permission denied)"));
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)
                .setSyntax(ConfigSyntax.CONF)).resolve();
        } catch (com.typesafe.config.ConfigException e) {
            throw ForwarderConfigReader.translate(e, name);
        }
        return new ForwarderConfigReader(name, availableProcessors()).read(c.root());
    }

    /**
     * Parses and checks HOCON {@code text}; {@code originName} names it in errors, as a file name would.
     *
     * @throws ConfigException listing every problem, one per line, as {@code ORIGIN:LINE: KEY: MESSAGE}
     */
    public static ForwarderConfig parse(String text, String originName) {
        return parse(text, originName, availableProcessors());
    }

    /** {@link #parse(String, String)} checking CPU numbers against {@code cpus} CPUs. */
    static ForwarderConfig parse(String text, String originName, int cpus) {
        Config c;
        try {
            c = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(originName)
                .setSyntax(ConfigSyntax.CONF).setAllowMissing(false)).resolve();
        } catch (com.typesafe.config.ConfigException e) {
            throw ForwarderConfigReader.translate(e, originName);
        }
        return new ForwarderConfigReader(originName, cpus).read(c.root());
    }

    private static int availableProcessors() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** A builder for configurations made in code; {@link Builder#build()} checks them as a file is checked. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings made in code. Each setter records the value as a file would hold it; {@link #build()} then runs
     * the same checks as {@link #load}, so errors read {@code builder: ports[0].address: ...}. Unset settings
     * take their defaults.
     */
    public static final class Builder {
        private final Map<String, Object> engine = new LinkedHashMap<>();
        private final Map<String, Object> pool = new LinkedHashMap<>();
        private final Map<String, Object> pipeline = new LinkedHashMap<>();
        private final Map<String, Object> arp = new LinkedHashMap<>();
        private final Map<String, Object> ip = new LinkedHashMap<>();
        private final List<Object> ports = new ArrayList<>();
        private final List<Object> routes = new ArrayList<>();
        private final List<Object> neighbours = new ArrayList<>();
        private int cpus = availableProcessors();

        private Builder() {
        }

        /** {@code engine.name}. */
        public Builder name(String name) {
            engine.put("name", name);
            return this;
        }

        /** {@code engine.jmx}. */
        public Builder jmx(boolean jmx) {
            engine.put("jmx", jmx);
            return this;
        }

        /** {@code pool.*}: slots, cache size and reserve (the pool's name and JMX come from the engine). */
        public Builder pool(PoolConfig p) {
            pool.put("slots", p.slots());
            pool.put("cacheSize", p.cacheSize());
            pool.put("reserve", p.reserve());
            return this;
        }

        /** {@code pipeline.*}. */
        public Builder pipeline(PipelineConfig p) {
            pipeline.put("layout", p.layout());
            pipeline.put("idle", p.idle());
            pipeline.put("realtime", p.realtime());
            pipeline.put("backPressure", p.backPressure());
            pipeline.put("ringSize", p.ringSize());
            pipeline.put("batch", p.batch());
            pipeline.put("drainTimeout", Duration.ofMillis(p.drainMillis()));
            return this;
        }

        /** {@code arp.*}. */
        public Builder arp(ArpConfig a) {
            arp.put("cacheTimeout", a.cacheTimeout());
            arp.put("pendingPerHop", a.pendingPerHop());
            arp.put("maxEntries", a.maxEntries());
            return this;
        }

        /** {@code ip.*}. */
        public Builder ip(IpConfig i) {
            ip.put("defaultTtl", i.defaultTtl());
            ip.put("icmpRateLimit", i.icmpRateLimit());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("maxDatagrams", i.reassembly().maxDatagrams());
            r.put("maxFragments", i.reassembly().maxFragments());
            r.put("maxPbufs", i.reassembly().maxPbufs());
            r.put("timeout", i.reassembly().timeout());
            ip.put("reassembly", r);
            return this;
        }

        /** Adds a port named {@code name}; {@code spec} sets the rest (the interface and address at least). */
        public Builder port(String name, Consumer<PortBuilder> spec) {
            PortBuilder b = new PortBuilder();
            if (name != null) {
                b.values.put("name", name);
            }
            spec.accept(b);
            if (!b.options.isEmpty()) {
                // The section is named after the backend, as in a file.
                b.values.put(String.valueOf(b.values.getOrDefault("backend", PortConfig.BACKEND_DEFAULT.configName())),
                    b.options);
            }
            ports.add(b.values);
            return this;
        }

        /**
         * Adds a route to {@code prefix} ({@code A.B.C.D/LEN}) through gateway {@code via} and/or port
         * {@code port}; either may be null, not both.
         */
        public Builder route(String prefix, String via, String port) {
            Map<String, Object> r = new LinkedHashMap<>();
            putIfSet(r, "prefix", prefix);
            putIfSet(r, "via", via);
            putIfSet(r, "port", port);
            routes.add(r);
            return this;
        }

        /** Adds a static neighbour; {@code port} may be null (the port whose subnet holds the address). */
        public Builder neighbour(String address, String mac, String port) {
            Map<String, Object> n = new LinkedHashMap<>();
            putIfSet(n, "address", address);
            putIfSet(n, "mac", mac);
            putIfSet(n, "port", port);
            neighbours.add(n);
            return this;
        }

        /** Checks CPU numbers against {@code n} CPUs instead of this machine's (for a config made for another). */
        public Builder cpus(int n) {
            cpus = n;
            return this;
        }

        /**
         * Checks every setting and builds the configuration.
         *
         * @throws ConfigException listing every problem as {@code builder: KEY: MESSAGE}
         */
        public ForwarderConfig build() {
            Map<String, Object> root = new LinkedHashMap<>();
            putIfNotEmpty(root, "engine", engine);
            putIfNotEmpty(root, "pool", pool);
            putIfNotEmpty(root, "pipeline", pipeline);
            putIfNotEmpty(root, "arp", arp);
            putIfNotEmpty(root, "ip", ip);
            root.put("ports", ports);
            root.put("routes", routes);
            root.put("neighbours", neighbours);
            String source = Origin.BUILDER.source();
            return new ForwarderConfigReader(source, cpus).read(ConfigValueFactory.fromMap(root, source));
        }

        private static void putIfNotEmpty(Map<String, Object> m, String key, Map<String, Object> v) {
            if (!v.isEmpty()) {
                m.put(key, v);
            }
        }
    }

    /** The settings of one port made in code. */
    public static final class PortBuilder {
        private final Map<String, Object> values = new LinkedHashMap<>();
        private final Map<String, Object> options = new LinkedHashMap<>();

        private PortBuilder() {
        }

        /** {@code interface}: the network interface. */
        public PortBuilder interfaceName(String v) {
            values.put("interface", v);
            return this;
        }

        /** {@code netns}: the network namespace the interface lives in. */
        public PortBuilder netns(String v) {
            putIfSet(values, "netns", v);
            return this;
        }

        /** {@code backend}: {@code afpacket} (the default) or {@code io_uring}. */
        public PortBuilder backend(PortConfig.Backend v) {
            values.put("backend", v.configName());
            return this;
        }

        /** {@code address}: {@code A.B.C.D/LEN}. */
        public PortBuilder address(String v) {
            values.put("address", v);
            return this;
        }

        public PortBuilder mtu(int v) {
            values.put("mtu", v);
            return this;
        }

        /** {@code mac}: {@code XX:XX:XX:XX:XX:XX}. */
        public PortBuilder mac(String v) {
            putIfSet(values, "mac", v);
            return this;
        }

        public PortBuilder queues(int v) {
            values.put("queues", v);
            return this;
        }

        public PortBuilder fanout(PortConfig.Fanout v) {
            values.put("fanout", v.configName());
            return this;
        }

        /**
         * A setting of the backend's section ({@code afpacket { NAME = VALUE }} or {@code io_uring { ... }}), as
         * a number, boolean or string; native-io reads it.
         */
        public PortBuilder option(String name, Object value) {
            options.put(name, value);
            return this;
        }
    }

    private static void putIfSet(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }
}
