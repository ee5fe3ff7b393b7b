package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Addresses, MACs, backend settings and suggestions. */
class ValuesTest {
    @Test
    void ipv4() {
        assertEquals(0x0A0A0101, Ipv4.parse("10.10.1.1"));
        assertEquals("255.255.255.255", Ipv4.format(Ipv4.parse("255.255.255.255")));
        for (String bad : new String[] {"10.10.1", "10.10.1.1.1", "10.10.1.256", "10.10.1.", "010.1.1.1", "a.b.c.d",
                                        "10.10.1.-1", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(bad), bad);
        }
        Ipv4.Prefix p = Ipv4.parsePrefix("10.10.1.9/24");
        assertEquals(Ipv4.parse("10.10.1.0"), p.network());
        assertTrue(p.hasHostBits());
        assertEquals("10.10.1.9/24", p.toString());
        for (String bad : new String[] {"10.10.1.9", "10.10.1.9/33", "10.10.1.9/", "10.10.1.9/024", "10.10.1.9/x"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4.parsePrefix(bad), bad);
        }
        assertEquals(0, Ipv4.mask(0));
        assertEquals(0xFFFFFF00, Ipv4.mask(24));
        assertEquals(-1, Ipv4.mask(32));
        assertTrue(Ipv4.overlap(Ipv4.parse("10.0.0.0"), 8, Ipv4.parse("10.1.0.0"), 16));
        assertFalse(Ipv4.overlap(Ipv4.parse("10.0.0.0"), 16, Ipv4.parse("10.1.0.0"), 16));
        assertNull(Ipv4.martian(Ipv4.parse("192.0.2.1")));
        assertTrue(Ipv4.martian(Ipv4.parse("0.1.2.3")).contains("0.0.0.0/8"));
        assertTrue(Ipv4.martian(Ipv4.parse("240.0.0.1")).contains("reserved"));
        assertTrue(Ipv4.martian(-1).contains("limited broadcast"));
    }

    @Test
    void mac() {
        MacAddress m = MacAddress.parse("02:AB:cd:00:00:01");
        assertEquals(0x02ABCD000001L, m.value());
        assertEquals("02:ab:cd:00:00:01", m.toString());
        assertEquals(m, MacAddress.parse("02-ab-cd-00-00-01"));
        assertNull(m.notUnicast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("ff:ff:ff:ff:ff:ff").isBroadcast());
        for (String bad : new String[] {"02:00:00:00:00", "02:00:00:00:00:0g", "02:00-00:00:00:00", "0200.0000.0001",
                                        "02:00:00:00:00:001"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
    }

    private static Setting setting(String value) {
        return new Setting("ports[0].afpacket.x", "x", value, new Origin("lab.conf", 7));
    }

    @Test
    void settingReaders() {
        assertEquals(262144, setting("262_144").asInt(1, 1 << 30));
        assertEquals(256 * 1024, setting("256K").asBytes(1, 1L << 30));
        assertEquals(4L << 20, setting("4 MiB").asBytes(1, 1L << 30));
        assertEquals(1L << 30, setting("1g").asBytes(1, 1L << 30));
        assertTrue(setting("on").asBoolean());
        assertFalse(setting("false").asBoolean());
        assertEquals("hash", setting("HASH").asChoice(List.of("none", "hash")));

        assertEquals("lab.conf:7: ports[0].afpacket.x: \"big\" is not a whole number; allowed: 1..10",
            assertThrows(ConfigException.class, () -> setting("big").asInt(1, 10)).getMessage());
        assertEquals("lab.conf:7: ports[0].afpacket.x: 11 is out of range; allowed: 1..10",
            assertThrows(ConfigException.class, () -> setting("11").asInt(1, 10)).getMessage());
        assertEquals("lab.conf:7: ports[0].afpacket.x: \"2T\" is not a byte count (a whole number, optionally with K, "
                + "M or G); allowed: 1..1024",
            assertThrows(ConfigException.class, () -> setting("2T").asBytes(1, 1024)).getMessage());
        assertEquals("lab.conf:7: ports[0].afpacket.x: \"maybe\" is not a boolean; allowed: true or false",
            assertThrows(ConfigException.class, () -> setting("maybe").asBoolean()).getMessage());
        assertEquals("lab.conf:7: ports[0].afpacket.x: \"hsh\" is not one of none, hash; did you mean hash?",
            assertThrows(ConfigException.class, () -> setting("hsh").asChoice(List.of("none", "hash"))).getMessage());
    }

    @Test
    void unknownBackendSettingsAreReportedWithTheirOrigin() {
        ForwarderConfig c = ForwarderConfig.parse("""
            ports = [
              { interface = eth0, address = "10.0.0.1/8"
                afpacket {
                  rxBlokCount = 8
                  maxBurst = 32
                }
              }
            ]
            """, "lab.conf", 2);
        Map<String, Setting> options = c.ports().getFirst().options();
        assertEquals(List.of("rxBlokCount", "maxBurst"), List.copyOf(options.keySet()));
        List<ConfigProblem> p = Setting.checkKnown(options, List.of("rxBlockCount", "rxBlockSize", "maxBurst"));
        assertEquals(List.of("lab.conf:4: ports[0].afpacket.rxBlokCount: unknown key; did you mean rxBlockCount? The "
            + "keys here are: rxBlockCount, rxBlockSize, maxBurst"), p.stream().map(Object::toString).toList());
        assertEquals(32, options.get("maxBurst").asInt(1, 4096));
    }

    @Test
    void backendSettingsKeepTheFileOrder() {
        Map<String, Setting> m = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder("ports = [ { interface = eth0, address = \"10.0.0.1/8\", afpacket {\n");
        for (int i = 0; i < 20; i++) {
            text.append("k").append(19 - i).append(" = ").append(i).append('\n');
        }
        text.append("} } ]\n");
        m.putAll(ForwarderConfig.parse(text.toString(), "t.conf", 2).ports().getFirst().options());
        assertEquals("k19", m.keySet().iterator().next());
        assertEquals(new Origin("t.conf", 21), m.get("k0").origin());
    }

    @Test
    void suggestions() {
        assertEquals("address", Suggest.closest("adress", List.of("name", "address", "mac")));
        assertEquals("address", Suggest.closest("Adress", List.of("name", "address", "mac")));
        assertEquals("neighbours", Suggest.closest("neighbors", List.of("routes", "neighbours")));
        assertEquals("cacheSize", Suggest.closest("cache", List.of("slots", "cacheSize")));
        assertEquals("io_uring", Suggest.closest("uring", List.of("afpacket", "io_uring")));
        assertEquals("ip", Suggest.closest("pi", List.of("rx", "ip", "tx"))); // a transposition
        assertNull(Suggest.closest("colour", List.of("cacheTimeout", "pendingPerHop", "maxEntries")));
        assertNull(Suggest.closest("xy", List.of("ip")));
        assertEquals(1, Suggest.distance("ab", "ba"));
        assertEquals(3, Suggest.distance("kitten", "sitting"));
    }

    @Test
    void problemAndOriginText() {
        assertEquals("lab.conf:14", new Origin("lab.conf", 14).toString());
        assertEquals("builder", Origin.BUILDER.toString());
        assertEquals("lab.conf", new Origin("lab.conf", 0).toString());
        assertEquals("lab.conf:14: ports[1].address: bad", new ConfigProblem(new Origin("lab.conf", 14),
            "ports[1].address", "bad").toString());
        assertEquals("lab.conf: no such file", new ConfigProblem(new Origin("lab.conf", -1), "", "no such file")
            .toString());
        ConfigException e = new ConfigException("plain");
        assertEquals(List.of(), e.problems());
    }
}
