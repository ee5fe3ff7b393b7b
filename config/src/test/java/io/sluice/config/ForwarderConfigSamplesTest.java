package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The samples in {@code config/samples/} parse (every one of them, found by listing the directory, so a new
 * sample is tested without being named here), mean what their comments say, and document every key; the
 * format's documentation ({@code config/README.md}) lists every key too.
 */
class ForwarderConfigSamplesTest {
    /** The module directory: surefire runs in it and also sets {@code basedir}. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ""));
    private static final Path SAMPLES = MODULE.resolve("samples");

    static Stream<Path> samples() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(SAMPLES, "*.conf")) {
            d.forEach(files::add);
        }
        files.sort(null);
        return files.stream();
    }

    @Test
    void theSamplesAreThere() throws IOException {
        List<String> names = samples().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(List.of("all-keys.conf", "demo-lab.conf", "minimal.conf")), names.toString());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everySampleParsesWithoutWarnings(Path sample) {
        ForwarderConfig c = ForwarderConfig.load(sample);
        assertFalse(c.ports().isEmpty());
        assertEquals(List.of(), c.warnings());
    }

    /** The demo lab, every field. */
    @Test
    void demoLab() throws IOException {
        Path file = SAMPLES.resolve("demo-lab.conf");
        String text = Files.readString(file);
        String f = file.toString();
        String netns = Optional.ofNullable(System.getenv("SLUICE_DEMO_NETNS")).orElse("sluice-demo");
        ForwarderConfig c = ForwarderConfig.load(file);

        assertEquals("demo-lab", c.name());
        assertTrue(c.jmx());

        assertEquals(2, c.ports().size());
        PortConfig gen = c.ports().get(0);
        assertEquals("gen", gen.name());
        assertEquals("s-gen", gen.interfaceName());
        assertEquals(Optional.of(netns), gen.netns());
        assertEquals(PortConfig.Backend.AFPACKET, gen.backend());
        assertEquals(Ipv4.parse("10.10.1.1"), gen.address());
        assertEquals(24, gen.prefixLength());
        assertEquals("10.10.1.1/24", gen.addressString());
        assertEquals(Ipv4.parse("10.10.1.0"), gen.network());
        assertEquals(OptionalInt.of(Ipv4.parse("10.10.1.255")), gen.broadcast());
        assertEquals(OptionalInt.empty(), gen.mtu());
        assertEquals(Optional.empty(), gen.mac());
        assertEquals(1, gen.queues());
        assertEquals(PortConfig.Fanout.HASH, gen.fanout());
        assertEquals(Map.of(), gen.options());
        assertEquals(new Origin(f, line(text, "name = gen") - 1), gen.origin());

        PortConfig sink = c.ports().get(1);
        assertEquals("sink", sink.name());
        assertEquals("s-sink", sink.interfaceName());
        assertEquals(Optional.of(netns), sink.netns());
        assertEquals(PortConfig.Backend.AFPACKET, sink.backend());
        assertEquals("10.10.2.1/24", sink.addressString());
        assertEquals(OptionalInt.empty(), sink.mtu());
        assertEquals(Optional.empty(), sink.mac());
        assertEquals(1, sink.queues());
        assertEquals(PortConfig.Fanout.HASH, sink.fanout());
        assertEquals(new Origin(f, line(text, "name = sink") - 1), sink.origin());
        Setting blocks = sink.options().get("rxBlockCount");
        assertEquals(new Setting("ports[1].afpacket.rxBlockCount", "rxBlockCount", "16",
            new Origin(f, line(text, "rxBlockCount = 16"))), blocks);
        assertEquals(16, blocks.asInt(1, 1024));
        assertEquals(List.of("rxBlockCount"), List.copyOf(sink.options().keySet()));

        assertEquals(1, c.routes().size());
        RouteConfig r = c.routes().getFirst();
        assertEquals(Ipv4.parse("198.19.0.0"), r.prefix());
        assertEquals(16, r.length());
        assertTrue(r.hasGateway());
        assertEquals(Ipv4.parse("10.10.2.2"), r.via());
        assertEquals("sink", r.port()); // found from the gateway
        assertEquals(new Origin(f, line(text, "{ prefix = \"198.19.0.0/16\"")), r.origin());
        assertEquals("198.19.0.0/16 via 10.10.2.2 port sink", r.toString());
        assertEquals(List.of(), c.neighbours());

        assertEquals(new PoolConfig().slots(16384).name("demo-lab").jmx(true), c.pool());
        assertEquals(256, c.pool().reserve());
        assertEquals(new PipelineConfig().layout("fused").idle("backoff").backPressure("hold").ringSize(1024)
            .batch(32).drainMillis(5000), c.pipeline());
        assertEquals(new ArpConfig(ArpConfig.CACHE_TIMEOUT_DEFAULT, 256, ArpConfig.MAX_ENTRIES_DEFAULT), c.arp());
        assertEquals(IpConfig.DEFAULTS, c.ip());
        assertEquals(List.of(), c.warnings());
    }

    /** The reference sample, every field; and everything it sets is the default it claims to be. */
    @Test
    void allKeys() throws IOException {
        Path file = SAMPLES.resolve("all-keys.conf");
        String text = Files.readString(file);
        String f = file.toString();
        ForwarderConfig c = ForwarderConfig.load(file);

        assertEquals("sluice", c.name());
        assertTrue(c.jmx());
        PortConfig wan = c.ports().get(0);
        assertEquals(new PortConfig("wan", "eth0", Optional.empty(), PortConfig.Backend.AFPACKET,
            Ipv4.parse("203.0.113.2"), 24, OptionalInt.empty(), Optional.empty(), 1, PortConfig.Fanout.HASH,
            Map.of("rxBlockCount", new Setting("ports[0].afpacket.rxBlockCount", "rxBlockCount", "256",
                    new Origin(f, line(text, "rxBlockCount = 256"))),
                "qdiscBypass", new Setting("ports[0].afpacket.qdiscBypass", "qdiscBypass", "true",
                    new Origin(f, line(text, "qdiscBypass = true")))),
            new Origin(f, line(text, "name = wan") - 1)), wan);
        assertTrue(wan.option("qdiscBypass").orElseThrow().asBoolean());
        PortConfig lan = c.ports().get(1);
        assertEquals(new PortConfig("lan", "eth1", Optional.empty(), PortConfig.Backend.IO_URING,
            Ipv4.parse("192.0.2.1"), 24, OptionalInt.empty(), Optional.empty(), 1, PortConfig.Fanout.HASH,
            Map.of("queueDepth", new Setting("ports[1].io_uring.queueDepth", "queueDepth", "128",
                new Origin(f, line(text, "queueDepth = 128")))),
            new Origin(f, line(text, "name = lan") - 1)), lan);

        assertEquals(List.of(
            new RouteConfig(0, 0, Ipv4.parse("203.0.113.1"), "wan", new Origin(f, line(text, "\"0.0.0.0/0\""))),
            new RouteConfig(Ipv4.parse("198.51.100.0"), 24, Ipv4.parse("192.0.2.254"), "lan",
                new Origin(f, line(text, "\"198.51.100.0/24\""))),
            new RouteConfig(Ipv4.parse("198.18.0.0"), 15, 0, "lan", new Origin(f, line(text, "\"198.18.0.0/15\"")))),
            c.routes());
        assertEquals(List.of(
            new NeighbourConfig(Ipv4.parse("203.0.113.1"), MacAddress.parse("02:00:5e:00:01:01"), "wan",
                new Origin(f, line(text, "address = 203.0.113.1"))),
            new NeighbourConfig(Ipv4.parse("192.0.2.254"), MacAddress.parse("02:00:5e:00:02:fe"), "lan",
                new Origin(f, line(text, "address = 192.0.2.254")))),
            c.neighbours());

        // Every section's values are the defaults, as its comments say.
        ForwarderConfig defaults = ForwarderConfig.load(SAMPLES.resolve("minimal.conf"));
        assertEquals(defaults.name(), c.name());
        assertEquals(defaults.jmx(), c.jmx());
        assertEquals(defaults.pool(), c.pool());
        assertEquals(new PoolConfig().name(ForwarderConfig.NAME_DEFAULT), c.pool());
        assertEquals(defaults.pipeline(), c.pipeline());
        assertEquals(new PipelineConfig(), c.pipeline());
        assertEquals(ArpConfig.DEFAULTS, c.arp());
        assertEquals(IpConfig.DEFAULTS, c.ip());
        assertEquals(new ArpConfig(Duration.ofSeconds(60), 16, 1024), c.arp());
        assertEquals(new IpConfig(64, 200, new IpConfig.Reassembly(64, 16, 2048, Duration.ofSeconds(30))), c.ip());
    }

    @Test
    void minimal() {
        ForwarderConfig c = ForwarderConfig.load(SAMPLES.resolve("minimal.conf"));
        PortConfig p = c.ports().getFirst();
        assertEquals("eth1", p.name()); // named after its interface
        assertEquals("192.0.2.1/24", p.addressString());
        assertEquals(PortConfig.Backend.AFPACKET, p.backend());
        assertEquals(List.of(), c.routes());
        assertEquals(List.of(), c.neighbours());
        assertEquals("sluice", c.pool().name());
    }

    /** all-keys.conf shows every key the reader knows, set or in a comment. */
    @Test
    void allKeysDocumentsEveryKey() throws IOException {
        String text = Files.readString(SAMPLES.resolve("all-keys.conf"));
        for (String key : documentedKeys()) {
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            assertTrue(text.matches("(?s).*\\b" + leaf + " *[={].*"), "all-keys.conf does not show " + key);
        }
    }

    /** config/README.md has a row for every key the reader knows. */
    @Test
    void readmeDocumentsEveryKey() throws IOException {
        String readme = Files.readString(MODULE.resolve("README.md"));
        for (String key : documentedKeys()) {
            assertTrue(readme.contains("| `" + key + "`"), "config/README.md has no row for `" + key + "`");
        }
    }

    private static List<String> documentedKeys() {
        List<String> keys = new ArrayList<>();
        ForwarderConfigReader.ENGINE_KEYS.forEach(k -> keys.add("engine." + k));
        ForwarderConfigReader.POOL_KEYS.forEach(k -> keys.add("pool." + k));
        ForwarderConfigReader.PIPELINE_KEYS.forEach(k -> keys.add("pipeline." + k));
        ForwarderConfigReader.PORT_KEYS.forEach(k -> keys.add("ports[]." + k));
        ForwarderConfigReader.ROUTE_KEYS.forEach(k -> keys.add("routes[]." + k));
        ForwarderConfigReader.NEIGHBOUR_KEYS.forEach(k -> keys.add("neighbours[]." + k));
        ForwarderConfigReader.ARP_KEYS.forEach(k -> keys.add("arp." + k));
        ForwarderConfigReader.IP_KEYS.stream().filter(k -> !k.equals("reassembly")).forEach(k -> keys.add("ip." + k));
        ForwarderConfigReader.REASSEMBLY_KEYS.forEach(k -> keys.add("ip.reassembly." + k));
        return keys;
    }

    /** The 1-based line of the first line of {@code text} that holds {@code snippet}. */
    private static int line(String text, String snippet) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(snippet)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line holds " + snippet);
    }
}
