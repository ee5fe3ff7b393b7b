package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Configurations made in code go through the same checks as files, with {@code builder} as their origin. */
class ForwarderConfigBuilderTest {
    private static ForwarderConfig.Builder demoLab() {
        return ForwarderConfig.builder()
            .name("demo-lab")
            .pool(new PoolConfig().slots(16384))
            .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
            .arp(new ArpConfig(ArpConfig.CACHE_TIMEOUT_DEFAULT, 256, ArpConfig.MAX_ENTRIES_DEFAULT))
            .port("gen", p -> p.interfaceName("s-gen").netns("sluice-demo").backend(PortConfig.Backend.AFPACKET)
                .address("10.10.1.1/24"))
            .port("sink", p -> p.interfaceName("s-sink").netns("sluice-demo").address("10.10.2.1/24")
                .option("rxBlockCount", 16))
            .route("198.19.0.0/16", "10.10.2.2", null);
    }

    @Test
    void buildsWhatTheDemoLabFileSays() {
        ForwarderConfig built = demoLab().build();
        ForwarderConfig file = ForwarderConfig.load(Path.of(System.getProperty("basedir", ""), "samples",
            "demo-lab.conf"));
        assertEquals(file.name(), built.name());
        assertEquals(file.jmx(), built.jmx());
        assertEquals(file.pool(), built.pool());
        assertEquals(file.pipeline(), built.pipeline());
        assertEquals(file.arp(), built.arp());
        assertEquals(file.ip(), built.ip());
        assertEquals(file.ports().size(), built.ports().size());
        for (int i = 0; i < file.ports().size(); i++) {
            PortConfig f = file.ports().get(i);
            PortConfig b = built.ports().get(i);
            assertEquals(new PortConfig(f.name(), f.interfaceName(), b.netns(), f.backend(), f.address(),
                f.prefixLength(), f.mtu(), f.mac(), f.queues(), f.fanout(), b.options(), Origin.BUILDER), b);
            assertEquals(f.options().keySet(), b.options().keySet());
        }
        assertEquals(file.routes().stream().map(RouteConfig::toString).toList(),
            built.routes().stream().map(RouteConfig::toString).toList());
        assertEquals(Origin.BUILDER, built.routes().getFirst().origin());
    }

    @Test
    void backendOptionsKeepTheirKeyAndOrigin() {
        PortConfig sink = demoLab().build().port("sink").orElseThrow();
        Setting s = sink.option("rxBlockCount").orElseThrow();
        assertEquals(new Setting("ports[1].afpacket.rxBlockCount", "rxBlockCount", "16", Origin.BUILDER), s);
        ConfigException e = assertThrows(ConfigException.class, () -> s.asInt(32, 64));
        assertEquals("builder: ports[1].afpacket.rxBlockCount: 16 is out of range; allowed: 32..64", e.getMessage());
    }

    @Test
    void everySetting() {
        ForwarderConfig c = ForwarderConfig.builder()
            .name("edge-1")
            .jmx(false)
            .pool(new PoolConfig().slots(8192).cacheSize(128).reserve(100))
            .pipeline(new PipelineConfig().layout("rx | ip | tx").idle("busy").realtime("fifo").backPressure("drop")
                .ringSize(256).batch(16).drainMillis(1500))
            .arp(new ArpConfig(Duration.ofMinutes(5), 4, 256))
            .ip(new IpConfig(32, 10, new IpConfig.Reassembly(8, 4, 100, Duration.ofSeconds(10))))
            .port("up", p -> p.interfaceName("eth0").backend(PortConfig.Backend.IO_URING).address("192.0.2.1/24")
                .mtu(9000).mac("02:00:00:00:00:01").option("queueDepth", 64).option("auxdata", false))
            .port("down", p -> p.interfaceName("eth1").address("198.51.100.1/24").queues(4)
                .fanout(PortConfig.Fanout.CPU))
            .route("0.0.0.0/0", "192.0.2.254", "up")
            .neighbour("198.51.100.7", "02:00:00:00:00:07", null)
            .build();
        assertEquals("edge-1", c.name());
        assertFalse(c.jmx());
        assertEquals(new PoolConfig().slots(8192).cacheSize(128).reserve(100).name("edge-1").jmx(false), c.pool());
        assertEquals(new PipelineConfig().layout("rx | ip | tx").idle("busy").realtime("fifo").backPressure("drop")
            .ringSize(256).batch(16).drainMillis(1500), c.pipeline());
        assertEquals(new ArpConfig(Duration.ofMinutes(5), 4, 256), c.arp());
        assertEquals(new IpConfig(32, 10, new IpConfig.Reassembly(8, 4, 100, Duration.ofSeconds(10))), c.ip());
        PortConfig up = c.ports().get(0);
        assertEquals(PortConfig.Backend.IO_URING, up.backend());
        assertEquals(OptionalInt.of(9000), up.mtu());
        assertEquals(Optional.of(MacAddress.parse("02:00:00:00:00:01")), up.mac());
        assertEquals("64", up.options().get("queueDepth").value());
        assertEquals(false, up.options().get("auxdata").asBoolean());
        PortConfig down = c.ports().get(1);
        assertEquals(4, down.queues());
        assertEquals(PortConfig.Fanout.CPU, down.fanout());
        assertEquals("0.0.0.0/0 via 192.0.2.254 port up", c.routes().getFirst().toString());
        assertEquals("198.51.100.7 lladdr 02:00:00:00:00:07 port down", c.neighbours().getFirst().toString());
    }

    @Test
    void errorsAreCollectedWithBuilderAsTheirOrigin() {
        ConfigException e = assertThrows(ConfigException.class, () -> ForwarderConfig.builder()
            .pipeline(new PipelineConfig().layout("rx+ip").ringSize(1000))
            .port("gen", p -> p.interfaceName("s-gen").address("10.0.0.300/24"))
            .port("gen", p -> p.interfaceName("s-sink").address("10.10.2.1/24").backend(PortConfig.Backend.IO_URING)
                .queues(2))
            .route("198.19.0.0/16", null, "snik")
            .neighbour("10.10.2.2", "01:00:00:00:00:01", null)
            .build());
        assertEquals(List.of(
            "builder: pipeline.layout: in \"rx+ip\", stage \"tx\" has no thread; every stage of rx, ip, tx must "
                + "appear once",
            "builder: pipeline.ringSize: 1000 is not a power of two; allowed: a power of two in 2..16777216, such as "
                + "512 or 1024",
            "builder: ports[0].address: \"10.0.0.300/24\" is not an IPv4 address/prefix; write A.B.C.D/LEN, such as "
                + "10.10.1.1/24",
            "builder: ports[1].queues: 2 queues need backend afpacket (PACKET_FANOUT); an io_uring port has 1",
            "builder: ports[1].name: \"gen\" is already the name of ports[0] (builder); port names must be unique",
            "builder: routes[0].port: there is no port \"snik\". The ports are: gen",
            "builder: neighbours[0].mac: 01:00:00:00:00:01 is a multicast address (the low bit of the first octet is "
                + "set); a port or a neighbour needs a unicast address"), e.getMessage().lines().toList());
        assertTrue(e.problems().stream().allMatch(p -> p.origin().equals(Origin.BUILDER)));
    }

    @Test
    void cpusOfTheTargetMachine() {
        ForwarderConfig.Builder b = ForwarderConfig.builder()
            .pipeline(new PipelineConfig().layout("rx+ip@2 | tx@3"))
            .port("p", p -> p.interfaceName("eth0").address("10.0.0.1/8"));
        assertEquals(List.of(), b.cpus(4).build().warnings());
        assertEquals(List.of("builder: pipeline.layout: in \"rx+ip@2 | tx@3\", CPU 2 is beyond this machine's CPUs "
                + "(0..1); the thread will run unpinned here",
            "builder: pipeline.layout: in \"rx+ip@2 | tx@3\", CPU 3 is beyond this machine's CPUs (0..1); the thread "
                + "will run unpinned here"),
            b.cpus(2).build().warnings().stream().map(Object::toString).toList());
    }

    @Test
    void theRecordsAreImmutable() {
        ForwarderConfig c = demoLab().build();
        assertThrows(UnsupportedOperationException.class, () -> c.ports().add(c.ports().getFirst()));
        assertThrows(UnsupportedOperationException.class,
            () -> c.ports().get(1).options().put("x", c.ports().get(1).options().get("rxBlockCount")));
        assertThrows(IllegalStateException.class, () -> c.pool().slots(1));
        c.pipeline().ringSize(2); // a copy
        assertEquals(1024, c.pipeline().ringSize());
    }

    @Test
    void recordConstructorsCheckTheirOwnValues() {
        assertThrows(ConfigException.class, () -> new ArpConfig(Duration.ZERO, 1, 1));
        assertThrows(ConfigException.class, () -> new IpConfig(0, 1, IpConfig.Reassembly.DEFAULTS));
        assertThrows(ConfigException.class, () -> new RouteConfig(Ipv4.parse("10.0.0.1"), 8, 0, "p", Origin.BUILDER));
        assertThrows(ConfigException.class,
            () -> new NeighbourConfig(1, MacAddress.parse("ff:ff:ff:ff:ff:ff"), "p", Origin.BUILDER));
        ForwarderConfig c = demoLab().build();
        ConfigException e = assertThrows(ConfigException.class, () -> new ForwarderConfig(c.name(), c.jmx(), c.ports(),
            List.of(new RouteConfig(0, 0, 0, "nowhere", Origin.BUILDER)), c.neighbours(), c.pool(), c.pipeline(),
            c.arp(), c.ip(), c.warnings()));
        assertTrue(e.getMessage().contains("there is no port nowhere"), e.getMessage());
    }
}
