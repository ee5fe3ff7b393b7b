package io.sluice.nativeio.udp;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ForwarderConfig;
import io.sluice.config.PipelineConfig;
import io.sluice.config.PortConfig;
import io.sluice.config.PoolConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.engine.services.UdpChargen;
import io.sluice.engine.services.UdpDiscard;
import io.sluice.engine.services.UdpEcho;
import io.sluice.engine.socket.BlockingDatagramSocket;
import io.sluice.engine.socket.BlockingSockets;
import io.sluice.engine.transport.udp.UdpProtocol;
import io.sluice.engine.wire.Ipv4Address;
import io.sluice.nativeio.afpacket.VethLab;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.PortUnreachableException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sluice's UDP services against Linux's sockets on a real veth pair: a Python client in a peer namespace sends
 * datagrams of every size from empty to fragmented to Sluice's echo and checks each reply byte for byte, reads
 * chargen's pattern, feeds discard, and sees ECONNREFUSED on a connected socket when Sluice answers a closed
 * port with Port Unreachable; and Sluice's blocking client on a virtual thread against a Linux echo server. Runs as root (CI does); without it the test fails saying why.
 */
class UdpServeLabTest {
    /**
     * The client. Every receive has a timeout and every loop a fixed count, so it ends whatever Sluice does;
     * it prints one line per check and exits non-zero at the first failure.
     */
    private static final String CLIENT = """
        import os, socket, sys
        S = sys.argv[1]
        def udp():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(3)
            return s
        echo = udp()
        echo.connect((S, 7))
        for size in (0, 1, 18, 100, 512, 1472, 1473, 3000, 8000):
            for k in range(3):
                data = os.urandom(size)
                echo.send(data)
                back = echo.recv(65535)
                if back != data:
                    sys.exit("echo of %d bytes came back as %d different bytes" % (size, len(back)))
            print("echo %d ok" % size)
        lines = "".join("".join(chr(32 + (l + c) % 95) for c in range(72)) + "\\r\\n" for l in range(95))
        pattern = (lines * 2).encode()
        cg = udp()
        cg.connect((S, 19))
        got = b""
        for k in range(5):
            cg.send(b"x")
            d = cg.recv(65535)
            if len(d) > 512:
                sys.exit("chargen sent %d bytes" % len(d))
            got += d
        if got != pattern[:len(got)]:
            sys.exit("chargen: not the RFC 864 pattern: %r" % got[:100])
        print("chargen ok %d" % len(got))
        d = udp()
        for k in range(10):
            d.sendto(b"d" * 100, (S, 9))
        print("discard sent")
        closed = udp()
        closed.connect((S, 5555))
        closed.send(b"anyone?")
        try:
            closed.recv(100)
            sys.exit("a reply from a closed port")
        except ConnectionRefusedError:
            print("refused ok")
        """;

    @BeforeAll
    static void prerequisites() {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            fail(missing);
        }
        if (VethLab.executable("python3") == null) {
            fail("the UDP lab test needs python3 (Debian package python3)");
        }
    }

    /** Both backends: each must carry Linux's checksum-offload mark (AF_PACKET's tp_status, io_uring's auxdata). */
    @ParameterizedTest
    @EnumSource(PortConfig.Backend.class)
    void linuxClientsTalkToSluicesUdpServices(PortConfig.Backend backend) {
        try (ServeLab lab = new ServeLab()) {
            ForwarderConfig config = ForwarderConfig.builder().name("hu-serve").jmx(false)
                .pool(new PoolConfig().slots(8192))
                .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
                .port("lab", p -> p.interfaceName(lab.sluiceIf).netns(lab.sluice).address(ServeLab.SLUICE_ADDRESS + "/24")
                    .backend(backend))
                .build();
            UdpProtocol udp = new UdpProtocol();
            UdpEcho echo = new UdpEcho();
            UdpDiscard discard = new UdpDiscard();
            udp.bind(0, UdpEcho.PORT, echo, 256);
            udp.bind(0, UdpDiscard.PORT, discard, 256);
            udp.bind(0, UdpChargen.PORT, new UdpChargen(), 256);
            Forwarder f = Forwarder.builder(config).transport(udp).start();
            try {
                String out = lab.inClient("timeout", "60", "python3", "-c", CLIENT, ServeLab.SLUICE_ADDRESS);
                assertTrue(out.contains("echo 8000 ok"), out);
                assertTrue(out.contains("chargen ok"), out);
                assertTrue(out.contains("refused ok"), out);
                assertEquals(9 * 3, echo.echoed());
                assertTrue(waitFor(() -> discard.discarded() == 10), () -> discard.discarded() + " discarded");
                assertEquals(1000, discard.bytes());
                Map<String, Long> u = udp.counters().nonZero();
                assertEquals(1, u.getOrDefault("udpNoPorts", 0L), u::toString);
                assertEquals(0, u.getOrDefault("udpInErrors", 0L), u::toString);
                Map<String, Long> c = f.counters().nonZero();
                assertTrue(c.getOrDefault("ipReasmOKs", 0L) >= 6, "3000 and 8000 bytes came in fragments: " + c);
                assertTrue(c.getOrDefault("ipFragOKs", 0L) >= 6, "and went back in fragments: " + c);
                assertEquals(1, c.getOrDefault("icmpOutDestUnreachs", 0L), c::toString);
            } finally {
                f.close();
                assertEquals(0, f.closedReport().stats().inUse(), "every pbuf back in the pool");
            }
        }
    }

    /** A Linux UDP echo server: answers {@code n} datagrams, then exits (or after 30 s without one). */
    private static final String LINUX_ECHO = """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(sys.argv[1])))
        s.settimeout(30)
        print("ready", flush=True)
        for i in range(int(sys.argv[2])):
            d, a = s.recvfrom(65535)
            s.sendto(d, a)
        """;

    @Test
    void sluicesBlockingClientOnAVirtualThreadTalksToALinuxServer() throws Exception {
        try (ServeLab lab = new ServeLab()) {
            ForwarderConfig config = ForwarderConfig.builder().name("hu-client").jmx(false)
                .pool(new PoolConfig().slots(8192))
                .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
                .port("lab", p -> p.interfaceName(lab.sluiceIf).netns(lab.sluice).address(ServeLab.SLUICE_ADDRESS + "/24"))
                .build();
            int[] sizes = {0, 1, 100, 1472, 4000};
            Process server = new ProcessBuilder("ip", "netns", "exec", lab.client, "timeout", "40", "python3", "-c",
                LINUX_ECHO, "7007", String.valueOf(sizes.length)).redirectErrorStream(true).start();
            UdpProtocol udp = new UdpProtocol();
            Forwarder f = Forwarder.builder(config).transport(udp).start();
            try {
                assertEquals("ready", new BufferedReader(new InputStreamReader(server.getInputStream()))
                    .readLine());
                BlockingSockets sockets = new BlockingSockets(udp.commands(), udp);
                int linux = Ipv4Address.parse(ServeLab.CLIENT_ADDRESS);
                CompletableFuture<String> app = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        try (BlockingDatagramSocket s = sockets.openDatagram(0, 0)) {
                            Random random = new Random(7);
                            byte[] buf = new byte[65_535];
                            for (int size : sizes) {
                                byte[] data = new byte[size];
                                random.nextBytes(data);
                                s.send(data, 0, size, linux, 7007);
                                int n = s.receive(buf, 0, buf.length, System.nanoTime() + 5_000_000_000L);
                                if (n != size || !Arrays.equals(data, 0, size, buf, 0, n)) {
                                    app.complete("the echo of " + size + " bytes came back as " + n + " bytes, or different");
                                    return;
                                }
                                if (s.sourceAddress() != linux || s.sourcePort() != 7007) {
                                    app.complete("a reply from elsewhere");
                                    return;
                                }
                            }
                        }
                        // Nobody listens on 7999 at Linux: its Port Unreachable fails the connected socket's receive.
                        try (BlockingDatagramSocket s = sockets.openDatagram(0, 0)) {
                            s.connect(linux, 7999);
                            s.send(new byte[10], 0, 10, linux, 7999);
                            s.receive(new byte[10], 0, 10, System.nanoTime() + 5_000_000_000L);
                            app.complete("no error from a closed port");
                        } catch (PortUnreachableException expected) {
                            app.complete("ok");
                        }
                    } catch (Throwable t) {
                        app.complete(t.toString());
                    }
                });
                assertEquals("ok", app.get(30, TimeUnit.SECONDS));
                assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the server answered them all");
                Map<String, Long> c = f.counters().nonZero();
                assertTrue(c.getOrDefault("arpResolved", 0L) >= 1, "Sluice asked the kernel for its MAC: " + c);
                assertEquals(sizes.length, udp.counters().nonZero().getOrDefault("udpInDatagrams", 0L));
                assertEquals(1, udp.counters().nonZero().getOrDefault("udpIcmpErrors", 0L));
            } finally {
                server.destroyForcibly();
                f.close();
                assertEquals(0, f.closedReport().stats().inUse(), "every pbuf back in the pool");
            }
        }
    }

    private static boolean waitFor(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }
}
