package io.sluice.nativeio.forward;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ForwarderConfig;
import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.nativeio.afpacket.VethLab;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sluice as a router between two Linux namespaces on real veth pairs: Linux ping through it both ways, ARP
 * against the kernel's neighbours, Time Exceeded, fragmentation to a smaller egress MTU that the Linux host
 * reassembles, and Fragmentation Needed for DF. Runs as root (CI does); without it the test fails saying why.
 */
class ForwarderLabTest {

    @BeforeAll
    static void prerequisites() {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            fail(missing);
        }
        for (String tool : new String[] {"ping", "nft"}) {
            if (VethLab.executable(tool) == null) {
                fail("the forwarder lab tests need `" + tool + "` (Debian packages iputils-ping and nftables;"
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
