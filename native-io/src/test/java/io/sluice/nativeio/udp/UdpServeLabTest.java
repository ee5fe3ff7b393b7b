package io.sluice.nativeio.udp;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ForwarderConfig;
import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.engine.services.UdpChargen;
import io.sluice.engine.services.UdpDiscard;
import io.sluice.engine.services.UdpEcho;
import io.sluice.engine.transport.udp.UdpProtocol;
import io.sluice.nativeio.afpacket.VethLab;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sluice's UDP services against Linux's sockets on a real veth pair: a Python client in a peer namespace sends
 * datagrams of every size from empty to fragmented to Sluice's echo and checks each reply byte for byte, reads
 * chargen's pattern, feeds discard, and sees ECONNREFUSED on a connected socket when Sluice answers a closed
 * port with Port Unreachable. Runs as root (CI does); without it the test fails saying why.
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

    @Test
    void linuxClientsTalkToSluicesUdpServices() {
        try (ServeLab lab = new ServeLab()) {
            ForwarderConfig config = ForwarderConfig.builder().name("hu-serve").jmx(false)
                .pool(new PoolConfig().slots(8192))
                .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
                .port("lab", p -> p.interfaceName(lab.sluiceIf).netns(lab.sluice).address(ServeLab.SLUICE_ADDRESS + "/24"))
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

    private static boolean waitFor(java.util.function.BooleanSupplier condition) {
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
