package io.sluice.engine.transport.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.services.HttpServer;
import io.sluice.engine.services.TcpChargen;
import io.sluice.engine.services.TcpDiscard;
import io.sluice.engine.services.TcpEcho;
import io.sluice.engine.socket.BlockingSockets;
import io.sluice.engine.socket.BlockingStreamListener;
import io.sluice.engine.socket.BlockingStreamSocket;
import io.sluice.engine.socket.CommandQueue;
import io.sluice.engine.socket.Completion;
import io.sluice.engine.socket.StackCommand;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamSocket;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.LoopbackIpOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TCP under the socket API ({@link TcpTransport}) and its blocking adapter: two stacks on a wire of handles,
 * driven by one platform thread in real time (the stack's thread), with applications on virtual threads.
 */
@ExtendWith(PbufLeakExtension.class)
class TcpTransportTest {
    private static final long SECOND = 1_000_000_000L;

    /** The stack's thread: ticks both transports and carries the wire, until closed. */
    static final class Net implements AutoCloseable {
        final PbufPool pool = PbufPool.create(1 << 14);
        final TcpTransport a = new TcpTransport(config(), new CommandQueue(1024));
        final TcpTransport b = new TcpTransport(config(), new CommandQueue(1024));
        final BlockingSockets sa = new BlockingSockets(a.commands(), null, a);
        final BlockingSockets sb = new BlockingSockets(b.commands(), null, b);
        final LoopbackIpOutput ab = new LoopbackIpOutput(TcpSim.A, TcpSim.B, 1500, 1 << 16);
        final LoopbackIpOutput ba = new LoopbackIpOutput(TcpSim.B, TcpSim.A, 1500, 1 << 16);
        private final Thread thread;
        private volatile boolean stop;
        final CompletableFuture<Void> stopped = new CompletableFuture<>();

        Net() {
            a.attach(ab);
            b.attach(ba);
            thread = Thread.ofPlatform().name("stack").start(this::loop);
        }

        static TcpConfig config() {
            return new TcpConfig().maxConnections(256).msl(100_000_000L).minRto(20_000_000L)
                .initialRto(200_000_000L).delayedAck(5_000_000L).sendBuffer(64 * 1024).receiveBuffer(64 * 1024);
        }

        private void loop() {
            Pbufs p = pool.local();
            Emitter e = new Emitter(64);
            try {
                while (!stop) {
                    long now = System.nanoTime();
                    int work = a.tick(p, now) + b.tick(p, now);
                    work += carry(p, ab, b, e) + carry(p, ba, a, e);
                    if (work == 0) {
                        Thread.onSpinWait();
                    }
                }
                a.release(p);
                b.release(p);
                ab.free(p);
                ba.free(p);
                p.close();
                stopped.complete(null);
            } catch (Throwable t) {
                stopped.completeExceptionally(t);
            }
        }

        private static int carry(Pbufs p, LoopbackIpOutput f, TcpTransport to, Emitter e) {
            return f.deliverTo(to, p, e, 256);
        }

        /** Runs {@code body} on the stack's thread (of host {@code t}) and waits for it. */
        <T> T onStack(TcpTransport t, java.util.function.Function<Pbufs, T> body) throws Exception {
            CompletableFuture<T> f = new CompletableFuture<>();
            assertTrue(t.commands().submit(p -> {
                f.complete(body.apply(p));
                return true;
            }));
            return f.get(5, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            stop = true;
            try {
                stopped.get(10, TimeUnit.SECONDS);
                thread.join(5_000);
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
            assertEquals(0, pool.stats().inUse(), () -> "every pbuf back: " + pool.leakReport());
            pool.close();
        }
    }

    interface Body<T> {
        T run() throws Exception;
    }

    static <T> CompletableFuture<T> virtual(Body<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(body.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private Net net;

    @BeforeEach
    void start() {
        net = new Net();
    }

    @AfterEach
    void stop() {
        net.close();
    }

    @Test
    void aBlockingClientAndServerEchoAMegabyteAndCloseInOrder() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        BlockingStreamListener l = net.sb.listen(0, 5000, 16);
        CompletableFuture<Long> server = virtual(() -> {
            long total = 0;
            try (BlockingStreamSocket s = l.accept(System.nanoTime() + 10 * SECOND)) {
                byte[] buf = new byte[10_000];
                for (int n; (n = s.read(buf, 0, buf.length, System.nanoTime() + 10 * SECOND)) > 0; ) {
                    s.write(buf, 0, n);
                    total += n;
                }
            }
            return total;
        });
        CompletableFuture<byte[]> client = virtual(() -> {
            try (BlockingStreamSocket s = net.sa.connect(TcpSim.B, 5000, System.nanoTime() + 10 * SECOND)) {
                assertEquals(TcpSim.B, s.remoteAddress());
                assertEquals(5000, s.remotePort());
                CompletableFuture<Void> writer = virtual(() -> {
                    s.write(data, 0, data.length);
                    s.shutdownOutput();
                    return null;
                });
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                byte[] buf = new byte[7000];
                for (int n; (n = s.read(buf, 0, buf.length, System.nanoTime() + 10 * SECOND)) > 0; ) {
                    back.write(buf, 0, n);
                }
                writer.get(10, TimeUnit.SECONDS);
                return back.toByteArray();
            }
        });
        assertArrayEquals(data, client.get(30, TimeUnit.SECONDS));
        assertEquals(data.length, server.get(10, TimeUnit.SECONDS));
        l.close();
    }

    @Test
    void aConnectionToAClosedPortIsRefused() throws Exception {
        CompletableFuture<Object> f = virtual(() -> net.sa.connect(TcpSim.B, 5999, System.nanoTime() + 5 * SECOND));
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("refused"), e.getCause().getMessage());
        assertEquals(Integer.valueOf(0), net.onStack(net.a, p -> net.sa.liveConnections()),
            "nothing tracked for the failed connect");
    }

    @Test
    void aReaderThatHoldsDataClosesTheWindowAndReleasingItReopensIt() throws Exception {
        // A callback server that keeps what arrives and consumes nothing until told.
        AtomicLong held = new AtomicLong();
        int[] chain = {io.sluice.engine.pbuf.PbufHandle.NULL};
        StreamSocket[] conn = new StreamSocket[1];
        net.onStack(net.b, p -> {
            try {
                return net.b.listen(0, 6000, 8, (pp, s) -> new StreamHandler() {
                    @Override
                    public void onConnected(Pbufs q, StreamSocket s2) {
                        conn[0] = s2;
                    }

                    @Override
                    public void onData(Pbufs q, StreamSocket s2, int c) {
                        held.addAndGet(q.length(c));
                        if (chain[0] == io.sluice.engine.pbuf.PbufHandle.NULL) {
                            chain[0] = c;
                        } else {
                            q.cat(chain[0], c);
                        }
                    }

                    @Override
                    public void onClosed(Pbufs q, StreamSocket s2, int reason) {
                        q.freem(chain[0]);
                        chain[0] = io.sluice.engine.pbuf.PbufHandle.NULL;
                    }
                });
            } catch (RuntimeException e) {
                throw e;
            }
        });
        byte[] data = new byte[1 << 20];
        CompletableFuture<BlockingStreamSocket> client = virtual(() -> net.sa.connect(TcpSim.B, 6000,
            System.nanoTime() + 5 * SECOND));
        BlockingStreamSocket s = client.get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> writer = virtual(() -> {
            s.write(data, 0, data.length);
            return null;
        });
        // The receiver holds at most its buffer (64 KiB); the send buffer (64 KiB) fills; the write waits.
        long deadline = System.nanoTime() + 5 * SECOND;
        while (held.get() < 64 * 1024 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(300);
        assertEquals(64 * 1024, held.get(), "the peer sends no more than the window");
        assertFalse(writer.isDone(), "the write waits for the window");
        // Consume in steps: each opens the window and the rest flows.
        AtomicInteger rounds = new AtomicInteger();
        while (!writer.isDone() && rounds.incrementAndGet() < 1000) {
            net.onStack(net.b, p -> {
                if (chain[0] != io.sluice.engine.pbuf.PbufHandle.NULL) {
                    int n = p.length(chain[0]);
                    p.freem(chain[0]);
                    chain[0] = io.sluice.engine.pbuf.PbufHandle.NULL;
                    conn[0].consumed(n);
                }
                return null;
            });
            Thread.sleep(2);
        }
        writer.get(10, TimeUnit.SECONDS);
        s.close();
        net.onStack(net.b, p -> {
            conn[0].abort(p);
            return null;
        });
    }

    @Test
    void theServicesAnswerThroughCallbacks() throws Exception {
        TcpEcho echo = new TcpEcho();
        TcpDiscard discard = new TcpDiscard();
        TcpChargen chargen = new TcpChargen();
        HttpServer http = new HttpServer();
        net.onStack(net.b, p -> {
            net.b.listen(0, TcpEcho.PORT, 64, echo);
            net.b.listen(0, TcpDiscard.PORT, 64, discard);
            net.b.listen(0, TcpChargen.PORT, 64, chargen);
            net.b.listen(0, HttpServer.PORT, 64, http);
            return null;
        });
        CompletableFuture<String> f = virtual(() -> {
            byte[] data = new byte[300_000];
            new Random(1).nextBytes(data);
            try (BlockingStreamSocket s = net.sa.connect(TcpSim.B, TcpEcho.PORT, System.nanoTime() + 5 * SECOND)) {
                CompletableFuture<Void> w = virtual(() -> {
                    s.write(data, 0, data.length);
                    s.shutdownOutput();
                    return null;
                });
                byte[] back = s.inputStream().readAllBytes();
                w.get(10, TimeUnit.SECONDS);
                assertArrayEquals(data, back);
            }
            try (BlockingStreamSocket s = net.sa.connect(TcpSim.B, TcpDiscard.PORT, System.nanoTime() + 5 * SECOND)) {
                s.write(data, 0, data.length);
                s.shutdownOutput();
                assertEquals(-1, s.read(new byte[10], 0, 10, System.nanoTime() + 5 * SECOND));
            }
            try (BlockingStreamSocket s = net.sa.connect(TcpSim.B, TcpChargen.PORT, System.nanoTime() + 5 * SECOND)) {
                byte[] got = new byte[20_000];
                int n = 0;
                while (n < got.length) {
                    n += s.read(got, n, got.length - n, System.nanoTime() + 5 * SECOND);
                }
                assertArrayEquals(HttpServer.pattern(got.length), got);
            }
            try (BlockingStreamSocket s = net.sa.connect(TcpSim.B, HttpServer.PORT, System.nanoTime() + 5 * SECOND)) {
                String req = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /bytes/100000 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
                s.write(req.getBytes(StandardCharsets.US_ASCII), 0, req.length());
                byte[] all = s.inputStream().readAllBytes();
                String text = new String(all, StandardCharsets.ISO_8859_1);
                assertTrue(text.startsWith("HTTP/1.1 200 OK\r\n"), text);
                assertTrue(text.contains("<h1>Sluice</h1>"), text);
                int body = text.indexOf("Content-Length: 100000\r\n");
                assertTrue(body > 0, text);
                int start = text.indexOf("\r\n\r\n", body) + 4;
                assertArrayEquals(HttpServer.pattern(100_000), Arrays.copyOfRange(all, start, start + 100_000));
                assertTrue(text.substring(start + 100_000).startsWith("HTTP/1.1 404 Not Found\r\n"), text.substring(start + 100_000));
            }
            try (BlockingStreamSocket s = net.sa.connect(TcpSim.B, HttpServer.PORT, System.nanoTime() + 5 * SECOND)) {
                String req = "NONSENSE\r\n\r\n";
                s.write(req.getBytes(StandardCharsets.US_ASCII), 0, req.length());
                String text = new String(s.inputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(text.startsWith("HTTP/1.1 400 Bad Request\r\n"), text);
            }
            return "ok";
        });
        assertEquals("ok", f.get(60, TimeUnit.SECONDS));
        assertEquals(300_000, echo.bytes());
        assertEquals(300_000, discard.bytes());
        assertEquals(4, http.requests());
    }

    @Test
    void deadlinesATakenPortAndAnUnreadCloseBehaveAsOnLinux() throws Exception {
        BlockingStreamListener l = net.sb.listen(0, 7000, 4);
        assertThrows(IOException.class, () -> net.sb.listen(0, 7000, 4), "the port has a listener");
        assertNull(virtual(() -> l.accept(System.nanoTime() + SECOND / 20)).get(5, TimeUnit.SECONDS),
            "accept times out with null");
        CompletableFuture<BlockingStreamSocket> accepted = virtual(() -> l.accept(System.nanoTime() + 5 * SECOND));
        BlockingStreamSocket c = virtual(() -> net.sa.connect(TcpSim.B, 7000, System.nanoTime() + 5 * SECOND))
            .get(5, TimeUnit.SECONDS);
        BlockingStreamSocket a = accepted.get(5, TimeUnit.SECONDS);
        assertEquals(c.localPort(), a.remotePort());
        // A read with a deadline that passes throws, and the socket goes on working.
        var timeout = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> virtual(() -> a.read(new byte[10], 0, 10, System.nanoTime() + SECOND / 20)).get(5, TimeUnit.SECONDS));
        assertInstanceOf(java.net.SocketTimeoutException.class, timeout.getCause());
        virtual(() -> {
            c.write(new byte[] {1, 2, 3}, 0, 3);
            return null;
        }).get(5, TimeUnit.SECONDS);
        byte[] buf = new byte[10];
        assertEquals(3, virtual(() -> a.read(buf, 0, 10, System.nanoTime() + 5 * SECOND)).get(5, TimeUnit.SECONDS));
        // Closing with data not read resets the connection (RFC 2525 2.17): the peer's read fails.
        virtual(() -> {
            c.write(new byte[] {4, 5}, 0, 2);
            return null;
        }).get(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        a.close();
        var reset = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> virtual(() -> c.read(buf, 0, 10, System.nanoTime() + 5 * SECOND)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(java.net.SocketException.class, reset.getCause());
        assertTrue(reset.getCause().getMessage().contains("reset"), reset.getCause().getMessage());
        assertThrows(java.net.SocketException.class, () -> a.read(buf, 0, 10), "closed");
        c.close();
        l.close();
    }

    @Test
    void threadsAcceptingOnOneListenerEachGetAConnectionOfTheirOwn() throws Exception {
        int n = 6;
        BlockingStreamListener l = net.sb.listen(0, 7100, n);
        List<CompletableFuture<BlockingStreamSocket>> accepts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            accepts.add(virtual(() -> l.accept(System.nanoTime() + 10 * SECOND)));
        }
        Thread.sleep(100); // every accept is waiting before the first connection completes
        Set<Integer> clientPorts = new HashSet<>();
        List<BlockingStreamSocket> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BlockingStreamSocket c = virtual(() -> net.sa.connect(TcpSim.B, 7100, System.nanoTime() + 5 * SECOND))
                .get(5, TimeUnit.SECONDS);
            clients.add(c);
            clientPorts.add(c.localPort());
        }
        Set<Integer> acceptedPorts = new HashSet<>();
        for (CompletableFuture<BlockingStreamSocket> f : accepts) {
            BlockingStreamSocket a = f.get(5, TimeUnit.SECONDS);
            assertNotNull(a, "every accept completes before its deadline");
            acceptedPorts.add(a.remotePort());
            a.close();
        }
        assertEquals(clientPorts, acceptedPorts, "each connection accepted once, by one thread");
        for (BlockingStreamSocket c : clients) {
            c.close();
        }
        l.close();
    }

    /** A connection through the simulated net: B's listener, A's client and the socket B accepted; closes all three. */
    private record Connected(BlockingStreamListener listener, BlockingStreamSocket client, BlockingStreamSocket accepted)
        implements AutoCloseable {
        @Override
        public void close() throws IOException {
            accepted.close();
            client.close();
            listener.close();
        }
    }

    /** Listens on B at {@code port} and connects A to it. */
    private Connected connected(int port) throws Exception {
        BlockingStreamListener l = net.sb.listen(0, port, 4);
        CompletableFuture<BlockingStreamSocket> accepted = virtual(() -> l.accept(System.nanoTime() + 5 * SECOND));
        BlockingStreamSocket c = virtual(() -> net.sa.connect(TcpSim.B, port, System.nanoTime() + 5 * SECOND))
            .get(5, TimeUnit.SECONDS);
        return new Connected(l, c, accepted.get(5, TimeUnit.SECONDS));
    }

    @Test
    void threadsReadingOneSocketEachGetBytesOfTheirOwn() throws Exception {
        int n = 6;
        try (Connected conn = connected(7200)) {
            BlockingStreamSocket c = conn.client();
            BlockingStreamSocket a = conn.accepted();
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                reads.add(virtual(() -> {
                    byte[] one = new byte[1];
                    assertEquals(1, a.read(one, 0, 1, System.nanoTime() + 10 * SECOND));
                    return (int) one[0];
                }));
            }
            Thread.sleep(100); // every read is waiting before the data arrives
            byte[] data = {0, 1, 2, 3, 4, 5};
            virtual(() -> {
                c.write(data, 0, data.length);
                return null;
            }).get(5, TimeUnit.SECONDS);
            Set<Integer> got = new HashSet<>();
            for (CompletableFuture<Integer> f : reads) {
                got.add(f.get(5, TimeUnit.SECONDS));
            }
            assertEquals(Set.of(0, 1, 2, 3, 4, 5), got, "each byte read once, by one thread");
        }
    }

    /** How a call on a virtual thread that was interrupted while it waited ended: its error, and its interrupt flag. */
    record Ended(Throwable error, boolean interrupted) {
    }

    /** Runs {@code body} on a virtual thread and interrupts it once it waits in the stack. */
    private static CompletableFuture<Ended> interruptedWhileWaiting(Body<?> body) throws InterruptedException {
        CompletableFuture<Ended> ended = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            Throwable error = null;
            try {
                body.run();
            } catch (Throwable e) {
                error = e;
            }
            ended.complete(new Ended(error, Thread.currentThread().isInterrupted()));
        });
        Thread.sleep(200); // the call is waiting in the stack (for data, or for the peer to read)
        t.interrupt();
        return ended;
    }

    /** An interrupted reader returns at once with InterruptedIOException, as a java.net socket's would not spin. */
    @Test
    void anInterruptedReadEndsWithInterruptedIoExceptionAndTheSocketStillWorks() throws Exception {
        try (Connected conn = connected(7400)) {
            Ended read = interruptedWhileWaiting(() -> conn.accepted().read(new byte[1], 0, 1)).get(5, TimeUnit.SECONDS);
            assertInstanceOf(java.io.InterruptedIOException.class, read.error());
            assertTrue(read.interrupted(), "the interrupt flag kept");
            byte[] one = {42};
            virtual(() -> {
                conn.client().write(one, 0, 1);
                return null;
            }).get(5, TimeUnit.SECONDS);
            byte[] got = new byte[1];
            assertEquals(1, virtual(() -> conn.accepted().read(got, 0, 1, System.nanoTime() + 5 * SECOND)).get(5, TimeUnit.SECONDS));
            assertEquals(42, got[0], "the byte goes to the next read, not to the reader that gave up");
        }
    }

    /** A write the stack has begun is not cut short by an interrupt: it goes out whole, the flag kept for later. */
    @Test
    void anInterruptDuringAWriteLetsItFinishWhole() throws Exception {
        try (Connected conn = connected(7500)) {
            byte[] data = new byte[3 << 20]; // more than the send buffer and the peer's window: the write waits
            new Random(9).nextBytes(data);
            CompletableFuture<Ended> write = interruptedWhileWaiting(() -> {
                conn.client().write(data, 0, data.length);
                return null;
            });
            byte[] got = virtual(() -> conn.accepted().inputStream().readNBytes(data.length)).get(20, TimeUnit.SECONDS);
            assertEquals(new Ended(null, true), write.get(10, TimeUnit.SECONDS), "finished, the interrupt flag kept");
            assertArrayEquals(data, got, "every byte, in order");
        }
    }

    @Test
    void concurrentWritesQueueTheirBytesWhole() throws Exception {
        try (Connected conn = connected(7300)) {
            BlockingStreamSocket c = conn.client();
            BlockingStreamSocket a = conn.accepted();
            int n = 4;
            int size = 200_000; // past the 64 KiB send buffer: each write takes many steps
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] block = new byte[size];
                Arrays.fill(block, (byte) (i + 1));
                writes.add(virtual(() -> {
                    c.write(block, 0, block.length);
                    return null;
                }));
            }
            CompletableFuture<byte[]> reader = virtual(() -> a.inputStream().readNBytes(n * size));
            for (CompletableFuture<Void> w : writes) {
                w.get(20, TimeUnit.SECONDS);
            }
            byte[] all = reader.get(20, TimeUnit.SECONDS);
            Set<Byte> seen = new HashSet<>();
            for (int k = 0; k < n; k++) {
                byte b = all[k * size];
                for (int j = k * size; j < (k + 1) * size; j++) {
                    assertEquals(b, all[j], "a write's bytes stay together");
                }
                assertTrue(seen.add(b), "each write once");
            }
        }
    }

    @Test
    void aSendLongerThanTheWholeSendBufferIsRefusedAsTooBigNotLeftWaiting() throws Exception {
        BlockingStreamListener l = net.sb.listen(0, 7400, 4);
        CompletableFuture<BlockingStreamSocket> accepted = virtual(() -> l.accept(System.nanoTime() + 5 * SECOND));
        CompletableFuture<StreamSocket> connected = new CompletableFuture<>();
        net.onStack(net.a, p -> net.a.connect(p, TcpSim.B, 7400, new StreamHandler() {
            @Override
            public void onConnected(Pbufs q, StreamSocket s) {
                connected.complete(s);
            }

            @Override
            public void onData(Pbufs q, StreamSocket s, int chain) {
                s.consumed(q.length(chain));
                q.freem(chain);
            }
        }));
        StreamSocket s = connected.get(5, TimeUnit.SECONDS);
        BlockingStreamSocket a = accepted.get(5, TimeUnit.SECONDS);
        int buffer = 64 * 1024; // Net.config()'s send buffer
        String r = net.onStack(net.a, p -> {
            int chain = p.alloc(io.sluice.engine.pbuf.Layer.RAW, buffer + 1);
            int first = s.send(p, chain);
            // Still the caller's: the partial write takes what fits, the rest comes back.
            int rest = s.sendSome(p, chain);
            int restLen = rest == io.sluice.engine.pbuf.PbufHandle.NULL ? 0 : p.length(rest);
            p.freem(rest);
            return io.sluice.engine.socket.SocketResult.name(first) + " " + restLen;
        });
        assertEquals("TOO_BIG 1", r, "refused whole; sendSome takes a buffer's worth");
        // Exactly the buffer is no error: SENT, or NO_ROOM until the peer acknowledges the first one's bytes.
        String whole = net.onStack(net.a, p -> {
            int chain = p.alloc(io.sluice.engine.pbuf.Layer.RAW, buffer);
            int first = s.send(p, chain);
            if (first != io.sluice.engine.socket.SocketResult.SENT) {
                p.freem(chain);
            }
            return io.sluice.engine.socket.SocketResult.name(first);
        });
        assertNotEquals("TOO_BIG", whole, "no longer than the buffer: it fits once the peer acknowledges");
        net.onStack(net.a, p -> {
            s.abort(p);
            return null;
        });
        a.close();
        l.close();
    }
}
