package io.sluice.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns a parsed HOCON tree into a {@link ForwarderConfig}, collecting every problem with its file, line and
 * key before anything is built. Files, parsed text and the builder all come through here.
 *
 * <p>Each reader method records a problem and returns null when a value is wrong (or required and missing);
 * the checks between settings skip what is null, so one mistake is reported once. Only when no problem was
 * found are the records built.
 */
final class ForwarderConfigReader {
    static final List<String> TOP_KEYS =
        List.of("engine", "pool", "pipeline", "ports", "routes", "neighbours", "arp", "ip");
    static final List<String> ENGINE_KEYS = List.of("name", "jmx");
    static final List<String> POOL_KEYS = List.of("slots", "cacheSize", "reserve");
    static final List<String> PIPELINE_KEYS =
        List.of("layout", "idle", "realtime", "backPressure", "ringSize", "batch", "drainTimeout");
    static final List<String> PORT_KEYS = List.of("name", "interface", "netns", "backend", "address", "mtu", "mac",
        "queues", "fanout", "afpacket", "io_uring");
    static final List<String> ROUTE_KEYS = List.of("prefix", "via", "port");
    static final List<String> NEIGHBOUR_KEYS = List.of("address", "mac", "port");
    static final List<String> ARP_KEYS = List.of("cacheTimeout", "pendingPerHop", "maxEntries");
    static final List<String> IP_KEYS = List.of("defaultTtl", "icmpRateLimit", "reassembly");
    static final List<String> REASSEMBLY_KEYS = List.of("maxDatagrams", "maxFragments", "maxPbufs", "timeout");
    static final List<String> IDLE = List.of("busy", "yield", "backoff", "sleep");
    static final List<String> REALTIME = List.of("off", "rr", "fifo");
    static final List<String> BACKPRESSURE = List.of("hold", "drop");
    static final List<String> BACKENDS = List.of("afpacket", "io_uring");
    static final List<String> FANOUTS = List.of("hash", "lb", "cpu", "qm");
    /** Keys of a backend section that the port's own keys set. */
    static final Map<String, String> RESERVED_OPTIONS =
        Map.of("interfaceName", "interface", "portName", "name", "fanout", "fanout");
    /** For an unknown top-level key that belongs in a section: which one. */
    private static final Map<String, String> SECTION_OF = sectionOf();

    private final String source;
    private final int cpus;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();
    /** {@code pool.slots} once read, null if wrong. */
    private Integer poolSlots;

    ForwarderConfigReader(String source, int cpus) {
        this.source = source;
        this.cpus = cpus;
    }

    private static Map<String, String> sectionOf() {
        Map<String, String> m = new LinkedHashMap<>();
        ENGINE_KEYS.forEach(k -> m.putIfAbsent(k, "engine"));
        POOL_KEYS.forEach(k -> m.putIfAbsent(k, "pool"));
        PIPELINE_KEYS.forEach(k -> m.putIfAbsent(k, "pipeline"));
        ARP_KEYS.forEach(k -> m.putIfAbsent(k, "arp"));
        IP_KEYS.forEach(k -> m.putIfAbsent(k, "ip"));
        REASSEMBLY_KEYS.forEach(k -> m.putIfAbsent(k, "ip.reassembly"));
        m.putIfAbsent("port", "ports");
        m.putIfAbsent("route", "routes");
        m.putIfAbsent("neighbour", "neighbours");
        return m;
    }

    /** A Lightbend Config exception (syntax, substitution, I/O) as one of ours, with file and line. */
    static ConfigException translate(com.typesafe.config.ConfigException e, String source) {
        String msg = e.getMessage();
        if (e.origin() != null && msg.startsWith(e.origin().description() + ": ")) {
            msg = msg.substring(e.origin().description().length() + 2);
        }
        String what = switch (e) {
            case com.typesafe.config.ConfigException.UnresolvedSubstitution _ -> "substitution: ";
            case com.typesafe.config.ConfigException.Parse _ -> "syntax error: ";
            case com.typesafe.config.ConfigException.IO _ -> "cannot read: ";
            default -> "";
        };
        return new ConfigException(new ConfigProblem(Origin.of(e.origin(), source), "", what + msg));
    }

    // ---------------------------------------------------------------------------------------------- reading

    ForwarderConfig read(ConfigObject root) {
        Section top = new Section(root, "", origin(root), TOP_KEYS);

        Section engine = section(top, "engine", ENGINE_KEYS);
        String name = string(engine, "name", ForwarderConfig.NAME_DEFAULT, null);
        if (name != null && !name.matches(PortConfig.NAME_PATTERN)) {
            error(engine, "name", quote(name) + " is not a name: 1 to 32 letters, digits, '.', '_' or '-'");
            name = null;
        }
        Boolean jmx = bool(engine, "jmx", ForwarderConfig.JMX_DEFAULT);
        engine.checkKeys();

        Section poolSection = section(top, "pool", POOL_KEYS);
        PoolConfig pool = readPool(poolSection, name, jmx);
        PipelineConfig pipeline = readPipeline(section(top, "pipeline", PIPELINE_KEYS));
        Section arpSection = section(top, "arp", ARP_KEYS);
        ArpValues arp = readArp(arpSection);
        Section ipSection = section(top, "ip", IP_KEYS);
        IpConfig ip = readIp(ipSection);

        List<PortDraft> ports = readPorts(top);
        List<RouteDraft> routes = readRoutes(top, ports);
        List<NeighbourDraft> neighbours = readNeighbours(top, ports);
        if (arp.maxEntries != null && neighbours.size() > arp.maxEntries) {
            error(arpSection, "maxEntries", arp.maxEntries + " is fewer than the " + neighbours.size()
                + " static neighbours, which the cache must hold");
        }
        top.checkKeys();

        if (!errors.isEmpty()) {
            throw new ConfigException(sorted(errors));
        }
        List<PortConfig> portConfigs = ports.stream().map(PortDraft::build).toList();
        List<RouteConfig> routeConfigs = routes.stream()
            .map(r -> new RouteConfig(r.prefix.network(), r.prefix.length(), r.via == null ? 0 : r.via, r.port.name,
                r.section.origin))
            .toList();
        List<NeighbourConfig> neighbourConfigs = neighbours.stream()
            .map(n -> new NeighbourConfig(n.address, n.mac, n.port.name, n.section.origin))
            .toList();
        return new ForwarderConfig(name, jmx, portConfigs, routeConfigs, neighbourConfigs, pool, pipeline,
            new ArpConfig(arp.cacheTimeout, arp.pendingPerHop, arp.maxEntries), ip, sorted(warnings));
    }

    private PoolConfig readPool(Section s, String engineName, Boolean jmx) {
        Integer slots = integer(s, "slots", PoolConfig.SLOTS_DEFAULT, 1, PoolConfig.SLOTS_MAX);
        poolSlots = slots;
        Integer cache = integer(s, "cacheSize", PoolConfig.CACHE_DEFAULT, 2, 65534);
        if (cache != null && cache % 2 != 0) {
            error(s, "cacheSize", cache + " is odd; allowed: an even number in 2..65534 (half moves per refill)");
            cache = null;
        }
        Integer reserve = null;
        if (s.get("reserve") == null) {
            reserve = PoolConfig.RESERVE_DEFAULT;
        } else if (slots != null) {
            reserve = integer(s, "reserve", -1, -1, slots - 1L);
        }
        s.checkKeys();
        if (slots == null || cache == null || reserve == null || engineName == null || jmx == null) {
            return null;
        }
        PoolConfig p = new PoolConfig().slots(slots).cacheSize(cache).reserve(reserve).name(engineName).jmx(jmx);
        try {
            return p.conclude();
        } catch (ConfigException e) {
            error(s, "", e.getMessage());
            return null;
        }
    }

    private PipelineConfig readPipeline(Section s) {
        String layout = string(s, "layout", PipelineConfig.LAYOUT_DEFAULT, null);
        if (layout != null && !checkLayout(s, layout)) {
            layout = null;
        }
        String idle = choice(s, "idle", PipelineConfig.IDLE_DEFAULT, IDLE);
        String realtime = choice(s, "realtime", PipelineConfig.REALTIME_DEFAULT, REALTIME);
        String bp = choice(s, "backPressure", PipelineConfig.BACKPRESSURE_DEFAULT, BACKPRESSURE);
        Integer ring = integer(s, "ringSize", PipelineConfig.RING_DEFAULT, 2, 1 << 24);
        if (ring != null && Integer.bitCount(ring) != 1) {
            error(s, "ringSize", ring + " is not a power of two; allowed: a power of two in 2..16777216, such as "
                + Integer.highestOneBit(ring) + " or " + Integer.highestOneBit(ring) * 2);
            ring = null;
        }
        Integer batch = integer(s, "batch", PipelineConfig.BATCH_DEFAULT, 1, 1024);
        Duration drain = duration(s, "drainTimeout", Duration.ofMillis(PipelineConfig.DRAIN_DEFAULT), Duration.ZERO,
            ForwarderConfig.DRAIN_MAX);
        s.checkKeys();
        if (layout == null || idle == null || realtime == null || bp == null || ring == null || batch == null || drain == null) {
            return null;
        }
        PipelineConfig p = new PipelineConfig().layout(layout).idle(idle).realtime(realtime).backPressure(bp).ringSize(ring)
            .batch(batch).drainMillis((int) drain.toMillis());
        try {
            return p.conclude();
        } catch (ConfigException e) {
            error(s, "", e.getMessage());
            return null;
        }
    }

    /**
     * Checks a thread layout against {@link ForwarderConfig#STAGES}, as the engine's ThreadLayout will: groups
     * split by {@code |}, stages joined by {@code +}, an optional {@code @cpu}, each stage exactly once. A CPU
     * this machine lacks is a warning: the engine then runs that thread unpinned, and the file may be meant
     * for a larger machine.
     */
    private boolean checkLayout(Section s, String layout) {
        String spec = layout.trim();
        if (spec.equals("fused") || spec.equals("per-stage")) {
            return true;
        }
        String shape = "; allowed: fused, per-stage, or groups of stages such as \"rx+ip | tx@1\" (stages "
            + String.join(", ", ForwarderConfig.STAGES) + ")";
        if (spec.isEmpty()) {
            error(s, "layout", "is empty" + shape);
            return false;
        }
        int before = errors.size();
        Set<String> seen = new LinkedHashSet<>();
        for (String part : spec.split("\\|", -1)) {
            String group = part.trim();
            int at = group.indexOf('@');
            if (at >= 0) {
                String c = group.substring(at + 1).trim();
                int cpu = -1;
                try {
                    cpu = Integer.parseInt(c);
                } catch (NumberFormatException e) {
                    // reported below
                }
                if (cpu < 0) {
                    error(s, "layout", "in " + quote(layout) + ", CPU " + quote(c) + " is not a CPU number (0, 1, ...)");
                } else if (cpu >= cpus) {
                    warning(s, "layout", "in " + quote(layout) + ", CPU " + cpu + " is beyond this machine's CPUs (0.."
                        + (cpus - 1) + "); the thread will run unpinned here");
                }
                group = group.substring(0, at).trim();
            }
            for (String m : group.split("\\+", -1)) {
                String stage = m.trim();
                if (stage.isEmpty()) {
                    error(s, "layout", "in " + quote(layout) + ", a stage name is missing" + shape);
                } else if (!ForwarderConfig.STAGES.contains(stage)) {
                    error(s, "layout", "in " + quote(layout) + ", stage " + quote(stage) + " is unknown"
                        + Suggest.didYouMeanOrStop(stage, ForwarderConfig.STAGES) + " The stages are: "
                        + String.join(", ", ForwarderConfig.STAGES));
                } else if (!seen.add(stage)) {
                    error(s, "layout", "in " + quote(layout) + ", stage " + quote(stage) + " appears twice; each stage "
                        + "runs on exactly one thread");
                }
            }
        }
        if (errors.size() == before) {
            for (String stage : ForwarderConfig.STAGES) {
                if (!seen.contains(stage)) {
                    error(s, "layout", "in " + quote(layout) + ", stage " + quote(stage) + " has no thread; every "
                        + "stage of " + String.join(", ", ForwarderConfig.STAGES) + " must appear once");
                }
            }
        }
        return errors.size() == before;
    }

    private record ArpValues(Duration cacheTimeout, Integer pendingPerHop, Integer maxEntries) {
    }

    private ArpValues readArp(Section s) {
        Duration timeout = duration(s, "cacheTimeout", ArpConfig.CACHE_TIMEOUT_DEFAULT, ArpConfig.CACHE_TIMEOUT_MIN,
            ArpConfig.CACHE_TIMEOUT_MAX);
        Integer pending = integer(s, "pendingPerHop", ArpConfig.PENDING_PER_HOP_DEFAULT, 1,
            ArpConfig.PENDING_PER_HOP_MAX);
        Integer max = integer(s, "maxEntries", ArpConfig.MAX_ENTRIES_DEFAULT, 1, ArpConfig.MAX_ENTRIES_MAX);
        s.checkKeys();
        return new ArpValues(timeout, pending, max);
    }

    private IpConfig readIp(Section s) {
        Integer ttl = integer(s, "defaultTtl", IpConfig.DEFAULT_TTL_DEFAULT, 1, 255);
        Integer icmp = integer(s, "icmpRateLimit", IpConfig.ICMP_RATE_LIMIT_DEFAULT, 0, IpConfig.ICMP_RATE_LIMIT_MAX);
        Section r = section(s, "reassembly", REASSEMBLY_KEYS);
        Integer datagrams = integer(r, "maxDatagrams", IpConfig.Reassembly.MAX_DATAGRAMS_DEFAULT, 0,
            IpConfig.Reassembly.MAX_DATAGRAMS_MAX);
        Integer fragments = integer(r, "maxFragments", IpConfig.Reassembly.MAX_FRAGMENTS_DEFAULT, 1,
            IpConfig.Reassembly.MAX_FRAGMENTS_MAX);
        // By default reassembly may hold 2048 pbufs, or half of a smaller pool.
        int half = poolSlots == null ? PoolConfig.SLOTS_MAX / 2 : Math.max(1, poolSlots / 2);
        Integer pbufs = integer(r, "maxPbufs", Math.min(IpConfig.Reassembly.MAX_PBUFS_DEFAULT, half), 1,
            PoolConfig.SLOTS_MAX / 2);
        if (pbufs != null && poolSlots != null && r.get("maxPbufs") != null && pbufs > half) {
            error(r, "maxPbufs", pbufs + " is more than half of pool.slots (" + poolSlots + "); allowed: 1.." + half
                + ", so that reassembly cannot starve forwarding");
            pbufs = null;
        }
        Duration timeout = duration(r, "timeout", IpConfig.Reassembly.TIMEOUT_DEFAULT, IpConfig.Reassembly.TIMEOUT_MIN,
            IpConfig.Reassembly.TIMEOUT_MAX);
        r.checkKeys();
        s.checkKeys();
        if (ttl == null || icmp == null || datagrams == null || fragments == null || pbufs == null || timeout == null) {
            return null;
        }
        return new IpConfig(ttl, icmp, new IpConfig.Reassembly(datagrams, fragments, pbufs, timeout));
    }

    // ------------------------------------------------------------------------------------------------ ports

    private static final class PortDraft {
        final Section section;
        String name;
        String iface;
        String netns;
        PortConfig.Backend backend;
        Ipv4.Prefix address;
        OptionalInt mtu = OptionalInt.empty();
        Optional<MacAddress> mac = Optional.empty();
        int queues = PortConfig.QUEUES_DEFAULT;
        PortConfig.Fanout fanout = PortConfig.FANOUT_DEFAULT;
        final Map<String, Setting> options = new LinkedHashMap<>();

        PortDraft(Section section) {
            this.section = section;
        }

        PortConfig build() {
            return new PortConfig(name, iface, Optional.ofNullable(netns), backend, address.address(),
                address.length(), mtu, mac, queues, fanout, options, section.origin);
        }

        String describe() {
            return "port " + name + " (" + section.origin + ")";
        }
    }

    private List<PortDraft> readPorts(Section top) {
        List<Section> items = list(top, "ports", PORT_KEYS, "{ name = ..., interface = ..., address = ... }");
        if (items != null && items.isEmpty()) {
            error(top, "ports", (top.get("ports") == null ? "missing" : "is empty")
                + "; required: at least one port, as ports = [ { interface = eth0, address = \"10.0.0.1/24\" } ]");
        }
        List<PortDraft> ports = new ArrayList<>();
        for (Section p : items == null ? List.<Section>of() : items) {
            PortDraft d = new PortDraft(p);
            d.iface = string(p, "interface", null, "the network interface, such as eth0");
            if (d.iface != null && PortConfig.interfaceProblem(d.iface) != null) {
                error(p, "interface", quote(d.iface) + " " + PortConfig.interfaceProblem(d.iface));
                d.iface = null;
            }
            d.name = string(p, "name", d.iface, null);
            if (d.name != null && !d.name.matches(PortConfig.NAME_PATTERN)) {
                error(p, "name", quote(d.name) + " is not a port name: 1 to 32 letters, digits, '.', '_' or '-'"
                    + (p.get("name") == null ? " (the name defaults to the interface's; set name)" : ""));
                d.name = null;
            }
            d.netns = string(p, "netns", null, null);
            if (d.netns != null && PortConfig.netnsProblem(d.netns) != null) {
                error(p, "netns", quote(d.netns) + " " + PortConfig.netnsProblem(d.netns));
                d.netns = null;
            }
            String backend = choice(p, "backend", PortConfig.BACKEND_DEFAULT.configName(), BACKENDS);
            d.backend = backend == null ? null
                : backend.equals("afpacket") ? PortConfig.Backend.AFPACKET : PortConfig.Backend.IO_URING;
            d.address = hostPrefix(p, "address");
            if (p.get("mtu") != null) {
                Integer mtu = integer(p, "mtu", 0, PortConfig.MTU_MIN, PortConfig.MTU_MAX);
                d.mtu = mtu == null ? OptionalInt.empty() : OptionalInt.of(mtu);
            }
            d.mac = mac(p, "mac", false);
            Integer queues = integer(p, "queues", PortConfig.QUEUES_DEFAULT, 1, PortConfig.QUEUES_MAX);
            if (queues != null && queues > 1 && d.backend == PortConfig.Backend.IO_URING) {
                error(p, "queues", queues + " queues need backend afpacket (PACKET_FANOUT); an io_uring port has 1");
            }
            d.queues = queues == null ? 1 : queues;
            String fanout = choice(p, "fanout", PortConfig.FANOUT_DEFAULT.configName(), FANOUTS);
            d.fanout = fanout == null ? PortConfig.FANOUT_DEFAULT
                : PortConfig.Fanout.valueOf(fanout.toUpperCase(Locale.ROOT));
            for (String b : BACKENDS) {
                if (p.get(b) != null) {
                    readOptions(p, b, d);
                }
            }
            p.checkKeys();
            ports.add(d);
        }
        // Between ports: names, interfaces and subnets are each one port's.
        for (int i = 0; i < ports.size(); i++) {
            PortDraft d = ports.get(i);
            for (int j = 0; j < i; j++) {
                PortDraft e = ports.get(j);
                if (d.name != null && d.name.equals(e.name)) {
                    error(d.section, "name", quote(d.name) + " is already the name of " + e.section.path + " ("
                        + e.section.origin + "); port names must be unique"
                        + (d.section.get("name") == null ? " (the name defaults to the interface's; set name)" : ""));
                }
                if (d.iface != null && d.iface.equals(e.iface) && java.util.Objects.equals(d.netns, e.netns)) {
                    error(d.section, "interface", quote(d.iface) + (d.netns == null ? "" : " in netns " + d.netns)
                        + " is already used by " + e.describe() + "; one port per interface (for several receive "
                        + "queues, set queues)");
                }
                if (d.address != null && e.address != null
                    && Ipv4.overlap(d.address.address(), d.address.length(), e.address.address(), e.address.length())) {
                    error(d.section, "address", d.address + " overlaps " + e.address + " of " + e.describe()
                        + "; port subnets must not overlap");
                }
            }
        }
        return ports;
    }

    /** A port's backend section: raw settings passed through to native-io, with their origins. */
    private void readOptions(Section p, String section, PortDraft d) {
        ConfigValue v = p.get(section);
        if (d.backend != null && !section.equals(d.backend.configName())) {
            error(p, section, "this section is for backend " + section + ", but the port's backend is "
                + d.backend.configName() + (p.get("backend") == null ? " (the default)" : "")
                + "; rename the section or set backend = " + section);
            return;
        }
        if (v.valueType() != ConfigValueType.OBJECT) {
            error(p, section, describe(v) + " is not a section; write " + section + " { key = value, ... }");
            return;
        }
        ConfigObject o = (ConfigObject) v;
        String path = p.key(section);
        for (Map.Entry<String, ConfigValue> e : byLine(o)) {
            String key = path + "." + e.getKey();
            ConfigValue value = e.getValue();
            Origin origin = origin(value);
            if (RESERVED_OPTIONS.containsKey(e.getKey())) {
                errors.add(new ConfigProblem(origin, key, "is set by the port's own key "
                    + RESERVED_OPTIONS.get(e.getKey()) + "; remove it here"));
            } else if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
                errors.add(new ConfigProblem(origin, key, describe(value) + " is not allowed; a backend setting is a "
                    + "number, a string or a boolean"));
            } else if (value.valueType() != ConfigValueType.NULL) {
                d.options.put(e.getKey(), new Setting(key, e.getKey(), String.valueOf(value.unwrapped()), origin));
            }
        }
    }

    /** A port address: {@code A.B.C.D/LEN}, a host's address, length 1..32. */
    private Ipv4.Prefix hostPrefix(Section s, String key) {
        Ipv4.Prefix p = prefix(s, key, "this forwarder's address on the port and its prefix length, as A.B.C.D/LEN");
        if (p == null) {
            return null;
        }
        if (p.length() == 0) {
            error(s, key, quote(p.toString()) + " has prefix length 0; a port's subnet takes a length in 1..32");
            return null;
        }
        String martian = Ipv4.martian(p.address());
        if (martian != null) {
            error(s, key, quote(p.toString()) + ": " + Ipv4.format(p.address()) + " " + martian
                + "; a port needs a unicast address");
            return null;
        }
        if (p.length() <= 30) {
            int broadcast = p.network() | ~Ipv4.mask(p.length());
            if (p.address() == p.network() || p.address() == broadcast) {
                error(s, key, quote(p.toString()) + " is the " + (p.address() == broadcast ? "broadcast" : "network")
                    + " address of its subnet; a port needs a host address, such as "
                    + new Ipv4.Prefix(p.network() + 1, p.length()));
                return null;
            }
        }
        return p;
    }

    // ----------------------------------------------------------------------------------- routes, neighbours

    private record RouteDraft(Section section, Ipv4.Prefix prefix, Integer via, PortDraft port) {
    }

    private List<RouteDraft> readRoutes(Section top, List<PortDraft> ports) {
        List<Section> items = list(top, "routes", ROUTE_KEYS, "{ prefix = \"A.B.C.D/LEN\", via = A.B.C.D }");
        List<RouteDraft> routes = new ArrayList<>();
        for (Section r : items == null ? List.<Section>of() : items) {
            Ipv4.Prefix prefix = prefix(r, "prefix", "the destination network, as A.B.C.D/LEN (0.0.0.0/0 for the "
                + "default route)");
            if (prefix != null && prefix.hasHostBits()) {
                error(r, "prefix", quote(prefix.toString()) + " has host bits set; did you mean "
                    + new Ipv4.Prefix(prefix.network(), prefix.length()) + "?");
                prefix = null;
            }
            Integer via = address(r, "via", false);
            PortDraft port = portRef(r, ports);
            boolean portValid = r.get("port") == null || port != null;
            if (r.get("via") == null && r.get("port") == null) {
                error(r, "", "needs via (a gateway's address), port (an egress port's name), or both");
            }
            if (via != null) {
                port = gateway(r, "via", via, port, ports, "a gateway must be directly reachable");
            }
            if (prefix != null) {
                for (RouteDraft o : routes) {
                    if (o.prefix != null && o.prefix.equals(prefix)) {
                        error(r, "prefix", prefix + " is already routed by " + o.section.path + " (" + o.section.origin
                            + "); one route per prefix");
                    }
                }
                for (PortDraft p : ports) {
                    if (p.address != null && p.address.network() == prefix.network()
                        && p.address.length() == prefix.length()) {
                        if (via == null && r.get("via") == null && port == p) {
                            warning(r, "prefix", prefix + " is the connected route of " + p.describe()
                                + " already; connected routes are implicit, this entry can go");
                        } else if (port != null || via != null) {
                            error(r, "prefix", prefix + " is the subnet of " + p.describe()
                                + ", reached directly through it; a route may not send it elsewhere");
                        }
                    }
                }
            }
            // Complete only when no problem was found: the records are built only then.
            routes.add(new RouteDraft(r, prefix, via, portValid ? port : null));
        }
        return routes;
    }

    private record NeighbourDraft(Section section, int address, MacAddress mac, PortDraft port) {
    }

    private List<NeighbourDraft> readNeighbours(Section top, List<PortDraft> ports) {
        List<Section> items = list(top, "neighbours", NEIGHBOUR_KEYS,
            "{ address = A.B.C.D, mac = \"XX:XX:XX:XX:XX:XX\" }");
        List<NeighbourDraft> neighbours = new ArrayList<>();
        Map<Integer, Section> seen = new LinkedHashMap<>();
        for (Section n : items == null ? List.<Section>of() : items) {
            Integer address = address(n, "address", true);
            Optional<MacAddress> mac = mac(n, "mac", true);
            PortDraft port = portRef(n, ports);
            boolean portValid = n.get("port") == null || port != null;
            if (address != null) {
                port = gateway(n, "address", address, port, ports, "a neighbour must be directly reachable");
                Section before = seen.putIfAbsent(address, n);
                if (before != null) {
                    error(n, "address", Ipv4.format(address) + " is already the address of " + before.path + " ("
                        + before.origin + "); one entry per neighbour");
                }
            }
            if (address != null && mac.isPresent() && port != null && portValid) {
                neighbours.add(new NeighbourDraft(n, address, mac.get(), port));
            } else {
                neighbours.add(new NeighbourDraft(n, 0, null, null));
            }
        }
        return neighbours;
    }

    /** The port named by {@code port} in {@code s}, or null when absent (or unknown: reported). */
    private PortDraft portRef(Section s, List<PortDraft> ports) {
        String name = string(s, "port", null, null);
        if (name == null) {
            return null;
        }
        for (PortDraft p : ports) {
            if (name.equals(p.name)) {
                return p;
            }
        }
        List<String> names = ports.stream().map(p -> p.name).filter(java.util.Objects::nonNull).distinct().toList();
        String hint = ports.stream().filter(p -> name.equals(p.iface) && p.name != null).findFirst()
            .map(p -> "; " + name + " is the interface of port " + p.name + ", use the port's name.")
            .orElse(Suggest.didYouMeanOrStop(name, names));
        error(s, "port", "there is no port " + quote(name) + hint + " The ports are: " + String.join(", ", names));
        return null;
    }

    /**
     * Checks that {@code addr} (a gateway or a neighbour) is a host of {@code port}'s subnet, or when no port is
     * given finds the port whose subnet holds it; returns that port, or null (reported).
     */
    private PortDraft gateway(Section s, String key, int addr, PortDraft port, List<PortDraft> ports, String why) {
        PortDraft on = port;
        if (on == null && s.get("port") == null) {
            for (PortDraft p : ports) {
                if (p.address != null && Ipv4.contains(p.address.address(), p.address.length(), addr)) {
                    on = p;
                }
            }
            if (on == null) {
                List<String> subnets = ports.stream().filter(p -> p.address != null && p.name != null)
                    .map(p -> p.name + " " + p.address).toList();
                error(s, key, Ipv4.format(addr) + " is not inside any port's subnet (" + String.join(", ", subnets)
                    + "); " + why);
                return null;
            }
        }
        if (on == null || on.address == null) {
            return on;
        }
        Ipv4.Prefix p = on.address;
        if (!Ipv4.contains(p.address(), p.length(), addr)) {
            error(s, key, Ipv4.format(addr) + " is not inside the subnet of port " + on.name + " (" + p + "); " + why);
            return null;
        }
        if (addr == p.address()) {
            error(s, key, Ipv4.format(addr) + " is this forwarder's own address on port " + on.name);
            return null;
        }
        if (p.length() <= 30 && (addr == p.network() || addr == (p.network() | ~Ipv4.mask(p.length())))) {
            error(s, key, Ipv4.format(addr) + " is the " + (addr == p.network() ? "network" : "broadcast")
                + " address of port " + on.name + "'s subnet (" + p + "); " + why);
            return null;
        }
        return on;
    }

    // ------------------------------------------------------------------------------------------ value types

    /** An object being read: its keys are marked as they are read, the rest reported as unknown. */
    private final class Section {
        final ConfigObject obj;
        final String path;
        final Origin origin;
        final List<String> known;

        Section(ConfigObject obj, String path, Origin origin, List<String> known) {
            this.obj = obj;
            this.path = path;
            this.origin = origin;
            this.known = known;
        }

        /** The value at {@code k}, or null when absent or null. */
        ConfigValue get(String k) {
            ConfigValue v = obj.get(k);
            return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
        }

        String key(String k) {
            return k.isEmpty() ? path : path.isEmpty() ? k : path + "." + k;
        }

        /** Where {@code k} was set, or where this section was when it was not. */
        Origin origin(String k) {
            ConfigValue v = k.isEmpty() ? null : obj.get(k);
            return v == null ? origin : ForwarderConfigReader.this.origin(v);
        }

        void checkKeys() {
            for (Map.Entry<String, ConfigValue> e : byLine(obj)) {
                if (!known.contains(e.getKey())) {
                    String msg = Suggest.unknownKey(e.getKey(), known);
                    if (path.isEmpty() && SECTION_OF.containsKey(e.getKey())
                        && Suggest.closest(e.getKey(), known) == null) {
                        msg = "unknown key; " + e.getKey() + " belongs in section " + SECTION_OF.get(e.getKey())
                            + ". The keys here are: " + String.join(", ", known);
                    }
                    errors.add(new ConfigProblem(ForwarderConfigReader.this.origin(e.getValue()), key(e.getKey()), msg));
                }
            }
        }
    }

    private Origin origin(ConfigValue v) {
        return Origin.of(v.origin(), source);
    }

    private static List<Map.Entry<String, ConfigValue>> byLine(ConfigObject o) {
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(o.entrySet());
        entries.sort(Comparator.comparingInt((Map.Entry<String, ConfigValue> e) -> e.getValue().origin().lineNumber())
            .thenComparing(Map.Entry::getKey));
        return entries;
    }

    /** The section at {@code key} of {@code parent}, empty when absent (or not a section: reported). */
    private Section section(Section parent, String key, List<String> known) {
        ConfigValue v = parent.get(key);
        if (v != null && v.valueType() == ConfigValueType.OBJECT) {
            return new Section((ConfigObject) v, parent.key(key), origin(v), known);
        }
        if (v != null) {
            error(parent, key, describe(v) + " is not a section; write " + key + " { ... }");
        }
        return new Section(ConfigFactory.empty().root(), parent.key(key), parent.origin(key), known);
    }

    /** The sections of the list at {@code key}: empty when absent, null when not a list (reported). */
    private List<Section> list(Section parent, String key, List<String> known, String example) {
        ConfigValue v = parent.get(key);
        if (v == null) {
            return List.of();
        }
        if (v.valueType() != ConfigValueType.LIST) {
            error(parent, key, describe(v) + " is not a list; write " + key + " = [ " + example + ", ... ]");
            return null;
        }
        List<Section> out = new ArrayList<>();
        ConfigList l = (ConfigList) v;
        for (int i = 0; i < l.size(); i++) {
            ConfigValue e = l.get(i);
            String path = parent.key(key) + "[" + i + "]";
            if (e.valueType() == ConfigValueType.OBJECT) {
                out.add(new Section((ConfigObject) e, path, origin(e), known));
            } else {
                errors.add(new ConfigProblem(origin(e), path, describe(e) + " is not a section; each element is "
                    + example));
            }
        }
        return out;
    }

    /** A string (numbers and booleans taken as written); {@code required} describes a required one. */
    private String string(Section s, String key, String def, String required) {
        ConfigValue v = s.get(key);
        if (v == null) {
            if (required != null) {
                error(s, key, "missing; required: " + required);
            }
            return def;
        }
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            error(s, key, describe(v) + " is not a string");
            return null;
        }
        String text = String.valueOf(v.unwrapped()).trim();
        if (text.isEmpty()) {
            error(s, key, "is empty" + (required != null ? "; required: " + required : ""));
            return null;
        }
        return text;
    }

    /** One of {@code allowed} (case ignored), as written in {@code allowed}. */
    private String choice(Section s, String key, String def, List<String> allowed) {
        ConfigValue v = s.get(key);
        String text = string(s, key, def, null);
        if (text == null || v == null) {
            return text;
        }
        for (String a : allowed) {
            if (a.equalsIgnoreCase(text)) {
                return a;
            }
        }
        error(s, key, Suggest.notOneOf(describe(v), text, allowed));
        return null;
    }

    /** A whole number in {@code min..max}: a HOCON number, or a string of digits ({@code _} may group them). */
    private Integer integer(Section s, String key, int def, long min, long max) {
        ConfigValue v = s.get(key);
        if (v == null) {
            return def;
        }
        String allowed = "; allowed: " + min + ".." + max;
        Long n = null;
        if (v.valueType() == ConfigValueType.NUMBER) {
            Object u = v.unwrapped();
            if (u instanceof Integer || u instanceof Long) {
                n = ((Number) u).longValue();
            }
        } else if (v.valueType() == ConfigValueType.STRING) {
            try {
                n = Long.parseLong(((String) v.unwrapped()).trim().replace("_", ""));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        if (n == null) {
            error(s, key, describe(v) + " is not a whole number" + allowed);
            return null;
        }
        if (n < min || n > max) {
            error(s, key, n + " is out of range" + allowed);
            return null;
        }
        return n.intValue();
    }

    /** A boolean: true/false (also yes/no, on/off, as HOCON reads them). */
    private Boolean bool(Section s, String key, boolean def) {
        ConfigValue v = s.get(key);
        if (v == null) {
            return def;
        }
        if (v.valueType() == ConfigValueType.BOOLEAN) {
            return (Boolean) v.unwrapped();
        }
        if (v.valueType() == ConfigValueType.STRING) {
            switch (((String) v.unwrapped()).trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> {
                    return true;
                }
                case "false", "no", "off" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        error(s, key, describe(v) + " is not a boolean; allowed: true or false");
        return null;
    }

    /**
     * A duration in {@code min..max}: a number and a unit as HOCON writes them ({@code 500ms}, {@code 30s},
     * {@code 5m}, {@code 1h}); a bare number is milliseconds.
     */
    private Duration duration(Section s, String key, Duration def, Duration min, Duration max) {
        ConfigValue v = s.get(key);
        if (v == null) {
            return def;
        }
        String allowed = "; allowed: " + format(min) + ".." + format(max);
        Duration d;
        try {
            d = v.atKey("d").getDuration("d");
        } catch (com.typesafe.config.ConfigException e) {
            error(s, key, describe(v) + " is not a duration (a number and a unit, such as 500ms, 30s or 5m)" + allowed);
            return null;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            error(s, key, describe(v) + " is out of range" + allowed);
            return null;
        }
        return d;
    }

    /** {@code A.B.C.D/LEN}; {@code required} describes it. */
    private Ipv4.Prefix prefix(Section s, String key, String required) {
        ConfigValue v = s.get(key);
        String text = string(s, key, null, required);
        if (text == null) {
            return null;
        }
        try {
            return Ipv4.parsePrefix(text);
        } catch (IllegalArgumentException e) {
            error(s, key, describe(v) + " is not an IPv4 address/prefix; write A.B.C.D/LEN, such as 10.10.1.1/24");
            return null;
        }
    }

    /** A host's address {@code A.B.C.D}: not a martian. */
    private Integer address(Section s, String key, boolean required) {
        ConfigValue v = s.get(key);
        String text = string(s, key, null, required ? "an IPv4 address, as A.B.C.D" : null);
        if (text == null) {
            return null;
        }
        int a;
        try {
            a = Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            error(s, key, describe(v) + " is not an IPv4 address; write A.B.C.D, such as 10.10.2.2");
            return null;
        }
        String martian = Ipv4.martian(a);
        if (martian != null) {
            error(s, key, text + " " + martian + "; a host's unicast address is needed");
            return null;
        }
        return a;
    }

    /** A unicast MAC address. */
    private Optional<MacAddress> mac(Section s, String key, boolean required) {
        ConfigValue v = s.get(key);
        String text = string(s, key, null, required ? "a MAC address, as \"XX:XX:XX:XX:XX:XX\"" : null);
        if (text == null) {
            return Optional.empty();
        }
        MacAddress mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            error(s, key, describe(v) + " is not a MAC address; write six hexadecimal pairs in quotes, such as "
                + "\"02:00:00:00:00:01\"");
            return Optional.empty();
        }
        if (mac.notUnicast() != null) {
            error(s, key, mac + " " + mac.notUnicast() + "; a port or a neighbour needs a unicast address");
            return Optional.empty();
        }
        return Optional.of(mac);
    }

    /** A value as the user wrote it: strings quoted, sections and lists named. */
    private static String describe(ConfigValue v) {
        return switch (v.valueType()) {
            case STRING -> quote((String) v.unwrapped());
            case OBJECT -> "a section { ... }";
            case LIST -> "a list [ ... ]";
            default -> String.valueOf(v.unwrapped());
        };
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private void error(Section s, String key, String message) {
        errors.add(new ConfigProblem(s.origin(key), s.key(key), message));
    }

    private void warning(Section s, String key, String message) {
        warnings.add(new ConfigProblem(s.origin(key), s.key(key), message));
    }

    /** In the order of the files: by source, then line; problems without a line keep their order. */
    private List<ConfigProblem> sorted(List<ConfigProblem> problems) {
        List<ConfigProblem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparing((ConfigProblem p) -> !p.origin().source().equals(source))
            .thenComparing(p -> p.origin().source())
            .thenComparingInt(p -> p.origin().line()));
        return out;
    }
}
