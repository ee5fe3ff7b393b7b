package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every check of the configuration file, each asserted with its exact {@code FILE:LINE: KEY: } prefix. The
 * texts keep one setting per line where the line matters, so the expected line can be read off the text.
 */
class ForwarderConfigErrorsTest {
    /** Two valid ports on lines 1 to 4; what a test appends starts on line 5. */
    private static final String PORTS = """
        ports = [
          { name = gen, interface = s-gen, address = "10.10.1.1/24" }
          { name = sink, interface = s-sink, address = "10.10.2.1/24" }
        ]
        """;

    /** The problems {@code text} has, one per line of the exception's message. */
    static List<String> errors(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ForwarderConfig.parse(text, "t.conf", 2));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(e.problems().size(), lines.size(), e.getMessage());
        return lines;
    }

    /** Asserts that {@code text} has exactly one problem, that it starts with {@code prefix} and holds the rest. */
    static String assertError(String text, String prefix, String... contains) {
        List<String> errors = errors(text);
        assertEquals(1, errors.size(), () -> "expected one error, got:\n" + String.join("\n", errors));
        String e = errors.getFirst();
        assertTrue(e.startsWith(prefix), () -> "expected a message starting with\n  " + prefix + "\ngot\n  " + e);
        for (String c : contains) {
            assertTrue(e.contains(c), () -> "expected the message to contain\n  " + c + "\ngot\n  " + e);
        }
        return e;
    }

    @Nested
    class FileItself {
        @Test
        void syntaxErrorHasFileAndLine() {
            assertError("engine {\n  name = a\n  jmx = }\n\n", "t.conf:3: syntax error: ");
        }

        @Test
        void unquotedMacIsASyntaxErrorThatSuggestsQuotes() {
            assertError(PORTS + "neighbours = [ { address = 10.10.2.2, mac = 02:00:00:00:00:01 } ]\n",
                "t.conf:5: syntax error: ", "double quotes");
        }

        @Test
        void unresolvedSubstitution() {
            assertError(PORTS + "engine.name = ${SLUICE_TEST_SURELY_UNSET}\n", "t.conf:5: substitution: ",
                "SLUICE_TEST_SURELY_UNSET");
        }

        @Test
        void optionalSubstitutionFallsBackToTheEarlierValue() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "engine.name = x\nengine.name = ${?SLUICE_TEST_UNSET}\n",
                "t.conf", 2);
            assertEquals("x", c.name());
        }

        @Test
        void missingFile(@TempDir Path dir) {
            Path f = dir.resolve("nope.conf");
            ConfigException e = assertThrows(ConfigException.class, () -> ForwarderConfig.load(f));
            assertEquals(f + ": no such file", e.getMessage());
        }

        @Test
        void loadNamesTheFileAsGiven(@TempDir Path dir) throws Exception {
            Path f = dir.resolve("lab.conf");
            Files.writeString(f, PORTS + "pool {\n  slots = 0\n}\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ForwarderConfig.load(f));
            assertEquals(f + ":6: pool.slots: 0 is out of range; allowed: 1..4194304", e.getMessage());
            ConfigProblem p = e.problems().getFirst();
            assertEquals(new Origin(f.toString(), 6), p.origin());
            assertEquals("pool.slots", p.key());
        }

        @Test
        void errorsInAnIncludedFileNameThatFile(@TempDir Path dir) throws Exception {
            Path common = dir.resolve("common.conf");
            Files.writeString(common, "# shared\narp {\n  maxEntrys = 10\n}\n");
            Path f = dir.resolve("lab.conf");
            Files.writeString(f, "include \"common.conf\"\n" + PORTS);
            ConfigException e = assertThrows(ConfigException.class, () -> ForwarderConfig.load(f));
            assertTrue(e.getMessage().startsWith(common + ":3: arp.maxEntrys: unknown key; did you mean maxEntries?"),
                e.getMessage());
        }

        @Test
        void syntaxErrorInLoadedFile(@TempDir Path dir) throws Exception {
            Path f = dir.resolve("lab.conf");
            Files.writeString(f, PORTS + "pool { slots = 1\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ForwarderConfig.load(f));
            assertTrue(e.getMessage().startsWith(f + ":6: syntax error: "), e.getMessage());
        }
    }

    @Nested
    class Keys {
        @Test
        void unknownTopLevelKeyWithSuggestion() {
            assertError(PORTS + "neighbors = []\n", "t.conf:5: neighbors: unknown key; did you mean neighbours? ",
                "The keys here are: engine, pool, pipeline, ports, routes, neighbours, arp, ip");
        }

        @Test
        void unknownPortKeyWithSuggestion() {
            assertError("""
                ports = [
                  { name = gen, interface = s-gen, address = "10.10.1.1/24"
                    fanuot = lb }
                ]
                """, "t.conf:3: ports[0].fanuot: unknown key; did you mean fanout? ");
        }

        @Test
        void unknownKeyWithoutSuggestion() {
            assertError(PORTS + "arp { colour = blue }\n",
                "t.conf:5: arp.colour: unknown key. The keys here are: cacheTimeout, pendingPerHop, maxEntries");
        }

        @Test
        void keyInTheWrongSectionSaysWhere() {
            assertError(PORTS + "slots = 1024\n", "t.conf:5: slots: unknown key; slots belongs in section pool.");
        }

        @Test
        void keyCaseMatters() {
            assertError(PORTS + "pool { Slots = 1024 }\n", "t.conf:5: pool.Slots: unknown key; did you mean slots?");
        }

        @Test
        void missingPorts() {
            assertError("engine {\n  name = x\n}\n", "t.conf:1: ports: missing; required: at least one port");
        }

        @Test
        void emptyPorts() {
            assertError("\nports = []\n", "t.conf:2: ports: is empty; required: at least one port");
        }

        @Test
        void missingInterfaceAndAddressAreReportedAtThePort() {
            List<String> e = errors("ports = [\n  {\n    name = gen\n  }\n]\n");
            assertEquals(List.of(
                "t.conf:2: ports[0].interface: missing; required: the network interface, such as eth0",
                "t.conf:2: ports[0].address: missing; required: this forwarder's address on the port and its prefix "
                    + "length, as A.B.C.D/LEN"), e);
        }

        @Test
        void nullMeansNotSet() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "pool.slots = null\n", "t.conf", 2);
            assertEquals(PoolConfig.SLOTS_DEFAULT, c.pool().slots());
        }

        @Test
        void laterValueWins() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "pool.slots = 1024\npool { slots = 2048 }\n", "t.conf", 2);
            assertEquals(2048, c.pool().slots());
        }
    }

    @Nested
    class Types {
        @Test
        void fractionIsNotAWholeNumber() {
            assertError(PORTS.replace("s-sink,", "s-sink, mtu = 1.5,"),
                "t.conf:3: ports[1].mtu: 1.5 is not a whole number; allowed: 68..65535");
        }

        @Test
        void wordIsNotAWholeNumber() {
            assertError(PORTS + "pipeline.batch = many\n",
                "t.conf:5: pipeline.batch: \"many\" is not a whole number; allowed: 1..1024");
        }

        @Test
        void numbersMayBeGroupedWithUnderscores() {
            assertEquals(65_536, ForwarderConfig.parse(PORTS + "pool.slots = 65_536\n", "t.conf", 2).pool().slots());
        }

        @Test
        void notABoolean() {
            assertError(PORTS + "engine.jmx = maybe\n",
                "t.conf:5: engine.jmx: \"maybe\" is not a boolean; allowed: true or false");
        }

        @Test
        void yesAndOffAreBooleans() {
            assertTrue(ForwarderConfig.parse(PORTS + "engine.jmx = yes\n", "t.conf", 2).jmx());
            assertEquals(false, ForwarderConfig.parse(PORTS + "engine.jmx = off\n", "t.conf", 2).jmx());
        }

        @Test
        void sectionExpected() {
            assertError(PORTS + "pool = 5\n", "t.conf:5: pool: 5 is not a section; write pool { ... }");
        }

        @Test
        void listExpected() {
            assertError("ports {\n  name = gen\n}\n", "t.conf:1: ports: a section { ... } is not a list; write ports = [");
        }

        @Test
        void listElementMustBeASection() {
            assertError(PORTS + "routes = [\n  \"10.0.0.0/8\"\n]\n",
                "t.conf:6: routes[0]: \"10.0.0.0/8\" is not a section; each element is { prefix = ");
        }

        @Test
        void stringExpected() {
            assertError(PORTS.replace("s-sink,", "[s-sink],"), "t.conf:3: ports[1].interface: a list [ ... ] is not a string");
        }

        @Test
        void notADuration() {
            assertError(PORTS + "arp.cacheTimeout = 5 parsecs\n", "t.conf:5: arp.cacheTimeout: \"5 parsecs\" is not a "
                + "duration (a number and a unit, such as 500ms, 30s or 5m); allowed: 1s..24h");
        }

        @Test
        void durationUnits() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "arp.cacheTimeout = 2m\nip.reassembly.timeout = 1500ms\n"
                + "pipeline.drainTimeout = 250\n", "t.conf", 2);
            assertEquals(java.time.Duration.ofMinutes(2), c.arp().cacheTimeout());
            assertEquals(java.time.Duration.ofMillis(1500), c.ip().reassembly().timeout());
            assertEquals(250, c.pipeline().drainMillis()); // a bare number is milliseconds
        }
    }

    @Nested
    class Ranges {
        @Test
        void queues() {
            assertError(PORTS.replace("s-sink,", "s-sink, queues = 99,"),
                "t.conf:3: ports[1].queues: 99 is out of range; allowed: 1..64");
        }

        @Test
        void poolSlots() {
            assertError(PORTS + "pool.slots = 0\n", "t.conf:5: pool.slots: 0 is out of range; allowed: 1..4194304");
        }

        @Test
        void oddCacheSize() {
            assertError(PORTS + "pool.cacheSize = 255\n", "t.conf:5: pool.cacheSize: 255 is odd; allowed: an even number");
        }

        @Test
        void reserveMustLeaveSlots() {
            assertError(PORTS + "pool {\n  slots = 1024\n  reserve = 1024\n}\n",
                "t.conf:7: pool.reserve: 1024 is out of range; allowed: -1..1023");
        }

        @Test
        void ringSizeMustBeAPowerOfTwo() {
            assertError(PORTS + "pipeline.ringSize = 1000\n",
                "t.conf:5: pipeline.ringSize: 1000 is not a power of two; allowed: a power of two in 2..16777216, "
                    + "such as 512 or 1024");
        }

        @Test
        void ttl() {
            assertError(PORTS + "ip.defaultTtl = 0\n", "t.conf:5: ip.defaultTtl: 0 is out of range; allowed: 1..255");
        }

        @Test
        void icmpRateLimit() {
            assertError(PORTS + "ip.icmpRateLimit = -1\n",
                "t.conf:5: ip.icmpRateLimit: -1 is out of range; allowed: 0..1000000");
        }

        @Test
        void reassemblyTimeout() {
            assertError(PORTS + "ip.reassembly.timeout = 0s\n",
                "t.conf:5: ip.reassembly.timeout: \"0s\" is out of range; allowed: 1s..255s");
        }

        @Test
        void drainTimeout() {
            assertError(PORTS + "pipeline.drainTimeout = 2h\n",
                "t.conf:5: pipeline.drainTimeout: \"2h\" is out of range; allowed: 0s..1h");
        }

        @Test
        void reassemblyMayHoldAtMostHalfThePool() {
            assertError(PORTS + "pool.slots = 1024\nip.reassembly.maxPbufs = 600\n",
                "t.conf:6: ip.reassembly.maxPbufs: 600 is more than half of pool.slots (1024); allowed: 1..512");
        }

        @Test
        void reassemblyDefaultShrinksWithASmallPool() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "pool.slots = 1024\n", "t.conf", 2);
            assertEquals(512, c.ip().reassembly().maxPbufs());
        }

        @Test
        void arpCacheMustHoldTheStaticNeighbours() {
            assertError(PORTS + "arp.maxEntries = 1\nneighbours = [\n"
                    + "  { address = 10.10.1.2, mac = \"02:00:00:00:00:01\" }\n"
                    + "  { address = 10.10.2.2, mac = \"02:00:00:00:00:02\" }\n]\n",
                "t.conf:5: arp.maxEntries: 1 is fewer than the 2 static neighbours");
        }

        @Test
        void engineName() {
            assertError(PORTS + "engine.name = \"my engine\"\n",
                "t.conf:5: engine.name: \"my engine\" is not a name: 1 to 32 letters, digits, '.', '_' or '-'");
        }
    }

    @Nested
    class Choices {
        @Test
        void idleWithSuggestion() {
            assertError(PORTS + "pipeline.idle = bakoff\n",
                "t.conf:5: pipeline.idle: \"bakoff\" is not one of busy, yield, backoff, sleep; did you mean backoff?");
        }

        @Test
        void realtimeNamesThePolicies() {
            assertError(PORTS + "pipeline.realtime = on\n",
                "t.conf:5: pipeline.realtime: \"on\" is not one of off, rr, fifo");
        }

        @Test
        void backendWithSuggestion() {
            assertError(PORTS.replace("s-sink,", "s-sink, backend = uring,"),
                "t.conf:3: ports[1].backend: \"uring\" is not one of afpacket, io_uring; did you mean io_uring?");
        }

        @Test
        void fanout() {
            assertError(PORTS.replace("s-sink,", "s-sink, fanout = rss,"),
                "t.conf:3: ports[1].fanout: \"rss\" is not one of hash, lb, cpu, qm");
        }

        @Test
        void backPressure() {
            assertError(PORTS + "pipeline.backPressure = block\n",
                "t.conf:5: pipeline.backPressure: \"block\" is not one of hold, drop");
        }

        @Test
        void caseIsIgnoredInValues() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS.replace("s-sink,", "s-sink, backend = IO_URING, fanout = LB,")
                + "pipeline.idle = Busy\n", "t.conf", 2);
            assertEquals(PortConfig.Backend.IO_URING, c.ports().get(1).backend());
            assertEquals(PortConfig.Fanout.LB, c.ports().get(1).fanout());
            assertEquals("busy", c.pipeline().idle());
        }
    }

    @Nested
    class Ports {
        @Test
        void theIssuesExample() {
            assertError("""
                ports = [
                  { name = gen, interface = s-gen, address = "10.10.1.1/24" }
                  {
                    name = sink
                    interface = s-sink
                    address = "10.0.0.300/24"
                  }
                ]
                """, "t.conf:6: ports[1].address: \"10.0.0.300/24\" is not an IPv4 address/prefix; write A.B.C.D/LEN");
        }

        @Test
        void addressWithoutPrefixLength() {
            assertError(PORTS.replace("10.10.2.1/24", "10.10.2.1"),
                "t.conf:3: ports[1].address: \"10.10.2.1\" is not an IPv4 address/prefix");
        }

        @Test
        void leadingZerosAreRefused() {
            assertError(PORTS.replace("10.10.2.1/24", "10.10.02.1/24"),
                "t.conf:3: ports[1].address: \"10.10.02.1/24\" is not an IPv4 address/prefix");
        }

        @Test
        void networkAddressIsNotAHostAddress() {
            assertError(PORTS.replace("10.10.2.1/24", "10.10.2.0/24"),
                "t.conf:3: ports[1].address: \"10.10.2.0/24\" is the network address of its subnet; a port needs a host "
                    + "address, such as 10.10.2.1/24");
        }

        @Test
        void broadcastAddressIsNotAHostAddress() {
            assertError(PORTS.replace("10.10.2.1/24", "10.10.2.255/24"),
                "t.conf:3: ports[1].address: \"10.10.2.255/24\" is the broadcast address of its subnet");
        }

        @Test
        void slash31AndSlash32HaveNoBroadcast() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS.replace("10.10.2.1/24", "10.10.2.0/31")
                .replace("10.10.1.1/24", "10.10.1.1/32"), "t.conf", 2);
            assertEquals(31, c.ports().get(1).prefixLength());
        }

        @Test
        void martianAddress() {
            assertError(PORTS.replace("10.10.2.1/24", "127.0.0.1/8"),
                "t.conf:3: ports[1].address: \"127.0.0.1/8\": 127.0.0.1 is a loopback address (127.0.0.0/8)");
            assertError(PORTS.replace("10.10.2.1/24", "224.0.0.1/24"),
                "t.conf:3: ports[1].address: \"224.0.0.1/24\": 224.0.0.1 is a multicast address");
        }

        @Test
        void prefixLengthZero() {
            assertError(PORTS.replace("10.10.2.1/24", "10.10.2.1/0"),
                "t.conf:3: ports[1].address: \"10.10.2.1/0\" has prefix length 0");
        }

        @Test
        void badInterfaceName() {
            assertError(PORTS.replace("s-sink,", "\"this-name-is-too-long\","),
                "t.conf:3: ports[1].interface: \"this-name-is-too-long\" is not an interface name: 1 to 15 bytes");
        }

        @Test
        void badNetns() {
            assertError(PORTS.replace("s-sink,", "s-sink, netns = \"a/b\","),
                "t.conf:3: ports[1].netns: \"a/b\" is not a network namespace name");
        }

        @Test
        void duplicateNames() {
            assertError(PORTS.replace("name = sink", "name = gen"),
                "t.conf:3: ports[1].name: \"gen\" is already the name of ports[0] (t.conf:2); port names must be unique");
        }

        @Test
        void duplicateDefaultNamesSayTheNameCameFromTheInterface() {
            assertError("""
                ports = [
                  { interface = eth0, netns = a, address = "10.10.1.1/24" }
                  { interface = eth0, netns = b, address = "10.10.2.1/24" }
                ]
                """, "t.conf:3: ports[1].name: \"eth0\" is already the name of ports[0] (t.conf:2)",
                "the name defaults to the interface's");
        }

        @Test
        void duplicateInterfaces() {
            assertError(PORTS.replace("s-sink,", "s-gen,"),
                "t.conf:3: ports[1].interface: \"s-gen\" is already used by port gen (t.conf:2); one port per "
                    + "interface (for several receive queues, set queues)");
        }

        @Test
        void sameInterfaceInAnotherNamespaceIsAnotherInterface() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS.replace("s-sink,", "s-gen, netns = other,"), "t.conf", 2);
            assertEquals("s-gen", c.ports().get(1).interfaceName());
            assertEquals(java.util.Optional.of("other"), c.ports().get(1).netns());
        }

        @Test
        void overlappingSubnets() {
            assertError(PORTS.replace("10.10.2.1/24", "10.10.1.9/16"),
                "t.conf:3: ports[1].address: 10.10.1.9/16 overlaps 10.10.1.1/24 of port gen (t.conf:2); port subnets "
                    + "must not overlap");
        }

        @Test
        void multicastMac() {
            assertError(PORTS.replace("s-sink,", "s-sink, mac = \"01:00:5e:00:00:01\","),
                "t.conf:3: ports[1].mac: 01:00:5e:00:00:01 is a multicast address");
        }

        @Test
        void invalidMac() {
            assertError(PORTS.replace("s-sink,", "s-sink, mac = \"02:00:00:00:00\","),
                "t.conf:3: ports[1].mac: \"02:00:00:00:00\" is not a MAC address; write six hexadecimal pairs");
        }

        @Test
        void zeroMac() {
            assertError(PORTS.replace("s-sink,", "s-sink, mac = \"00:00:00:00:00:00\","),
                "t.conf:3: ports[1].mac: 00:00:00:00:00:00 is all zeros");
        }

        @Test
        void ioUringHasOneQueue() {
            assertError(PORTS.replace("s-sink,", "s-sink, backend = io_uring, queues = 2,"),
                "t.conf:3: ports[1].queues: 2 queues need backend afpacket (PACKET_FANOUT); an io_uring port has 1");
        }

        @Test
        void backendSectionMustMatchTheBackend() {
            assertError("""
                ports = [
                  { name = gen, interface = s-gen, address = "10.10.1.1/24"
                    backend = afpacket
                    io_uring { queueDepth = 64 }
                  }
                ]
                """, "t.conf:4: ports[0].io_uring: this section is for backend io_uring, but the port's backend is "
                + "afpacket; rename the section or set backend = io_uring");
        }

        @Test
        void backendSectionMayNotSetWhatThePortSets() {
            assertError("""
                ports = [
                  { name = gen, interface = s-gen, address = "10.10.1.1/24"
                    afpacket {
                      rxBlockCount = 8
                      interfaceName = eth9
                    }
                  }
                ]
                """, "t.conf:5: ports[0].afpacket.interfaceName: is set by the port's own key interface; remove it here");
        }

        @Test
        void backendSettingsAreScalars() {
            assertError("""
                ports = [
                  { name = gen, interface = s-gen, address = "10.10.1.1/24"
                    afpacket {
                      rx.blockCount = 8
                    }
                  }
                ]
                """, "t.conf:4: ports[0].afpacket.rx: a section { ... } is not allowed; a backend setting is a number, "
                + "a string or a boolean");
        }

        @Test
        void backendSectionMustBeASection() {
            assertError(PORTS.replace("s-sink,", "s-sink, afpacket = fast,"),
                "t.conf:3: ports[1].afpacket: \"fast\" is not a section; write afpacket { key = value, ... }");
        }
    }

    @Nested
    class Routes {
        @Test
        void unknownPortWithSuggestion() {
            assertError(PORTS + "routes = [\n  { prefix = \"10.0.0.0/8\", port = snik }\n]\n",
                "t.conf:6: routes[0].port: there is no port \"snik\"; did you mean sink? The ports are: gen, sink");
        }

        @Test
        void interfaceNameInsteadOfPortName() {
            assertError(PORTS + "routes = [\n  { prefix = \"10.0.0.0/8\", port = s-sink }\n]\n",
                "t.conf:6: routes[0].port: there is no port \"s-sink\"; s-sink is the interface of port sink, use the "
                    + "port's name.");
        }

        @Test
        void hostBitsSet() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.1/16\", port = sink }\n]\n",
                "t.conf:6: routes[0].prefix: \"198.19.0.1/16\" has host bits set; did you mean 198.19.0.0/16?");
        }

        @Test
        void gatewayOutsideEverySubnet() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.0/16\", via = 10.20.0.1 }\n]\n",
                "t.conf:6: routes[0].via: 10.20.0.1 is not inside any port's subnet (gen 10.10.1.1/24, sink "
                    + "10.10.2.1/24); a gateway must be directly reachable");
        }

        @Test
        void gatewayOutsideTheNamedPortsSubnet() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.0/16\", via = 10.10.1.2, port = sink }\n]\n",
                "t.conf:6: routes[0].via: 10.10.1.2 is not inside the subnet of port sink (10.10.2.1/24)");
        }

        @Test
        void gatewayIsOurOwnAddress() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.0/16\", via = 10.10.2.1 }\n]\n",
                "t.conf:6: routes[0].via: 10.10.2.1 is this forwarder's own address on port sink");
        }

        @Test
        void gatewayIsTheBroadcastAddress() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.0/16\", via = 10.10.2.255 }\n]\n",
                "t.conf:6: routes[0].via: 10.10.2.255 is the broadcast address of port sink's subnet (10.10.2.1/24)");
        }

        @Test
        void gatewayNotAnAddress() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.0/16\", via = \"10.10.2.2/24\" }\n]\n",
                "t.conf:6: routes[0].via: \"10.10.2.2/24\" is not an IPv4 address; write A.B.C.D");
        }

        @Test
        void neitherGatewayNorPort() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.0/16\" }\n]\n",
                "t.conf:6: routes[0]: needs via (a gateway's address), port (an egress port's name), or both");
        }

        @Test
        void missingPrefix() {
            assertError(PORTS + "routes = [\n  { via = 10.10.2.2 }\n]\n",
                "t.conf:6: routes[0].prefix: missing; required: the destination network, as A.B.C.D/LEN");
        }

        @Test
        void duplicateRoute() {
            assertError(PORTS + "routes = [\n  { prefix = \"198.19.0.0/16\", via = 10.10.2.2 }\n"
                    + "  { prefix = \"198.19.0.0/16\", via = 10.10.1.2 }\n]\n",
                "t.conf:7: routes[1].prefix: 198.19.0.0/16 is already routed by routes[0] (t.conf:6); one route per "
                    + "prefix");
        }

        @Test
        void connectedSubnetSentElsewhere() {
            assertError(PORTS + "routes = [\n  { prefix = \"10.10.2.0/24\", port = gen }\n]\n",
                "t.conf:6: routes[0].prefix: 10.10.2.0/24 is the subnet of port sink (t.conf:3), reached directly "
                    + "through it; a route may not send it elsewhere");
        }

        @Test
        void repeatingAConnectedRouteIsAWarning() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "routes = [\n  { prefix = \"10.10.2.0/24\", port = sink }\n]\n",
                "t.conf", 2);
            assertEquals(1, c.warnings().size());
            assertTrue(c.warnings().getFirst().toString().startsWith("t.conf:6: routes[0].prefix: 10.10.2.0/24 is the "
                + "connected route of port sink (t.conf:3) already; connected routes are implicit"), c.warnings()
                .toString());
        }

        @Test
        void defaultRoute() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "routes = [ { prefix = \"0.0.0.0/0\", via = 10.10.2.2 } ]\n",
                "t.conf", 2);
            RouteConfig r = c.routes().getFirst();
            assertEquals(0, r.length());
            assertEquals("sink", r.port());
            assertTrue(r.matches(Ipv4.parse("8.8.8.8")));
        }
    }

    @Nested
    class Neighbours {
        @Test
        void unknownPort() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.2.2, mac = \"02:00:00:00:00:02\", port = lan }\n]\n",
                "t.conf:6: neighbours[0].port: there is no port \"lan\". The ports are: gen, sink");
        }

        @Test
        void invalidMac() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.2.2, mac = \"02:00:00:00:00:0g\" }\n]\n",
                "t.conf:6: neighbours[0].mac: \"02:00:00:00:00:0g\" is not a MAC address");
        }

        @Test
        void broadcastMac() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.2.2, mac = \"ff:ff:ff:ff:ff:ff\" }\n]\n",
                "t.conf:6: neighbours[0].mac: ff:ff:ff:ff:ff:ff is the broadcast address");
        }

        @Test
        void missingMac() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.2.2 }\n]\n",
                "t.conf:6: neighbours[0].mac: missing; required: a MAC address");
        }

        @Test
        void outsideEverySubnet() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.3.2, mac = \"02:00:00:00:00:02\" }\n]\n",
                "t.conf:6: neighbours[0].address: 10.10.3.2 is not inside any port's subnet");
        }

        @Test
        void outsideTheNamedPortsSubnet() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.2.2, mac = \"02:00:00:00:00:02\", port = gen }\n]\n",
                "t.conf:6: neighbours[0].address: 10.10.2.2 is not inside the subnet of port gen (10.10.1.1/24); a "
                    + "neighbour must be directly reachable");
        }

        @Test
        void ourOwnAddress() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.1.1, mac = \"02:00:00:00:00:02\" }\n]\n",
                "t.conf:6: neighbours[0].address: 10.10.1.1 is this forwarder's own address on port gen");
        }

        @Test
        void duplicate() {
            assertError(PORTS + "neighbours = [\n  { address = 10.10.2.2, mac = \"02:00:00:00:00:02\" }\n"
                    + "  { address = 10.10.2.2, mac = \"02:00:00:00:00:03\" }\n]\n",
                "t.conf:7: neighbours[1].address: 10.10.2.2 is already the address of neighbours[0] (t.conf:6)");
        }

        @Test
        void portIsFoundFromTheSubnet() {
            ForwarderConfig c = ForwarderConfig.parse(
                PORTS + "neighbours = [ { address = 10.10.2.2, mac = \"02-00-00-00-00-02\" } ]\n", "t.conf", 2);
            NeighbourConfig n = c.neighbours().getFirst();
            assertEquals("sink", n.port());
            assertEquals(MacAddress.parse("02:00:00:00:00:02"), n.mac());
            assertEquals(new Origin("t.conf", 5), n.origin());
        }
    }

    @Nested
    class Layout {
        @Test
        void unknownStageWithSuggestion() {
            assertError(PORTS + "pipeline.layout = \"rx+ipp | tx\"\n",
                "t.conf:5: pipeline.layout: in \"rx+ipp | tx\", stage \"ipp\" is unknown; did you mean ip? The stages "
                    + "are: rx, ip, tx");
        }

        @Test
        void stageTwice() {
            assertError(PORTS + "pipeline.layout = \"rx+ip | tx | ip\"\n",
                "t.conf:5: pipeline.layout: in \"rx+ip | tx | ip\", stage \"ip\" appears twice");
        }

        @Test
        void stageMissing() {
            assertError(PORTS + "pipeline.layout = \"rx+ip\"\n",
                "t.conf:5: pipeline.layout: in \"rx+ip\", stage \"tx\" has no thread");
        }

        @Test
        void emptyStageName() {
            assertError(PORTS + "pipeline.layout = \"rx++ip | tx\"\n",
                "t.conf:5: pipeline.layout: in \"rx++ip | tx\", a stage name is missing");
        }

        @Test
        void cpuNotANumber() {
            assertError(PORTS + "pipeline.layout = \"rx+ip@one | tx\"\n",
                "t.conf:5: pipeline.layout: in \"rx+ip@one | tx\", CPU \"one\" is not a CPU number");
        }

        @Test
        void emptyLayout() {
            assertError(PORTS + "pipeline.layout = \" \"\n", "t.conf:5: pipeline.layout: is empty");
        }

        /** A CPU this machine lacks is a warning: the file may be for a larger machine, and pinning is best effort. */
        @Test
        void cpuBeyondThisMachineIsAWarning() {
            ForwarderConfig c = ForwarderConfig.parse(PORTS + "pipeline.layout = \"rx+ip@1 | tx@7\"\n", "t.conf", 2);
            assertEquals("rx+ip@1 | tx@7", c.pipeline().layout());
            assertEquals(List.of("t.conf:5: pipeline.layout: in \"rx+ip@1 | tx@7\", CPU 7 is beyond this machine's CPUs "
                + "(0..1); the thread will run unpinned here"), c.warnings().stream().map(Object::toString).toList());
        }

        @Test
        void shorthands() {
            assertEquals("fused", ForwarderConfig.parse(PORTS + "pipeline.layout = fused\n", "t.conf", 2)
                .pipeline().layout());
            assertEquals("per-stage", ForwarderConfig.parse(PORTS + "pipeline.layout = per-stage\n", "t.conf", 2)
                .pipeline().layout());
        }
    }

    @Test
    void everyProblemIsReportedTogetherInFileOrder() {
        String text = """
            engine { name = "bad name" }
            pool {
              slots = 0
              cahceSize = 256
            }
            pipeline { idle = spin, layout = "rx | ip | tx | fw" }
            ports = [
              { name = gen, interface = s-gen, address = "10.10.1.1/24", mtu = 9 }
              { name = gen, interface = s-sink, address = "10.10.2.300/24" }
            ]
            routes = [ { prefix = "198.19.0.0/16", via = 10.30.0.1 } ]
            neighbours = [ { address = 10.10.1.2, mac = "not a mac" } ]
            """;
        ConfigException e = assertThrows(ConfigException.class, () -> ForwarderConfig.parse(text, "lab.conf", 2));
        List<String> lines = e.getMessage().lines().toList();
        List<String> prefixes = List.of(
            "lab.conf:1: engine.name: ",
            "lab.conf:3: pool.slots: ",
            "lab.conf:4: pool.cahceSize: unknown key; did you mean cacheSize?",
            "lab.conf:6: pipeline.layout: ",
            "lab.conf:6: pipeline.idle: ",
            "lab.conf:8: ports[0].mtu: 9 is out of range",
            "lab.conf:9: ports[1].address: ",
            "lab.conf:9: ports[1].name: ",
            "lab.conf:11: routes[0].via: ",
            "lab.conf:12: neighbours[0].mac: ");
        assertEquals(prefixes.size(), lines.size(), e.getMessage());
        for (int i = 0; i < prefixes.size(); i++) {
            if (!lines.get(i).startsWith(prefixes.get(i))) {
                fail("line " + i + " should start with " + prefixes.get(i) + ":\n" + e.getMessage());
            }
        }
        assertEquals(lines.size(), e.problems().size());
        assertEquals(new ConfigProblem(new Origin("lab.conf", 3), "pool.slots", "0 is out of range; allowed: 1..4194304"),
            e.problems().get(1));
    }
}
