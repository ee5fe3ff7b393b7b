package io.sluice.engine.forward;

import static io.sluice.engine.forward.ForwarderLab.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.services.UdpChargen;
import io.sluice.engine.services.UdpDiscard;
import io.sluice.engine.services.UdpEcho;
import io.sluice.engine.socket.DatagramSocket;
import io.sluice.engine.transport.udp.UdpProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * UDP on the plane end to end, on in-memory wires: exact bytes in and out, the counters, and the pool full at
 * the end (the leak extension checks).
 */
@ExtendWith(PbufLeakExtension.class)
class UdpStackTest {
    private static final int CLIENT_PORT = 40_000;

    /** A lab whose forwarder runs {@code udp}, with {@code setup} binding sockets before it starts. */
    static ForwarderLab lab(UdpProtocol udp) {
        return new ForwarderLab(1500, b -> {
        }, PacketHook.NONE, fb -> fb.transport(udp));
    }

    static byte[] request(int dstPort, byte[] data) {
        return Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 17, 0, 77,
            Frames.udp(HOST_GEN_IP, GEN_IP, CLIENT_PORT, dstPort, data));
    }

    /** The reply Sluice must send: from its port, TTL 64, the plane's identification {@code id}, checksummed. */
    static byte[] reply(int srcPort, byte[] data, int id) {
        return Frames.ipv4(HOST_GEN, GEN_MAC, GEN_IP, HOST_GEN_IP, 64, 17, 0, id,
            Frames.udp(GEN_IP, HOST_GEN_IP, srcPort, CLIENT_PORT, data));
    }

    /** Waits for a condition, five seconds at most. */
    static boolean until(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        return true;
    }

    static long udp(UdpProtocol udp, String name) {
        return udp.counters().nonZero().getOrDefault(name, 0L);
    }

    @Test
    void echoesByteForByte() {
        UdpProtocol udp = new UdpProtocol();
        udp.bind(0, UdpEcho.PORT, new UdpEcho(), 64);
        try (ForwarderLab lab = lab(udp)) {
            byte[] data = Frames.data(100, 1);
            lab.send(lab.gen, request(7, data));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            assertArrayEquals(reply(7, data, 1), lab.receiveOne(lab.gen), "the echo, byte for byte");
            lab.send(lab.gen, request(7, data));
            assertArrayEquals(reply(7, data, 2), lab.receiveOne(lab.gen), "resolved now: straight out");
            assertEquals(2, udp(udp, "udpInDatagrams"));
            assertEquals(2, udp(udp, "udpOutDatagrams"));
            assertEquals(2, lab.counter("ipOutRequests"));
            assertEquals(0, lab.forwarder.counters().drops());
            assertEquals(2L, lab.forwarder.allCounters().get("udp.udpOutDatagrams"), "beside the plane's, for JMX");
        }
    }

    @Test
    void aZeroChecksumMeansNoneAndIsAccepted() {
        UdpProtocol udp = new UdpProtocol();
        udp.bind(0, UdpEcho.PORT, new UdpEcho(), 64);
        try (ForwarderLab lab = lab(udp)) {
            byte[] data = Frames.data(64, 2);
            byte[] datagram = Frames.udp(HOST_GEN_IP, GEN_IP, CLIENT_PORT, 7, data);
            datagram[6] = 0;
            datagram[7] = 0; // RFC 768: the sender computed none
            lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 17, 0, 5, datagram));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            assertArrayEquals(reply(7, data, 1), lab.receiveOne(lab.gen), "echoed, with a checksum of its own");
            assertEquals(1, udp(udp, "udpInDatagrams"));
        }
    }

    @Test
    void aBadChecksumIsDroppedAndCountedWithoutAnError() {
        UdpProtocol udp = new UdpProtocol();
        udp.bind(0, UdpEcho.PORT, new UdpEcho(), 64);
        try (ForwarderLab lab = lab(udp)) {
            byte[] frame = request(7, Frames.data(100, 3));
            frame[14 + 20 + 8 + 50] ^= 0x10; // a payload byte: the IP header still verifies
            lab.send(lab.gen, frame);
            byte[] toClosedPort = request(9999, Frames.data(40, 3));
            toClosedPort[14 + 20 + 8 + 5] ^= 0x01; // bad and to a closed port: dropped, no Port Unreachable
            lab.send(lab.gen, toClosedPort);
            lab.assertSilent(lab.gen);
            assertEquals(2, udp(udp, "drop.UDP_BAD_CHECKSUM"));
            assertEquals(2, udp(udp, "udpInCsumErrors"));
            assertEquals(2, udp(udp, "udpInErrors"));
            assertEquals(0, udp(udp, "udpInDatagrams"));
            assertEquals(0, udp(udp, "udpNoPorts"));
        }
    }

    @Test
    void lengthsAreCheckedAndExtraIpPayloadTrimmed() {
        UdpProtocol udp = new UdpProtocol();
        udp.bind(0, UdpEcho.PORT, new UdpEcho(), 64);
        try (ForwarderLab lab = lab(udp)) {
            byte[] data = Frames.data(50, 4);
            byte[] longer = Frames.udp(HOST_GEN_IP, GEN_IP, CLIENT_PORT, 7, Frames.data(100, 4));
            longer[4] = 0;
            longer[5] = (byte) 200; // UDP length past the IP payload
            byte[] shorter = longer.clone();
            shorter[5] = 4; // below the header's own 8
            byte[] padded = Arrays.copyOf(Frames.udp(HOST_GEN_IP, GEN_IP, CLIENT_PORT, 7, data), 58 + 10);
            for (byte[] d : List.of(longer, shorter, padded)) {
                lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 17, 0, 6, d));
            }
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            assertArrayEquals(reply(7, data, 1), lab.receiveOne(lab.gen), "UDP's length rules: 10 bytes trimmed");
            assertEquals(1, udp(udp, "drop.UDP_TRUNCATED"));
            assertEquals(1, udp(udp, "drop.UDP_BAD_LENGTH"));
            assertEquals(2, udp(udp, "udpInErrors"));
        }
    }

    @Test
    void noSocketYieldsPortUnreachableButNotForABroadcast() {
        UdpProtocol udp = new UdpProtocol();
        try (ForwarderLab lab = lab(udp)) {
            byte[] frame = request(9999, Frames.data(30, 5));
            lab.send(lab.gen, frame);
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] err = lab.receiveOne(lab.gen);
            assertEquals(GEN_IP, Frames.u32(err, 26));
            assertEquals(HOST_GEN_IP, Frames.u32(err, 30));
            assertEquals(1, err[23], "ICMP");
            assertEquals(3, err[34], "Destination Unreachable");
            assertEquals(3, err[35], "port unreachable");
            int total = Frames.u16(err, 16);
            assertEquals(0, Frames.checksum(err, 34, total - 20), "ICMP checksum verifies");
            assertArrayEquals(Arrays.copyOfRange(frame, 14, 14 + 20 + 8 + 30), Arrays.copyOfRange(err, 42, 42 + 58),
                "quotes the datagram");

            // RFC 1122 4.1.3.1 / RFC 1812 4.3.2.7: never about a datagram to a broadcast address.
            lab.send(lab.gen, Frames.ipv4(BROADCAST_MAC, HOST_GEN, HOST_GEN_IP, Frames.ip(10, 10, 1, 255), 64, 17, 0, 8,
                Frames.udp(HOST_GEN_IP, Frames.ip(10, 10, 1, 255), CLIENT_PORT, 9999, Frames.data(30, 5))));
            lab.assertSilent(lab.gen);
            assertEquals(2, udp(udp, "udpNoPorts"));
            assertEquals(2, lab.counter("drop.IP_NO_PORT"));
            assertEquals(1, lab.counter("icmpOutDestUnreachs"));
            assertEquals(0, lab.counter("ipInUnknownProtos"));
        }
    }

    private static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    @Test
    void aFragmentedDatagramIsReassembledDeliveredAndItsEchoFragmented() {
        UdpProtocol udp = new UdpProtocol();
        udp.bind(0, UdpEcho.PORT, new UdpEcho(), 64);
        try (ForwarderLab lab = lab(udp)) {
            byte[] data = Frames.data(3000, 6);
            byte[] datagram = Frames.udp(HOST_GEN_IP, GEN_IP, CLIENT_PORT, 7, data); // 3008 bytes
            int[] offsets = {0, 1480, 2960, 3008};
            for (int k = 2; k >= 0; k--) { // out of order, as networks may deliver them
                int flags = (k < 2 ? 0x2000 : 0) | offsets[k] / 8;
                lab.send(lab.gen, Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 17, flags, 0x99,
                    Arrays.copyOfRange(datagram, offsets[k], offsets[k + 1])));
            }
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            List<byte[]> frags = lab.receive(lab.gen, 3, 5000);
            assertEquals(3, frags.size(), "3028 bytes of datagram for a 1500-byte MTU");
            byte[] expected = Frames.udp(GEN_IP, HOST_GEN_IP, 7, CLIENT_PORT, data);
            byte[] joined = new byte[expected.length];
            int at = 0;
            for (int k = 0; k < 3; k++) {
                byte[] f = frags.get(k);
                assertEquals(0, Frames.checksum(f, 14, 20), "header checksum of fragment " + k);
                assertEquals(at / 8, Frames.u16(f, 20) & 0x1FFF, "offset of fragment " + k);
                assertEquals(k < 2 ? 0x2000 : 0, Frames.u16(f, 20) & 0x2000, "MF of fragment " + k);
                int len = Frames.u16(f, 16) - 20;
                System.arraycopy(f, 34, joined, at, len);
                at += len;
            }
            assertEquals(expected.length, at);
            assertArrayEquals(expected, joined, "the echo, reassembled");
            assertEquals(1, lab.counter("ipReasmOKs"));
            assertEquals(3, lab.counter("ipFragCreates"));
            assertEquals(1, udp(udp, "udpOutDatagrams"));
        }
    }

    @Test
    void aQueueSocketIsPolledAndItsQueueIsBounded() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        DatagramSocket socket = udp.bind(GEN_IP, 5353, null, 2);
        try (ForwarderLab lab = lab(udp)) {
            for (int k = 0; k < 3; k++) {
                lab.send(lab.gen, request(5353, Frames.data(20 + k, k)));
            }
            assertTrue(until(() -> udp(udp, "udpInDatagrams") == 2 && udp(udp, "drop.RECEIVE_QUEUE_FULL") == 1));
            List<byte[]> got = new ArrayList<>();
            AtomicReference<String> from = new AtomicReference<>();
            var done = new java.util.concurrent.CountDownLatch(1);
            assertTrue(udp.commands().submit(p -> {
                socket.poll(p, (pp, s, chain, addr, port) -> {
                    got.add(pp.toArray(chain));
                    from.set(addr + ":" + port);
                    pp.freem(chain);
                }, 1);
                done.countDown();
                return true;
            }));
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(1, got.size());
            assertArrayEquals(Frames.data(20, 0), got.getFirst(), "zero copy: the payload chain, headers stripped");
            assertEquals(HOST_GEN_IP + ":" + CLIENT_PORT, from.get());
            assertEquals(1, udp(udp, "udpRcvbufErrors"));
            // The second datagram stays queued: the stop frees it.
        }
        assertEquals(1, udp(udp, "drop.CLOSED_WITH_DATA"));
    }

    @Test
    void bindingRules() {
        UdpProtocol u = new UdpProtocol();
        u.bind(0, 7, new UdpDiscard(), 1);
        assertThrows(IllegalStateException.class, () -> u.bind(0, 7, new UdpDiscard(), 1));
        assertThrows(IllegalStateException.class, () -> u.bind(GEN_IP, 7, new UdpDiscard(), 1), "the wildcard holds 7");
        u.bind(GEN_IP, 8, new UdpDiscard(), 1);
        assertThrows(IllegalStateException.class, () -> u.bind(0, 8, new UdpDiscard(), 1), "an address holds 8");
        DatagramSocket e = u.bind(0, 0, new UdpDiscard(), 1);
        assertTrue(e.localPort() >= 49_152, "an ephemeral port from RFC 6335's dynamic range: " + e.localPort());
        assertThrows(IllegalArgumentException.class, () -> u.bind(0, 70_000, new UdpDiscard(), 1));
    }

    @Test
    void chargenAnswersEachDatagramWithUpTo512CharactersOfThePattern() {
        UdpProtocol udp = new UdpProtocol();
        udp.bind(0, UdpChargen.PORT, new UdpChargen(42), 64);
        try (ForwarderLab lab = lab(udp)) {
            lab.send(lab.gen, request(19, Frames.data(20, 7)));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] first = lab.receiveOne(lab.gen);
            lab.send(lab.gen, request(19, Frames.data(20, 7)));
            byte[] second = lab.receiveOne(lab.gen);
            StringBuilder stream = new StringBuilder();
            for (byte[] f : List.of(first, second)) {
                int len = Frames.u16(f, 38) - 8;
                assertTrue(len >= 0 && len <= 512, "0..512 characters: " + len);
                assertEquals(19, Frames.u16(f, 34), "from port 19");
                byte[] expected = reply(19, Arrays.copyOfRange(f, 42, 42 + len), Frames.u16(f, 18));
                assertArrayEquals(Arrays.copyOf(expected, 42 + len), Arrays.copyOf(f, 42 + len),
                    "a well-formed datagram with a correct checksum");
                stream.append(new String(f, 42, len, java.nio.charset.StandardCharsets.US_ASCII));
            }
            // RFC 864: lines of 72 characters, each starting one further along the printable ASCII, CR LF after.
            StringBuilder pattern = new StringBuilder();
            for (int line = 0; pattern.length() < stream.length(); line++) {
                for (int c = 0; c < 72; c++) {
                    pattern.append((char) (' ' + (line + c) % 95));
                }
                pattern.append("\r\n");
            }
            assertEquals(pattern.substring(0, stream.length()), stream.toString(), "the pattern, continued");
        }
    }
}
