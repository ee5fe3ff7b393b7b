package io.sluice.engine.forward;

import static io.sluice.engine.forward.ForwarderLab.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.services.UdpChargen;
import io.sluice.engine.services.UdpEcho;
import io.sluice.engine.socket.DatagramSocket;
import io.sluice.engine.transport.udp.UdpProtocol;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input never throws and never leaks on UDP's paths: twenty thousand seeded mutations of UDP datagrams
 * (headers, lengths, checksums, fragments, truncation) and of ICMP errors quoting them go through the whole
 * stack with echo, chargen and a connected queue socket bound. Nothing may reach the stage's error handler, and
 * the pool must be full at the end (the leak extension).
 */
@ExtendWith(PbufLeakExtension.class)
class UdpMutationTest {
    private static final int FRAMES = 20_000;

    @Test
    void mutatedDatagramsAndErrorsAreDroppedOrServedNeverThrown() {
        UdpProtocol udp = new UdpProtocol();
        udp.bind(0, UdpEcho.PORT, new UdpEcho(), 64);
        udp.bind(0, UdpChargen.PORT, new UdpChargen(3), 64);
        DatagramSocket queue = udp.bind(GEN_IP, 5000, null, 8);
        queue.connect(HOST_GEN_IP, 40_000);
        Random random = new Random(0x5EED);
        try (ForwarderLab lab = new ForwarderLab(1500, b -> b.neighbour("10.10.1.2", "02:00:00:00:01:02", "gen"),
                PacketHook.NONE, fb -> fb.transport(udp))) {
            Pbufs p = lab.forwarder.pool().local();
            long out = 0;
            for (int k = 0; k < FRAMES; k++) {
                out += send(lab, p, mutate(random, seed(random)));
            }
            out += lab.receive(lab.gen, Integer.MAX_VALUE, 300).size();
            assertEquals(0, lab.forwarder.pipeline().errors(), "an exception on the data path");
            long in = udp.counters().nonZero().getOrDefault("udpInDatagrams", 0L);
            assertTrue(in > 1000, "enough survived to be served: " + in);
            assertTrue(out > 0);
        }
    }

    /** Sends a frame, taking (and freeing) what comes out meanwhile so that neither wire fills up; bounded. */
    private static int send(ForwarderLab lab, Pbufs p, byte[] frame) {
        int h = p.alloc(Layer.RAW, frame.length);
        assertNotEquals(PbufHandle.NULL, h);
        p.copyback(h, 0, frame, 0, frame.length);
        int[] one = {h};
        int[] burst = new int[64];
        int out = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            int n = lab.gen.receiveBurst(p, burst, burst.length);
            p.freem(burst, n);
            out += n;
            if (lab.gen.transmitBurst(p, one, 0, 1) == 1) {
                return out;
            }
            if (System.nanoTime() - deadline > 0) {
                p.freem(h);
                fail("the stack took no frame for 10 s");
            }
            Thread.onSpinWait();
        }
    }

    /** A frame to mutate: a datagram to a bound or a closed port, a fragment of one, or an ICMP error about one. */
    private static byte[] seed(Random r) {
        int port = switch (r.nextInt(4)) {
            case 0 -> 7;
            case 1 -> 19;
            case 2 -> 5000;
            default -> 1 + r.nextInt(65_535);
        };
        byte[] data = Frames.data(r.nextInt(r.nextBoolean() ? 64 : 3000), r.nextInt());
        byte[] datagram = r.nextBoolean() ? Frames.udp(HOST_GEN_IP, GEN_IP, 40_000, port, data)
            : Arrays.copyOf(Frames.udp(40_000, port, data.length), 8 + data.length); // checksum 0: none
        int choice = r.nextInt(8);
        if (choice == 0 && datagram.length > 16) { // one fragment of it
            int off = r.nextInt(datagram.length / 8) * 8;
            int len = Math.min(datagram.length - off, 8 * (1 + r.nextInt(200)));
            boolean more = off + len < datagram.length;
            return Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 17, (more ? 0x2000 : 0) | off / 8,
                r.nextInt(4), Arrays.copyOfRange(datagram, off, off + len));
        }
        if (choice == 1) { // an ICMP error quoting a datagram "we" sent
            byte[] ours = Frames.ipv4(HOST_GEN, GEN_MAC, GEN_IP, HOST_GEN_IP, 64, 17, 0, 1,
                Frames.udp(GEN_IP, HOST_GEN_IP, port, 40_000, Frames.data(20, 1)));
            byte[] icmp = new byte[8 + 48];
            icmp[0] = (byte) (r.nextBoolean() ? 3 : 11);
            icmp[1] = (byte) r.nextInt(5);
            System.arraycopy(ours, 14, icmp, 8, 48);
            int c = Frames.checksum(icmp, 0, icmp.length);
            icmp[2] = (byte) (c >>> 8);
            icmp[3] = (byte) c;
            return Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 1, 0, 2, icmp);
        }
        return Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 17, 0, 3, datagram);
    }

    /** Flips bytes after the Ethernet header, maybe truncates, and half the time fixes the IP checksum again. */
    private static byte[] mutate(Random r, byte[] frame) {
        byte[] f = frame;
        if (r.nextInt(8) == 0) {
            f = Arrays.copyOf(f, Math.max(15, r.nextInt(f.length) + 1));
        }
        int flips = r.nextInt(5);
        for (int i = 0; i < flips && f.length > 14; i++) {
            int at = 14 + r.nextInt(Math.min(f.length - 14, 80)); // headers, mostly
            f[at] = (byte) r.nextInt(256);
        }
        if (r.nextBoolean() && f.length >= 34 && (f[14] & 0xF0) == 0x40 && (f[14] & 0x0F) >= 5
            && 14 + (f[14] & 0x0F) * 4 <= f.length) {
            Frames.fixIpChecksum(f);
        }
        return f;
    }

}
