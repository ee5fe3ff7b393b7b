package io.sluice.engine.forward;

import static io.sluice.engine.forward.ForwarderLab.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.UdpHeader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;

/** The forwarding plane end to end on in-memory wires: exact bytes out, counters, and the pool full at the end. */
@ExtendWith(PbufLeakExtension.class)
class ForwarderTest {
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final int FAR = Frames.ip(198, 19, 0, 7);

    @Test
    void answersArpForItsAddress() {
        try (ForwarderLab lab = new ForwarderLab()) {
            lab.send(lab.gen, Frames.arp(BROADCAST, HOST_GEN, 1, HOST_GEN, HOST_GEN_IP, 0, GEN_IP));
            byte[] reply = lab.receiveOne(lab.gen);
            assertArrayEquals(Frames.arp(HOST_GEN, GEN_MAC, 2, GEN_MAC, GEN_IP, HOST_GEN, HOST_GEN_IP), reply);
            assertEquals(1, lab.counter("arpInRequests"));
            assertEquals(1, lab.counter("arpOutReplies"));
        }
    }

    @Test
    void ignoresArpForOthersAndNeverBelievesABroadcastSender() {
        try (ForwarderLab lab = new ForwarderLab()) {
            lab.send(lab.gen, Frames.arp(BROADCAST, HOST_GEN, 1, HOST_GEN, HOST_GEN_IP, 0, Frames.ip(10, 10, 1, 9)));
            lab.send(lab.gen, Frames.arp(BROADCAST, HOST_GEN, 1, BROADCAST, HOST_GEN_IP, 0, GEN_IP));
            lab.assertSilent(lab.gen);
            assertEquals(1, lab.counter("drop.ARP_NOT_FOR_US"));
            assertEquals(1, lab.counter("drop.ARP_BOGUS_SENDER"));
        }
    }

    @Test
    void forwardsThroughArpWithTtlAndChecksumUpdated() {
        try (ForwarderLab lab = new ForwarderLab()) {
            byte[] udp = Frames.udp(4000, 9, 100);
            byte[] in = Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 64, 17, 0, 77, udp);
            lab.send(lab.gen, in);
            lab.answerArp(lab.sink, SINK_MAC, SINK_IP, HOST_SINK_IP, HOST_SINK); // the gateway of 198.19/16
            byte[] out = lab.receiveOne(lab.sink);
            byte[] expected = Frames.ipv4(HOST_SINK, SINK_MAC, HOST_GEN_IP, FAR, 63, 17, 0, 77, udp);
            assertArrayEquals(expected, out, "MACs rewritten, TTL 63, header checksum updated");

            // Resolved now: the next one goes straight out.
            lab.send(lab.gen, in);
            assertArrayEquals(expected, lab.receiveOne(lab.sink));
            assertEquals(2, lab.counter("ipForwDatagrams"));
            assertEquals(1, lab.counter("arpResolved"));
        }
    }

    /**
     * A datagram from a local kernel with its transport checksum left to offload (the receive port marked it
     * CSUM_PARTIAL; the field holds the pseudo-header's sum) leaves with the checksum finished: UDP in one pbuf,
     * and TCP with 1400 bytes of data across a chain.
     */
    @ParameterizedTest(name = "protocol {0}, {1} bytes")
    @CsvSource({"17, 100", "6, 1400"})
    void finishesAChecksumALocalKernelLeftToOffload(int protocol, int dataLength) {
        try (ForwarderLab lab = new ForwarderLab()) {
            byte[] data = Frames.data(dataLength, 3);
            byte[] segment = protocol == 17 ? Frames.udp(HOST_GEN_IP, FAR, 4000, 9, data)
                : Frames.tcp(HOST_GEN_IP, FAR, 4000, 80, data);
            int field = protocol == 17 ? 6 : 16;
            byte[] partial = segment.clone();
            int pseudo = io.sluice.engine.wire.Checksum.pseudoHeaderSum(HOST_GEN_IP, FAR, protocol, segment.length);
            partial[field] = (byte) (pseudo >>> 8);
            partial[field + 1] = (byte) pseudo;
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 64, protocol, 0x4000, 5, partial),
                io.sluice.engine.pbuf.PacketFlags.CSUM_PARTIAL);
            lab.answerArp(lab.sink, SINK_MAC, SINK_IP, HOST_SINK_IP, HOST_SINK);
            byte[] out = lab.receiveOne(lab.sink);
            assertArrayEquals(Frames.ipv4(HOST_SINK, SINK_MAC, HOST_GEN_IP, FAR, 63, protocol, 0x4000, 5, segment), out,
                "the checksum finished, nothing else changed but TTL and MACs");
        }
    }

    @Test
    void answersPing() {
        try (ForwarderLab lab = new ForwarderLab()) {
            byte[] echo = Frames.echoRequest(0x1234, 1, 56);
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 1, 0x4000, 9, echo));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] reply = lab.receiveOne(lab.gen);
            byte[] icmp = echo.clone();
            icmp[0] = 0;
            icmp[2] = 0;
            icmp[3] = 0;
            int c = Frames.checksum(icmp, 0, icmp.length);
            icmp[2] = (byte) (c >>> 8);
            icmp[3] = (byte) c;
            assertEquals(HOST_GEN, Frames.mac(reply, 0));
            assertEquals(GEN_IP, Frames.u32(reply, 26), "from the address pinged");
            assertEquals(HOST_GEN_IP, Frames.u32(reply, 30));
            assertEquals(0, Frames.checksum(reply, 14, 20), "IP header checksum verifies");
            assertArrayEquals(icmp, Arrays.copyOfRange(reply, 34, 34 + icmp.length), "echo reply, same id, seq, data");
            assertEquals(1, lab.counter("icmpInEchos"));
            assertEquals(1, lab.counter("icmpOutEchoReps"));
        }
    }

    @Test
    void ttlOneYieldsTimeExceededFromTheIngressAddress() {
        try (ForwarderLab lab = new ForwarderLab()) {
            byte[] in = Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 1, 17, 0, 5, Frames.udp(1, 2, 20));
            lab.send(lab.gen, in);
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] err = lab.receiveOne(lab.gen);
            assertEquals(GEN_IP, Frames.u32(err, 26));
            assertEquals(HOST_GEN_IP, Frames.u32(err, 30));
            assertEquals(1, err[23], "ICMP");
            assertEquals(11, err[34], "Time Exceeded");
            assertEquals(0, err[35], "TTL exceeded in transit");
            int total = Frames.u16(err, 16);
            assertEquals(0, Frames.checksum(err, 34, total - 20), "ICMP checksum verifies");
            int quoted = 20 + 8 + 20;
            assertArrayEquals(Arrays.copyOfRange(in, 14, 14 + quoted), Arrays.copyOfRange(err, 42, 42 + quoted),
                "quotes the datagram");
            lab.assertSilent(lab.sink);
            assertEquals(1, lab.counter("drop.IP_TTL_EXCEEDED"));
            assertEquals(1, lab.counter("icmpOutTimeExcds"));
        }
    }

    @Test
    void noRouteYieldsNetUnreachable() {
        try (ForwarderLab lab = new ForwarderLab()) {
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, Frames.ip(203, 0, 113, 1), 64, 17, 0, 1,
                Frames.udp(1, 2, 10)));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] err = lab.receiveOne(lab.gen);
            assertEquals(3, err[34]);
            assertEquals(0, err[35], "net unreachable");
            assertEquals(1, lab.counter("drop.IP_NO_ROUTE"));
        }
    }

    @Test
    void dontFragmentOverTheMtuYieldsFragmentationNeededWithTheMtu() {
        try (ForwarderLab lab = new ForwarderLab(1400, b -> {
        })) {
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 64, 17, 0x4000, 1,
                Frames.udp(1, 2, 1472)));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] err = lab.receiveOne(lab.gen);
            assertEquals(3, err[34]);
            assertEquals(4, err[35], "fragmentation needed");
            assertEquals(1400, Frames.u16(err, 40), "next-hop MTU (RFC 1191)");
            assertEquals(1, lab.counter("drop.IP_FRAG_NEEDED"));
        }
    }

    @Test
    void fragmentsToTheEgressMtu() {
        try (ForwarderLab lab = new ForwarderLab(1400, b -> {
        })) {
            byte[] udp = Frames.udp(1, 2, 1472); // a 1500-byte datagram
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 64, 17, 0, 0x4242, udp));
            // Both fragments wait for ARP together; one request goes out.
            lab.answerArp(lab.sink, SINK_MAC, SINK_IP, HOST_SINK_IP, HOST_SINK);
            List<byte[]> frags = lab.receive(lab.sink, 2, 5000);
            assertEquals(2, frags.size());
            byte[] a = frags.get(0);
            byte[] b = frags.get(1);
            assertEquals(20 + 1376, Frames.u16(a, 16), "1380 bytes of room, cut to a multiple of 8");
            assertEquals(0x2000, Frames.u16(a, 20), "MF, offset 0");
            assertEquals(20 + 1480 - 1376, Frames.u16(b, 16));
            assertEquals(1376 / 8, Frames.u16(b, 20), "last fragment at 1376");
            assertEquals(0x4242, Frames.u16(b, 18));
            assertEquals(63, a[22]);
            assertEquals(0, Frames.checksum(a, 14, 20));
            assertEquals(0, Frames.checksum(b, 14, 20));
            byte[] joined = new byte[1480];
            System.arraycopy(a, 34, joined, 0, 1376);
            System.arraycopy(b, 34, joined, 1376, 104);
            assertArrayEquals(udp, joined);
            assertEquals(1, lab.counter("ipFragOKs"));
            assertEquals(2, lab.counter("ipFragCreates"));
        }
    }

    @Test
    void malformedAndMartianPacketsAreDroppedAndCounted() {
        try (ForwarderLab lab = new ForwarderLab()) {
            byte[] good = Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 64, 17, 0, 1, Frames.udp(1, 2, 10));
            byte[] badSum = good.clone();
            badSum[24] ^= 1;
            byte[] badIhl = good.clone();
            badIhl[14] = 0x44;
            byte[] badLen = good.clone();
            badLen[16] = 0x7F; // total length past the frame, with a header checksum that verifies
            Frames.fixIpChecksum(badLen);
            byte[] shortFrame = Arrays.copyOf(good, 12);
            byte[] martian = Frames.ipv4(GEN_MAC, HOST_GEN, Frames.ip(127, 0, 0, 1), FAR, 64, 17, 0, 1, Frames.udp(1, 2, 10));
            byte[] toLoopback = Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, Frames.ip(127, 0, 0, 1), 64, 17, 0, 1,
                Frames.udp(1, 2, 10));
            byte[] ttl0 = Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 0, 1, 0, 1,
                new byte[] {3, 0, 0, 0, 0, 0, 0, 0}); // an ICMP error with TTL 0: dropped, and no error about an error
            for (byte[] f : List.of(badSum, badIhl, badLen, shortFrame, martian, toLoopback)) {
                lab.send(lab.gen, f);
            }
            lab.send(lab.gen, ttl0);
            lab.assertSilent(lab.gen);
            lab.assertSilent(lab.sink);
            assertEquals(1, lab.counter("drop.IP_BAD_CHECKSUM"));
            assertEquals(1, lab.counter("drop.IP_BAD_IHL"));
            assertEquals(1, lab.counter("drop.IP_TRUNCATED"));
            assertEquals(1, lab.counter("drop.ETH_TOO_SHORT"));
            assertEquals(1, lab.counter("drop.IP_MARTIAN_SOURCE"));
            assertEquals(1, lab.counter("drop.IP_MARTIAN_DESTINATION"));
            assertEquals(1, lab.counter("drop.IP_TTL_EXCEEDED"));
            assertEquals(0, lab.counter("icmpOutMsgs"));
        }
    }

    @Test
    void theHookSeesRewritesAndDropsOnTheFastPath() {
        // Drops UDP to port 666; rewrites the TOS of everything else (fixing the header checksum it changed).
        PacketHook hook = (p, packet, l3, rcvif) -> {
            var s = p.segment();
            long ip = p.address(packet) + l3;
            if (Ipv4Header.protocol(s, ip) == 17 && UdpHeader.dstPort(s, ip + Ipv4Header.headerLength(s, ip)) == 666) {
                return PacketHook.DROP;
            }
            Ipv4Header.setTos(s, ip, 0x28);
            Ipv4Header.fillChecksum(s, ip);
            return PacketHook.PASS;
        };
        try (ForwarderLab lab = new ForwarderLab(1500, b -> {
        }, hook)) {
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 64, 17, 0, 1, Frames.udp(1, 666, 10)));
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, FAR, 64, 17, 0, 2, Frames.udp(1, 9, 10)));
            lab.answerArp(lab.sink, SINK_MAC, SINK_IP, HOST_SINK_IP, HOST_SINK);
            byte[] out = lab.receiveOne(lab.sink);
            assertEquals(2, Frames.u16(out, 18), "the second datagram");
            assertEquals(0x28, out[15]);
            assertEquals(0, Frames.checksum(out, 14, 20));
            assertEquals(1, lab.counter("drop.IP_HOOK_DROPPED"));
        }
    }

    @Test
    void routesChangeWhileItRuns() {
        try (ForwarderLab lab = new ForwarderLab()) {
            int dst = Frames.ip(203, 0, 113, 5);
            byte[] in = Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, dst, 64, 17, 0, 3, Frames.udp(1, 2, 10));
            lab.send(lab.gen, in);
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            assertEquals(3, lab.receiveOne(lab.gen)[34], "no route yet: net unreachable");

            lab.forwarder.addRoute(Frames.ip(203, 0, 113, 0), 24, HOST_SINK_IP, "sink");
            lab.send(lab.gen, in);
            lab.answerArp(lab.sink, SINK_MAC, SINK_IP, HOST_SINK_IP, HOST_SINK);
            assertEquals(dst, Frames.u32(lab.receiveOne(lab.sink), 30), "forwarded by the new route");

            assertTrue(lab.forwarder.removeRoute(Frames.ip(203, 0, 113, 0), 24));
            lab.send(lab.gen, in);
            assertEquals(3, lab.receiveOne(lab.gen)[34], "the route is gone again");
            assertEquals(2, lab.counter("drop.IP_NO_ROUTE"));
        }
    }
}
