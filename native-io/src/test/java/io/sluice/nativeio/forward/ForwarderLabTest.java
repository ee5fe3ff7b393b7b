package io.sluice.nativeio.forward;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ForwarderConfig;
import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.nativeio.afpacket.VethLab;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sluice as a router between two Linux namespaces on real veth pairs: Linux ping through it both ways, ARP
 * against the kernel's neighbours, Time Exceeded, fragmentation to a smaller egress MTU that the Linux host
 * reassembles, Fragmentation Needed for DF, and adversarial frames from the wire dropped under their reasons with
 * nothing leaked. Runs as root (CI does); without it the test fails saying why.
 */
class ForwarderLabTest {

    @BeforeAll
    static void prerequisites() {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            fail(missing);
        }
        for (String tool : new String[] {"ping", "nft", "ethtool"}) {
            if (VethLab.executable(tool) == null) {
                fail("the forwarder lab tests need `" + tool + "` (Debian packages iputils-ping, nftables and ethtool;"
                    + " .ci/run installs them)");
            }
        }
        VethLab.sweep(false);
    }

    @AfterAll
    static void removeWhatIsLeft() {
        VethLab.sweep(true);
    }

    private static Forwarder start(RouterLab lab) {
        ForwarderConfig config = ForwarderConfig.builder().name("lab").jmx(false)
            .pool(new PoolConfig().slots(8192))
            .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
            .port("gen", p -> p.interfaceName(lab.sluGen).netns(lab.sluice).address("10.10.1.1/24"))
            .port("sink", p -> p.interfaceName(lab.sluSink).netns(lab.sluice).address("10.10.2.1/24"))
            .build();
        return Forwarder.start(config);
    }

    private static void assertClosedClean(Forwarder f) {
        f.close();
        assertEquals(0, f.closedReport().stats().inUse(), "every pbuf back in the pool");
    }

    @Test
    void linuxPingsThroughSluiceBothWays() {
        try (RouterLab lab = new RouterLab(1500)) {
            Forwarder f = start(lab);
            try {
                String out = RouterLab.in(lab.gen, "ping", "-c", "3", "-i", "0.2", "-W", "3", "10.10.2.2");
                assertTrue(out.contains("3 received"), out);
                assertTrue(out.contains("ttl=63"), "the reply crossed one router: " + out);
                String back = RouterLab.in(lab.sink, "ping", "-c", "2", "-i", "0.2", "-W", "3", "10.10.1.2");
                assertTrue(back.contains("2 received"), back);
                Map<String, Long> c = f.counters().nonZero();
                assertTrue(c.getOrDefault("ipForwDatagrams", 0L) >= 10, c::toString);
                // ARP with the kernel both ways: the sink's kernel answered Sluice's request, and Sluice answered the
                // generator's kernel (learning its MAC from the request, so it never had to ask).
                assertTrue(c.getOrDefault("arpResolved", 0L) >= 1, c::toString);
                assertTrue(c.getOrDefault("arpOutReplies", 0L) >= 1, c::toString);
                String ours = RouterLab.in(lab.gen, "ping", "-c", "1", "-W", "3", "10.10.1.1");
                assertTrue(ours.contains("1 received"), "Sluice answers for its own address: " + ours);
            } finally {
                assertClosedClean(f);
            }
        }
    }

    /** A port with two receive queues (PACKET_FANOUT, round robin): both receive, the plane sees one port. */
    @Test
    void aPortWithTwoReceiveQueuesForwardsFromBoth() {
        try (RouterLab lab = new RouterLab(1500)) {
            ForwarderConfig config = ForwarderConfig.builder().name("lab").jmx(false)
                .pool(new PoolConfig().slots(8192))
                .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
                .port("gen", p -> p.interfaceName(lab.sluGen).netns(lab.sluice).address("10.10.1.1/24").queues(2)
                    .fanout(io.sluice.config.PortConfig.Fanout.LB))
                .port("sink", p -> p.interfaceName(lab.sluSink).netns(lab.sluice).address("10.10.2.1/24"))
                .build();
            Forwarder f = Forwarder.start(config);
            try {
                assertEquals(List.of("gen.q0", "gen.q1", "sink"), f.ports().stream().map(p -> p.name()).toList());
                String out = RouterLab.in(lab.gen, "ping", "-c", "6", "-i", "0.2", "-W", "3", "10.10.2.2");
                assertTrue(out.contains("6 received"), out);
                for (int q = 0; q < 2; q++) {
                    assertTrue(f.ports().get(q).counters().rxPackets() > 0, "queue " + q + " received");
                }
                assertEquals(0, f.counters().nonZero().getOrDefault("drop.ETH_UNKNOWN_PORT", 0L));
            } finally {
                assertClosedClean(f);
            }
        }
    }

    /**
     * Linux UDP from one namespace to the other through Sluice: the sender's kernel leaves the checksum to
     * offload (veth), the receiving kernel verifies it, so the datagrams arrive only if Sluice finished it.
     */
    @Test
    void linuxUdpThroughSluiceArrivesWithItsChecksumFinished() throws Exception {
        try (RouterLab lab = new RouterLab(1500)) {
            Forwarder f = start(lab);
            try {
                Process receiver = new ProcessBuilder("ip", "netns", "exec", lab.sink, "python3", "-c",
                    "import socket\n"
                        + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                        + "s.bind(('10.10.2.2', 9999)); s.settimeout(5); print('ready', flush=True)\n"
                        + "got = []\n"
                        + "try:\n"
                        + "    while len(got) < 5: got.append(s.recv(2000))\n"
                        + "except socket.timeout: pass\n"
                        + "print(len(got), sorted(len(g) for g in got))\n").redirectErrorStream(true).start();
                var out = new java.io.BufferedReader(new java.io.InputStreamReader(receiver.getInputStream()));
                assertEquals("ready", out.readLine());
                RouterLab.in(lab.gen, "python3", "-c", "import socket\n"
                    + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                    + "for n in (1, 100, 1000, 1400, 1472): s.sendto(bytes(range(256)) * (n // 256) + bytes(n % 256),"
                    + " ('10.10.2.2', 9999))\n");
                assertTrue(receiver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals("5 [1, 100, 1000, 1400, 1472]", out.readLine());
                assertEquals(5, f.counters().nonZero().getOrDefault("ipForwDatagrams", 0L),
                    () -> f.counters().nonZero().toString());
            } finally {
                assertClosedClean(f);
            }
        }
    }

    /**
     * The generator's kernel keeps TSO/GSO on, so it hands its veth 64 KiB TCP frames and UDP_SEGMENT datagram
     * trains; the port cuts them into wire-sized packets, which Sluice forwards and the sink's kernel takes as they
     * are: a 20 MB TCP stream arrives whole and in order, and a 3 x 1400-byte UDP train as three datagrams.
     */
    @Test
    void linuxSegmentationOffloadFramesAreForwardedAsWireSizedPackets() throws Exception {
        try (RouterLab lab = new RouterLab(1500)) {
            assertTrue(RouterLab.in(lab.gen, "ethtool", "-k", lab.genIf).contains("tcp-segmentation-offload: on"),
                "the generator's veth has TSO on by default");
            Forwarder f = start(lab);
            try {
                Process sink = new ProcessBuilder("ip", "netns", "exec", lab.sink, "python3", "-c", """
                    import hashlib, socket
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('10.10.2.2', 9999)); u.settimeout(10)
                    t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    t.bind(('10.10.2.2', 5001)); t.listen(1); t.settimeout(20); print('ready', flush=True)
                    c, _ = t.accept(); c.settimeout(20); h = hashlib.sha256(); n = 0
                    while True:
                        d = c.recv(1 << 16)
                        if not d: break
                        h.update(d); n += len(d)
                    print(n, h.hexdigest(), flush=True)
                    print(sorted(len(u.recv(2000)) for _ in range(3)), flush=True)
                    """).redirectErrorStream(true).start();
                var out = new java.io.BufferedReader(new java.io.InputStreamReader(sink.getInputStream()));
                assertEquals("ready", out.readLine());
                String sent = RouterLab.in(lab.gen, "python3", "-c", """
                    import hashlib, random, socket
                    data = random.Random(7).randbytes(20_000_000)
                    s = socket.create_connection(('10.10.2.2', 5001), timeout=20); s.sendall(data); s.close()
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.setsockopt(17, 103, 1400)  # SOL_UDP, UDP_SEGMENT: one 4200-byte send, three datagrams
                    u.sendto(bytes(range(200)) * 21, ('10.10.2.2', 9999))
                    print(len(data), hashlib.sha256(data).hexdigest())
                    """).strip();
                assertEquals(sent, out.readLine(), "the stream arrived whole and in order");
                assertEquals("[1400, 1400, 1400]", out.readLine());
                assertTrue(sink.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
                var gen = (io.sluice.nativeio.afpacket.AfPacketPort) f.ports().getFirst();
                assertTrue(gen.stats().rxGsoFrames() > 0, gen.stats()::toString);
                assertEquals(0, gen.counters().rxDrops(io.sluice.engine.phy.PortCounters.Drop.RX_GSO_UNSUPPORTED));
            } finally {
                assertClosedClean(f);
            }
        }
    }

    @Test
    void aTtlThatExpiresAtSluiceYieldsTimeExceededFromItsAddress() {
        try (RouterLab lab = new RouterLab(1500)) {
            Forwarder f = start(lab);
            try {
                String out = RouterLab.inAnyway(lab.gen, "ping", "-c", "1", "-t", "1", "-W", "3", "10.10.2.2");
                assertTrue(out.contains("From 10.10.1.1") && out.contains("Time to live exceeded"), out);
                assertEquals(1, f.counters().nonZero().getOrDefault("icmpOutTimeExcds", 0L));
            } finally {
                assertClosedClean(f);
            }
        }
    }

    @Test
    void anEgressMtuOf1400FragmentsAndLinuxReassembles() {
        try (RouterLab lab = new RouterLab(1400)) {
            Forwarder f = start(lab);
            try {
                // 1472 bytes of ICMP data: a 1500-byte datagram, DF clear. Sluice fragments it for the sink's link;
                // the sink's reply (1500 bytes) is fragmented by the sink's kernel, forwarded as fragments by Sluice
                // and reassembled by the generator's kernel.
                String out = RouterLab.in(lab.gen, "ping", "-c", "2", "-i", "0.3", "-s", "1472", "-M", "dont", "-W", "3",
                    "10.10.2.2");
                assertTrue(out.contains("2 received"), out);
                assertTrue(out.contains("1480 bytes from 10.10.2.2"), out);
                Map<String, Long> c = f.counters().nonZero();
                assertEquals(2, c.getOrDefault("ipFragOKs", 0L), c::toString);
                assertEquals(4, c.getOrDefault("ipFragCreates", 0L), c::toString);
            } finally {
                assertClosedClean(f);
            }
        }
    }

    /**
     * Frames no honest host sends, written raw onto the generator's veth (python3, AF_PACKET): each is dropped
     * and counted under its reason, the overlapping fragments drop their datagram, a flood of first fragments
     * fills the reassembly table and the rest are refused (64 datagrams by default), and at the end every pbuf,
     * those the reassembler still held included, is back in the pool.
     */
    @Test
    void adversarialFramesAreDroppedAndCountedWithNothingLeaked() {
        try (RouterLab lab = new RouterLab(1500)) {
            Forwarder f = start(lab);
            try {
                byte[] sluiceMac = mac(f.inetPorts().getFirst().mac());
                byte[] genMac = mac(Long.parseLong(RouterLab.in(lab.gen, "cat", "/sys/class/net/" + lab.genIf
                    + "/address").trim().replace(":", ""), 16));
                int gen = 0x0A0A0102;
                int far = 0x0A0A0202;
                int us = 0x0A0A0101;
                RawFrame ok = new RawFrame(sluiceMac, genMac);
                List<byte[]> frames = new ArrayList<>();
                frames.add(ok.badChecksum(64, gen, far)); // IP_BAD_CHECKSUM
                frames.add(java.util.Arrays.copyOf(ok.ipv4(64, gen, far, 0, 0, 8, c -> { }), 20)); // IP_TOO_SHORT
                frames.add(ok.ipv4(64, gen, far, 0, 0, 8, c -> c[14] = 0x44)); // IP_BAD_IHL
                frames.add(ok.ipv4(64, gen, far, 0, 0, 8, c -> c[17] = 10)); // IP_BAD_TOTAL_LENGTH
                frames.add(ok.ipv4(64, gen, far, 0, 0, 8, c -> c[16] = 0x04)); // IP_TRUNCATED: 1024 + 36 claimed
                frames.add(ok.ipv4(1, gen, far, 0, 0, 8, c -> { })); // IP_TTL_EXCEEDED
                frames.add(ok.ipv4(0, gen, far, 0, 0, 8, c -> { })); // IP_TTL_EXCEEDED
                frames.add(ok.ipv4(64, 0x7F000001, far, 0, 0, 8, c -> { })); // IP_MARTIAN_SOURCE
                frames.add(ok.ipv4(64, gen, 0x7F000001, 0, 0, 8, c -> { })); // IP_MARTIAN_DESTINATION
                // Two fragments of one datagram to Sluice whose bytes 8..15 overlap: REASM_OVERLAP.
                frames.add(ok.ipv4(64, gen, us, 7, RawFrame.MF, 16, c -> { }));
                frames.add(ok.ipv4(64, gen, us, 7, RawFrame.MF | 1, 16, c -> { }));
                // A flood of first fragments, each its own datagram: 64 held, the rest REASM_LIMIT.
                int flood = 200;
                for (int id = 1000; id < 1000 + flood; id++) {
                    frames.add(ok.ipv4(64, gen, us, id, RawFrame.MF, 16, c -> { }));
                }
                RouterLab.in(lab.gen, RawFrame.sender(lab.genIf, frames));

                int held = io.sluice.config.IpConfig.Reassembly.MAX_DATAGRAMS_DEFAULT;
                Map<String, Long> expected = new java.util.TreeMap<>(Map.of("drop.IP_BAD_CHECKSUM", 1L,
                    "drop.IP_TOO_SHORT", 1L, "drop.IP_BAD_IHL", 1L, "drop.IP_BAD_TOTAL_LENGTH", 1L,
                    "drop.IP_TRUNCATED", 1L, "drop.IP_TTL_EXCEEDED", 2L, "drop.IP_MARTIAN_SOURCE", 1L,
                    "drop.IP_MARTIAN_DESTINATION", 1L, "drop.REASM_OVERLAP", 1L, "drop.REASM_LIMIT",
                    (long) flood - held));
                assertTrue(io.sluice.nativeio.afpacket.Await.until(() -> seen(f, expected), java.time.Duration
                    .ofSeconds(10)), () -> "counters: " + f.counters().nonZero());
                Map<String, Long> c = f.counters().nonZero();
                expected.forEach((k, v) -> assertEquals(v, c.getOrDefault(k, 0L), k + " in " + c));
            } finally {
                assertClosedClean(f);
            }
        }
    }

    private static boolean seen(Forwarder f, Map<String, Long> expected) {
        Map<String, Long> c = f.counters().nonZero();
        return expected.entrySet().stream().allMatch(e -> c.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    private static byte[] mac(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return b;
    }

    @Test
    void dontFragmentOverTheEgressMtuYieldsFragmentationNeeded() {
        try (RouterLab lab = new RouterLab(1400)) {
            Forwarder f = start(lab);
            try {
                String out = RouterLab.inAnyway(lab.gen, "ping", "-c", "1", "-s", "1472", "-M", "do", "-W", "3",
                    "10.10.2.2");
                assertTrue(out.contains("From 10.10.1.1") && out.contains("mtu = 1400"), out);
                assertEquals(1, f.counters().nonZero().getOrDefault("drop.IP_FRAG_NEEDED", 0L));
            } finally {
                assertClosedClean(f);
            }
        }
    }
}
