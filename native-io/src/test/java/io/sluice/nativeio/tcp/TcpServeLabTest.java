package io.sluice.nativeio.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ForwarderConfig;
import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.PortConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.engine.forward.PortFactory;
import io.sluice.engine.phy.FaultInjectingPort;
import io.sluice.engine.phy.Faults;
import io.sluice.engine.phy.PortCounters;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.services.HttpServer;
import io.sluice.engine.services.TcpChargen;
import io.sluice.engine.services.TcpDiscard;
import io.sluice.engine.services.TcpEcho;
import io.sluice.engine.socket.BlockingSockets;
import io.sluice.engine.socket.BlockingStreamListener;
import io.sluice.engine.socket.BlockingStreamSocket;
import io.sluice.engine.socket.CommandQueue;
import io.sluice.engine.transport.tcp.TcpConfig;
import io.sluice.engine.transport.tcp.TcpDrop;
import io.sluice.engine.transport.tcp.TcpMib;
import io.sluice.engine.transport.tcp.TcpTransport;
import io.sluice.engine.wire.Ipv4Address;
import io.sluice.nativeio.NativePortFactory;
import io.sluice.nativeio.afpacket.AfPacketPort;
import io.sluice.nativeio.afpacket.VethLab;
import io.sluice.nativeio.udp.ServeLab;
import io.sluice.nativeio.uring.UringPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sluice's TCP against Linux's on a real veth pair (namespaces {@code ti-*}, removed after each test): nc, curl
 * and Python clients against Sluice's echo, discard, chargen and HTTP servers, bulk transfers both ways checked by
 * SHA-256 (Sluice's blocking client on virtual threads against a Linux server too), the same under random loss
 * made by nftables in the client's namespace, 1000 concurrent connections, a refused port, TIME-WAIT, a SYN
 * flood, and RFC 5961's answers to forged resets. Runs as root (CI does); every client command is bounded by
 * {@code timeout}.
 *
 * <p>Bulk size: {@code -Dsluice.lab.tcpBulkBytes} (default 100 MB; the transfers take a few seconds each on
 * veth).
 */
class TcpServeLabTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long BULK = Long.getLong("sluice.lab.tcpBulkBytes", 100_000_000L);
    private static final int HTTP = 80;
    private static final int SINK = 5001;

    @BeforeAll
    static void prerequisites() {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            fail(missing);
        }
        for (String tool : new String[] {"python3", "curl", "nc", "nft", "ss"}) {
            if (VethLab.executable(tool) == null) {
                fail("the TCP lab test needs " + tool + " (.ci/run installs it)");
            }
        }
    }

    /** A lab with Sluice serving on it: the services, a hashing sink on a virtual thread, a blocking adapter. */
    static final class Served implements AutoCloseable {
        final ServeLab lab = new ServeLab("ti");
        final CommandQueue commands = new CommandQueue(1024);
        final TcpTransport tcp = new TcpTransport(new TcpConfig(), commands);
        final TcpEcho echo = new TcpEcho();
        final TcpDiscard discard = new TcpDiscard();
        final TcpChargen chargen = new TcpChargen();
        final HttpServer http = new HttpServer();
        final BlockingSockets sockets = new BlockingSockets(commands, null, tcp);
        final Forwarder f;
        private BlockingStreamListener sink;

        Served() {
            this(Faults.NONE, PortConfig.Backend.AFPACKET);
        }

        Served(PortConfig.Backend backend) {
            this(Faults.NONE, backend);
        }

        Served(Faults faults) {
            this(faults, PortConfig.Backend.AFPACKET);
        }

        /** @param faults injected into what Sluice's port receives and what it sends (the engine's fault device) */
        Served(Faults faults, PortConfig.Backend backend) {
            Forwarder started = null;
            try {
                ForwarderConfig config = ForwarderConfig.builder().name("ti-serve").jmx(false)
                    .pool(new PoolConfig().slots(32_768))
                    .pipeline(new PipelineConfig().layout("fused").idle("backoff"))
                    .port("lab", p -> p.interfaceName(lab.sluiceIf).netns(lab.sluice)
                        .address(ServeLab.SLUICE_ADDRESS + "/24").backend(backend))
                    .build();
                tcp.listen(0, TcpEcho.PORT, 128, echo);
                tcp.listen(0, TcpDiscard.PORT, 128, discard);
                tcp.listen(0, TcpChargen.PORT, 128, chargen);
                tcp.listen(0, HTTP, 128, http);
                Forwarder.Builder b = Forwarder.builder(config).transport(tcp);
                if (!faults.equals(Faults.NONE)) {
                    NativePortFactory kernel = new NativePortFactory();
                    b.portFactory(pc -> {
                        PortFactory.Opened o = kernel.open(pc);
                        return new PortFactory.Opened(new FaultInjectingPort(o.port(), faults, faults.withSeed(faults.seed() + 1),
                            SystemNanoClock.INSTANCE), o.moreQueues(), o.mac(), o.mtu());
                    });
                }
                started = b.start();
            } catch (RuntimeException | Error e) {
                lab.close();
                throw e;
            }
            f = started;
        }

        /**
         * A sink for Linux's bulk sends: each connection's bytes are hashed as they are read through the blocking
         * adapter, then the hex SHA-256 goes back and the connection closes.
         */
        void startHashingSink() throws IOException {
            sink = sockets.listen(0, SINK, 16);
            Thread.ofVirtual().name("ti-sink").start(() -> {
                try {
                    while (true) {
                        BlockingStreamSocket s = sink.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                MessageDigest d = MessageDigest.getInstance("SHA-256");
                                byte[] buf = new byte[64 * 1024];
                                for (int n; (n = s.read(buf, 0, buf.length, System.nanoTime() + 60 * SECOND)) > 0; ) {
                                    d.update(buf, 0, n);
                                }
                                byte[] hex = (HexFormat.of().formatHex(d.digest()) + "\n").getBytes(StandardCharsets.US_ASCII);
                                s.write(hex, 0, hex.length);
                            } catch (Exception | Error e) {
                                // the client sees the connection end without a digest
                            }
                        });
                    }
                } catch (IOException stopped) {
                    // the listener or the stack closed
                }
            });
        }

        /** Runs a command in the client's namespace under {@code timeout}; its output, or a failure with it. */
        String client(int seconds, String... command) {
            return run(seconds, true, command);
        }

        String run(int seconds, boolean inClient, String... command) {
            String[] full = new String[command.length + (inClient ? 6 : 2)];
            int k = 0;
            if (inClient) {
                full[k++] = "ip";
                full[k++] = "netns";
                full[k++] = "exec";
                full[k++] = lab.client;
            }
            full[k++] = "timeout";
            full[k++] = String.valueOf(seconds);
            System.arraycopy(command, 0, full, k, command.length);
            try {
                Path out = Files.createTempFile("ti-cmd", ".out");
                try {
                    Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                    if (!p.waitFor(seconds + 5L, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        fail("`" + String.join(" ", command) + "` did not end");
                    }
                    String text = Files.readString(out);
                    if (p.exitValue() != 0) {
                        fail("`" + String.join(" ", command).replaceAll("\\s+", " ").substring(0,
                            Math.min(200, String.join(" ", command).length())) + "` exited with " + p.exitValue()
                            + ": " + text.strip());
                    }
                    return text;
                } finally {
                    Files.deleteIfExists(out);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        String python(int seconds, String script, String... args) {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "python3";
            cmd[1] = "-c";
            cmd[2] = script;
            System.arraycopy(args, 0, cmd, 3, args.length);
            return client(seconds, cmd);
        }

        /** Nftables in the client's namespace: drops {@code percent} % of TCP each way, at random. */
        void loss(int percent) {
            String rules = "table inet tiloss {\n"
                + " chain in { type filter hook input priority 0; policy accept; ip protocol tcp numgen random mod 100 < "
                + percent + " drop; }\n"
                + " chain out { type filter hook output priority 0; policy accept; ip protocol tcp numgen random mod 100 < "
                + percent + " drop; }\n}\n";
            client(10, "sh", "-c", "printf '%s' \"$0\" | nft -f -", rules);
        }

        <T> T onStack(Function<Pbufs, T> body) throws Exception {
            CompletableFuture<T> r = new CompletableFuture<>();
            assertTrue(commands.submit(p -> {
                r.complete(body.apply(p));
                return true;
            }));
            return r.get(5, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            try {
                if (sink != null) {
                    try {
                        sink.close();
                    } catch (IOException ignored) {
                        // stopped
                    }
                }
                f.close();
                assertEquals(0, f.closedReport().stats().inUse(), "every pbuf back in the pool");
            } finally {
                lab.close();
            }
        }
    }

    /** Echo, chargen, discard, HTTP, a refused port, keep-alive: one Python script, each check printed. */
    private static final String CLIENT = """
        import os, socket, sys, threading
        S = sys.argv[1]
        def conn(port):
            return socket.create_connection((S, port), timeout=10)
        def recv_all(s):
            out = bytearray()
            while True:
                d = s.recv(1 << 16)
                if not d:
                    return bytes(out)
                out += d
        for size in (1, 100, 1460, 1461, 65536, 1000000):
            s = conn(7)
            data = os.urandom(size)
            def send():
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            w = threading.Thread(target=send)
            w.start()
            back = recv_all(s)
            w.join()
            if back != data:
                sys.exit("echo of %d bytes came back as %d different bytes" % (size, len(back)))
            s.close()
            print("echo %d ok" % size)
        lines = "".join("".join(chr(32 + (l + c) % 95) for c in range(72)) + "\\r\\n" for l in range(95))
        pattern = (lines * 20).encode()
        s = conn(19)
        got = b""
        while len(got) < 100000:
            got += s.recv(100000 - len(got))
        s.close()
        if got != pattern[:len(got)]:
            sys.exit("chargen: not the RFC 864 pattern: %r" % got[:100])
        print("chargen ok")
        s = conn(9)
        s.sendall(b"d" * 100000)
        s.shutdown(socket.SHUT_WR)
        if recv_all(s) != b"":
            sys.exit("discard answered")
        print("discard ok")
        s = conn(80)
        s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        first = s.recv(4096)
        if not first.startswith(b"HTTP/1.1 200 OK") or b"Sluice" not in first:
            sys.exit("GET /: %r" % first)
        s.sendall(b"GET /bytes/10 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
        second = recv_all(s)
        if not second.startswith(b"HTTP/1.1 200 OK") or not second.endswith(pattern[:10]):
            sys.exit("keep-alive second request: %r" % second)
        print("keep-alive ok")
        s = conn(80)
        s.sendall(b"\\x00\\x01garbage\\r\\n\\r\\n")
        if not recv_all(s).startswith(b"HTTP/1.1 400"):
            sys.exit("garbage not answered 400")
        print("400 ok")
        try:
            conn(5555)
            sys.exit("a connection to a closed port")
        except ConnectionRefusedError:
            print("refused ok")
        """;

    /** Both backends: each must carry Linux's checksum-offload mark, which TCP's input trusts. */
    @ParameterizedTest
    @EnumSource(PortConfig.Backend.class)
    void linuxClientsTalkToSluicesTcpServices(PortConfig.Backend backend) throws Exception {
        try (Served s = new Served(backend)) {
            String out = s.python(60, CLIENT, ServeLab.SLUICE_ADDRESS);
            for (String check : new String[] {"echo 1000000 ok", "chargen ok", "discard ok", "keep-alive ok", "400 ok",
                "refused ok"}) {
                assertTrue(out.contains(check), out);
            }
            assertEquals("hello sluice\n", s.client(10, "sh", "-c", "echo hello sluice | nc -N " + ServeLab.SLUICE_ADDRESS + " 7"));
            String page = s.client(10, "curl", "-sS", "http://" + ServeLab.SLUICE_ADDRESS + "/");
            assertTrue(page.contains("<h1>Sluice</h1>"), page);
            assertEquals("404", s.client(10, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "http://" + ServeLab.SLUICE_ADDRESS + "/nothing"));
            String refused = s.run(10, true, "sh", "-c", "nc -z -v " + ServeLab.SLUICE_ADDRESS + " 5555 2>&1; true");
            assertTrue(refused.contains("refused"), refused);
            // TIME-WAIT: Linux's, where the client closed first (echo: the client's FIN went first) ...
            String tw = s.client(10, "ss", "-tan", "state", "time-wait");
            assertTrue(tw.contains(ServeLab.SLUICE_ADDRESS + ":7"), tw);
            // ... and Sluice's, where Sluice closed first (HTTP with Connection: close).
            s.client(10, "curl", "-s", "-o", "/dev/null", "-H", "Connection: close", "http://" + ServeLab.SLUICE_ADDRESS + "/");
            assertTrue(s.onStack(p -> s.tcp.stack().connections()) >= 1, "a connection in TIME-WAIT on Sluice");
            assertTrue(s.tcp.counters().get(TcpDrop.NO_SOCKET) >= 1, s.tcp.counters()::toString); // the refused SYNs
            assertEquals(0, s.tcp.counters().get(TcpMib.tcpInErrs), s.tcp.counters()::toString);
        }
    }

    /** The expected SHA-256 of {@code /bytes/N}. */
    static String patternDigest(long n) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] chunk = HttpServer.pattern(95 * 74 * 150);
        for (long left = n; left > 0; left -= chunk.length) {
            d.update(chunk, 0, (int) Math.min(left, chunk.length));
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static final String BULK_CLIENT = """
        import hashlib, random, socket, sys, time
        S, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        r = random.Random(1)
        h = hashlib.sha256()
        t = time.time()
        s = socket.create_connection((S, port), timeout=30)
        left = n
        while left:
            k = min(left, 1 << 20)
            d = r.randbytes(k)
            h.update(d)
            s.sendall(d)
            left -= k
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            d = s.recv(100)
            if not d:
                break
            reply += d
        print("sent %d bytes in %.2f s" % (n, time.time() - t))
        if reply.decode().strip() != h.hexdigest():
            sys.exit("sluice hashed %r, we sent %s" % (reply, h.hexdigest()))
        print("digest ok")
        """;

    private static final String LINUX_ECHO = """
        import socket, sys
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("0.0.0.0", int(sys.argv[1])))
        ls.listen(4)
        ls.settimeout(30)
        print("ready", flush=True)
        c, a = ls.accept()
        c.settimeout(30)
        total = 0
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            c.sendall(d)
            total += len(d)
        c.shutdown(socket.SHUT_WR)
        c.close()
        print("echoed", total, flush=True)
        """;

    /** Sluice → Linux (curl of /bytes/N), Linux → Sluice (to a hashing sink), Sluice's client → a Linux echo. */
    private static void transfers(Served s, long size, int seconds) throws Exception {
        String url = "http://" + ServeLab.SLUICE_ADDRESS + "/bytes/" + size;
        long t0 = System.nanoTime();
        String got = s.client(seconds, "sh", "-c", "curl -sS " + url + " | sha256sum");
        long t1 = System.nanoTime();
        assertEquals(patternDigest(size), got.split(" ")[0], "curl " + url);
        String sent = s.python(seconds, BULK_CLIENT, ServeLab.SLUICE_ADDRESS, String.valueOf(SINK), String.valueOf(size));
        long t2 = System.nanoTime();
        assertTrue(sent.contains("digest ok"), sent);
        clientToLinux(s, size, seconds);
        long t3 = System.nanoTime();
        System.out.printf("ti lab: %,d bytes: Sluice->curl %.2f s, python->Sluice %.2f s, Sluice client<->Linux echo %.2f s%n",
            size, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    }

    /** Sluice's blocking client on virtual threads sends {@code size} bytes to a Linux echo server and hashes both ways. */
    private static void clientToLinux(Served s, long size, int seconds) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", s.lab.client, "timeout", String.valueOf(seconds + 10),
            "python3", "-c", LINUX_ECHO, "6001").redirectErrorStream(true).start();
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream()));
            assertEquals("ready", serverOut.readLine());
            int linux = Ipv4Address.parse(ServeLab.CLIENT_ADDRESS);
            CompletableFuture<String> result = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (BlockingStreamSocket c = s.sockets.connect(linux, 6001, System.nanoTime() + 10 * SECOND)) {
                    CompletableFuture<String> writer = new CompletableFuture<>();
                    Thread.ofVirtual().start(() -> {
                        try {
                            MessageDigest d = MessageDigest.getInstance("SHA-256");
                            Random r = new Random(3);
                            byte[] buf = new byte[64 * 1024];
                            for (long left = size; left > 0; ) {
                                int n = (int) Math.min(left, buf.length);
                                r.nextBytes(buf);
                                d.update(buf, 0, n);
                                c.write(buf, 0, n);
                                left -= n;
                            }
                            c.shutdownOutput();
                            writer.complete(HexFormat.of().formatHex(d.digest()));
                        } catch (Throwable t) {
                            writer.completeExceptionally(t);
                        }
                    });
                    MessageDigest d = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[64 * 1024];
                    long total = 0;
                    for (int n; (n = c.read(buf, 0, buf.length, System.nanoTime() + 30 * SECOND)) > 0; ) {
                        d.update(buf, 0, n);
                        total += n;
                    }
                    String back = HexFormat.of().formatHex(d.digest());
                    String out = writer.get(seconds, TimeUnit.SECONDS);
                    result.complete(out.equals(back) && total == size ? "ok" : "sent " + out + ", got back " + total
                        + " bytes hashing " + back);
                } catch (Throwable t) {
                    result.complete(t.toString());
                }
            });
            assertEquals("ok", result.get(seconds + 5L, TimeUnit.SECONDS));
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
    }

    @ParameterizedTest
    @EnumSource(PortConfig.Backend.class)
    void bulkTransfersBothWaysMatchTheirDigests(PortConfig.Backend backend) throws Exception {
        try (Served s = new Served(backend)) {
            s.startHashingSink();
            transfers(s, BULK, 60);
            // The Linux client kept TSO/GSO on: its 64 KiB frames were cut into segments by the port.
            long gsoFrames = switch (s.f.ports().getFirst()) {
                case AfPacketPort port -> port.stats().rxGsoFrames();
                case UringPort port -> port.stats().rxGsoFrames();
                default -> throw new AssertionError(s.f.ports());
            };
            assertTrue(gsoFrames > 0, "segmentation-offload frames cut");
            assertEquals(0, s.f.ports().getFirst().counters().rxDrops(PortCounters.Drop.RX_GSO_UNSUPPORTED));
        }
    }

    @ParameterizedTest(name = "{0} % loss")
    @ValueSource(ints = {1, 5})
    void transfersSurviveRandomLoss(int percent) throws Exception {
        try (Served s = new Served()) {
            s.startHashingSink();
            s.loss(percent);
            transfers(s, percent == 1 ? 10_000_000 : 2_000_000, 60);
            assertTrue(s.tcp.counters().get(TcpMib.tcpRetransSegs) > 0, s.tcp.counters()::toString);
        }
    }

    /** Reordering and duplication both ways, from the engine's fault-injecting device around the AF_PACKET port. */
    @Test
    void transfersSurviveReorderingAndDuplication() throws Exception {
        try (Served s = new Served(new Faults(0, 0, 0.02, 0.02, 0, 7))) {
            s.startHashingSink();
            transfers(s, 10_000_000, 60);
            long dupAcksOrOfo = s.tcp.counters().get(TcpMib.tcpOfoQueued) + s.tcp.counters().get(TcpDrop.OFO_DUPLICATE)
                + s.tcp.counters().get(TcpDrop.OUT_OF_WINDOW);
            assertTrue(dupAcksOrOfo > 0, s.tcp.counters()::toString);
            System.out.println("ti lab: reordering and duplication: " + s.tcp.counters());
        }
    }

    private static final String THOUSAND = """
        import asyncio, os, sys
        S, N = sys.argv[1], int(sys.argv[2])
        async def one():
            r, w = await asyncio.wait_for(asyncio.open_connection(S, 7), 30)
            return r, w, os.urandom(100)
        async def check(r, w, d):
            w.write(d)
            got = await asyncio.wait_for(r.readexactly(len(d)), 30)
            if got != d:
                raise SystemExit("echo mismatch")
            w.close()
        async def main():
            conns = []
            for k in range(0, N, 100):
                conns += await asyncio.gather(*[one() for i in range(100)])
            print("open", len(conns), flush=True)
            await asyncio.gather(*[check(*c) for c in conns])
            print("ok", len(conns))
        asyncio.run(main())
        """;

    @Test
    void aThousandConcurrentConnections() throws Exception {
        try (Served s = new Served()) {
            String out = s.client(60, "sh", "-c", "ulimit -n 8192; exec python3 -c \"$0\" \"$@\"", THOUSAND,
                ServeLab.SLUICE_ADDRESS, "1000");
            assertTrue(out.contains("ok 1000"), out);
            assertEquals(1000, s.echo.connections());
            assertEquals(100_000, s.echo.bytes());
        }
    }

    private static final String FORGED_RST = """
        import socket, struct, sys, time
        S = sys.argv[1]
        def csum(b):
            if len(b) % 2:
                b += b"\\0"
            t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
            t = (t >> 16) + (t & 0xFFFF)
            t += t >> 16
            return ~t & 0xFFFF
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        raw.settimeout(2)
        c = socket.create_connection((S, 7), timeout=5)
        src, lport = c.getsockname()
        def segments():
            while True:
                p = raw.recv(65535)
                ihl = (p[0] & 15) * 4
                sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", p[ihl:ihl + 14])
                if sport == 7 and dport == lport:
                    yield seq, ack, flags, len(p) - ihl - (off >> 4) * 4
        synack = next(x for x in segments() if x[2] & 0x12 == 0x12)
        mine = synack[1]
        def rst(seq):
            t = struct.pack("!HHIIBBHHH", lport, 7, seq & 0xFFFFFFFF, 0, 5 << 4, 0x04, 0, 0, 0)
            ph = struct.pack("!4s4sBBH", socket.inet_aton(src), socket.inet_aton(S), 0, 6, len(t))
            t = t[:16] + struct.pack("!H", csum(ph + t)) + t[18:]
            raw.sendto(t, (S, 0))
        rst(mine + (1 << 30))
        time.sleep(0.3)
        c.sendall(b"still there?")
        if c.recv(100) != b"still there?":
            sys.exit("no echo after an out-of-window RST")
        print("out-of-window rst ignored", flush=True)
        mine += 12
        time.sleep(0.3)
        raw.setblocking(False)
        try:
            while raw.recv(65535):
                pass
        except BlockingIOError:
            pass
        raw.settimeout(2)
        rst(mine + 1000)
        ack = next(x for x in segments() if x[2] == 0x10 and x[3] == 0)
        print("challenge ack", ack[1] == mine, flush=True)
        c.sendall(b"again")
        if c.recv(100) != b"again":
            sys.exit("no echo after an in-window RST")
        print("in-window rst challenged")
        """;

    @Test
    void forgedResetsAreIgnoredOrChallengedAndASynFloodLeavesTheServiceUp() throws Exception {
        try (Served s = new Served()) {
            String out = s.python(30, FORGED_RST, ServeLab.SLUICE_ADDRESS);
            assertTrue(out.contains("out-of-window rst ignored"), out);
            assertTrue(out.contains("challenge ack True"), out);
            assertTrue(out.contains("in-window rst challenged"), out);
            assertTrue(s.tcp.counters().get(TcpDrop.RST_OUT_OF_WINDOW) >= 1, s.tcp.counters()::toString);
            assertTrue(s.tcp.counters().get(TcpMib.tcpChallengeAcks) >= 1, s.tcp.counters()::toString);
            if (VethLab.executable("hping3") == null) {
                fail("the SYN flood needs hping3 (.ci/run installs it)");
            }
            // The flood's SYN-ACKs draw no RST from the client's kernel: every half-open connection stays.
            s.client(10, "nft", "add table ip tiflood; add chain ip tiflood out { type filter hook output priority 0; };"
                + " add rule ip tiflood out tcp flags & rst == rst drop");
            Process flood = new ProcessBuilder("ip", "netns", "exec", s.lab.client, "timeout", "15", "hping3", "-q",
                "-S", "-p", "80", "-i", "u100", "-c", "30000", ServeLab.SLUICE_ADDRESS).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.nanoTime() + 10 * SECOND;
                while (s.tcp.counters().get(TcpMib.tcpSynCookiesSent) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(s.tcp.counters().get(TcpMib.tcpSynCookiesSent) > 0, s.tcp.counters()::toString);
                for (int i = 0; i < 5; i++) {
                    String page = s.client(10, "curl", "-sS", "-m", "5", "http://" + ServeLab.SLUICE_ADDRESS + "/");
                    assertTrue(page.contains("<h1>Sluice</h1>"), page);
                }
                int conns = s.onStack(p -> s.tcp.stack().connections());
                assertTrue(conns <= TcpConfig.SYN_BACKLOG_DEFAULT + 10, conns + " connections during the flood");
                assertTrue(s.f.pool().stats().inUse() < 2_000, s.f.pool().stats().inUse() + " pbufs in use");
            } finally {
                flood.destroyForcibly();
                flood.waitFor(5, TimeUnit.SECONDS);
            }
            System.out.println("ti lab: SYN flood: " + s.tcp.counters());
        }
    }
}
