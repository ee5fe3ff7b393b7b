package io.sluice.engine.forward;

import static io.sluice.engine.forward.ForwarderLab.*;
import static io.sluice.engine.forward.UdpStackTest.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.socket.BlockingDatagramSocket;
import io.sluice.engine.socket.BlockingSockets;
import io.sluice.engine.socket.Completion;
import io.sluice.engine.socket.DatagramSocket;
import io.sluice.engine.socket.SocketResult;
import io.sluice.engine.transport.udp.UdpProtocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The socket API over UDP: the blocking adapter from virtual threads, and callbacks opened while the stack runs. */
@ExtendWith(PbufLeakExtension.class)
class SocketApiTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on a virtual thread; the future fails with whatever it threw. */
    static CompletableFuture<Void> virtual(Body body) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Thread.ofVirtual().name("app").start(() -> {
            try {
                body.run();
                f.complete(null);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    @Test
    void aVirtualThreadReceivesAndRepliesThroughTheBlockingAdapter() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        try (ForwarderLab lab = lab(udp)) {
            BlockingSockets sockets = new BlockingSockets(udp.commands(), udp);
            CountDownLatch bound = new CountDownLatch(1);
            CompletableFuture<Void> app = virtual(() -> {
                try (BlockingDatagramSocket s = sockets.openDatagram(0, 5000)) {
                    bound.countDown();
                    byte[] buf = new byte[2048];
                    int n = s.receive(buf, 0, buf.length, System.nanoTime() + 5 * SECOND);
                    assertEquals(120, n);
                    assertEquals(HOST_GEN_IP, s.sourceAddress());
                    assertEquals(40_000, s.sourcePort());
                    for (int i = 0; i < n; i++) {
                        buf[i] = (byte) ~buf[i];
                    }
                    s.send(buf, 0, n, s.sourceAddress(), s.sourcePort());
                }
            });
            assertTrue(bound.await(5, TimeUnit.SECONDS));
            byte[] data = Frames.data(120, 9);
            lab.send(lab.gen, request(5000, data));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] inverted = data.clone();
            for (int i = 0; i < inverted.length; i++) {
                inverted[i] = (byte) ~inverted[i];
            }
            byte[] out = lab.receiveOne(lab.gen);
            byte[] expected = Frames.ipv4(HOST_GEN, GEN_MAC, GEN_IP, HOST_GEN_IP, 64, 17, 0, 1,
                Frames.udp(GEN_IP, HOST_GEN_IP, 5000, 40_000, inverted));
            assertArrayEquals(expected, out);
            app.get(5, TimeUnit.SECONDS);
            assertEquals(0, udp.bound(), "closed");
        }
    }

    @Test
    void timeoutsPortsInUseAndClosedSockets() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        try (ForwarderLab lab = lab(udp)) {
            BlockingSockets sockets = new BlockingSockets(udp.commands(), udp);
            virtual(() -> {
                BlockingDatagramSocket s = sockets.openDatagram(GEN_IP, 6000);
                long start = System.nanoTime();
                assertEquals(Completion.TIMED_OUT, s.receive(new byte[10], 0, 10, start + SECOND / 10));
                assertTrue(System.nanoTime() - start >= SECOND / 10);
                IOException inUse = assertThrows(IOException.class, () -> sockets.openDatagram(0, 6000));
                assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
                assertThrows(IOException.class, () -> sockets.openDatagram(Frames.ip(192, 0, 2, 1), 6001),
                    "not one of our addresses");
                s.close();
                assertThrows(IOException.class, () -> s.receive(new byte[10], 0, 10, Completion.NO_DEADLINE));
                // Port 6000 is free again.
                sockets.openDatagram(0, 6000).close();
            }).get(10, TimeUnit.SECONDS);
            lab.assertSilent(lab.gen);
        }
    }

    @Test
    void aReceiverWaitingWhenTheStackStopsIsToldSo() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        CompletableFuture<Void> app;
        try (ForwarderLab lab = lab(udp)) {
            BlockingSockets sockets = new BlockingSockets(udp.commands(), udp);
            CountDownLatch waiting = new CountDownLatch(1);
            app = virtual(() -> {
                BlockingDatagramSocket s = sockets.openDatagram(0, 7000);
                waiting.countDown();
                IOException e = assertThrows(IOException.class,
                    () -> s.receive(new byte[10], 0, 10, Completion.NO_DEADLINE));
                assertTrue(e.getMessage().contains("stopped"), e.getMessage());
                s.close(); // after the stop: quietly nothing
            });
            assertTrue(waiting.await(5, TimeUnit.SECONDS));
            Thread.sleep(50);
            assertNotNull(lab);
        }
        app.get(5, TimeUnit.SECONDS);
    }

    @Test
    void manyVirtualThreadsSendAtOnceThroughTheBoundedQueue() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        int senders = 200;
        try (ForwarderLab lab = lab(udp)) {
            BlockingSockets sockets = new BlockingSockets(udp.commands(), udp);
            // Resolve the neighbour first: ARP queues 16 datagrams per unresolved hop, no more.
            CompletableFuture<Void> first = virtual(() -> {
                try (BlockingDatagramSocket s = sockets.openDatagram(0, 0)) {
                    s.send(new byte[30], 0, 30, HOST_GEN_IP, 9);
                }
            });
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            lab.receiveOne(lab.gen);
            first.get(5, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> apps = new ArrayList<>();
            for (int k = 0; k < senders; k++) {
                int id = k;
                apps.add(virtual(() -> {
                    try (BlockingDatagramSocket s = sockets.openDatagram(0, 0)) {
                        byte[] d = Frames.data(40, id);
                        s.send(d, 0, d.length, HOST_GEN_IP, 9);
                    }
                }));
            }
            List<byte[]> frames = new ArrayList<>();
            long end = System.nanoTime() + 10 * SECOND;
            while (frames.size() < senders && System.nanoTime() < end) {
                frames.addAll(lab.receive(lab.gen, 1, 1000));
            }
            for (CompletableFuture<Void> a : apps) {
                a.get(10, TimeUnit.SECONDS);
            }
            assertEquals(senders, frames.size(), "every datagram out");
            Set<Integer> ports = new HashSet<>();
            for (byte[] f : frames) {
                ports.add(Frames.u16(f, 34));
            }
            assertEquals(senders, ports.size(), "each from its own ephemeral port");
        }
    }

    @Test
    void aCallbackSocketOpenedWhileTheStackRuns() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        try (ForwarderLab lab = lab(udp)) {
            AtomicReference<DatagramSocket> socket = new AtomicReference<>();
            CountDownLatch bound = new CountDownLatch(1);
            assertTrue(udp.commands().submit(p -> {
                // A handler that answers each datagram with its length, in a pbuf of its own.
                socket.set(udp.bind(0, 4444, (pp, s, chain, addr, port) -> {
                    int n = pp.pktLen(chain);
                    pp.freem(chain);
                    int reply = pp.alloc(io.sluice.engine.pbuf.Layer.TRANSPORT, 20);
                    pp.copyback(reply, 0, String.format("%20d", n).getBytes(), 0, 20);
                    assertEquals(SocketResult.SENT, s.sendTo(pp, reply, addr, port));
                }, 16));
                bound.countDown();
                return true;
            }));
            assertTrue(bound.await(5, TimeUnit.SECONDS));
            assertThrows(IllegalStateException.class, () -> udp.bind(0, 4445, null, 1),
                "off the stack's thread once it runs");
            lab.send(lab.gen, request(4444, Frames.data(77, 1)));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] out = lab.receiveOne(lab.gen);
            assertEquals("                  77", new String(out, 42, 20));
        }
    }

    /** The ICMP Port Unreachable a Linux host would send about {@code frame} (its whole datagram quoted). */
    static byte[] portUnreachable(byte[] frame) {
        int total = Frames.u16(frame, 16);
        byte[] icmp = new byte[8 + total];
        icmp[0] = 3;
        icmp[1] = 3;
        System.arraycopy(frame, 14, icmp, 8, total);
        int c = Frames.checksum(icmp, 0, icmp.length);
        icmp[2] = (byte) (c >>> 8);
        icmp[3] = (byte) c;
        return Frames.ipv4(GEN_MAC, HOST_GEN, HOST_GEN_IP, GEN_IP, 64, 1, 0, 0x77, icmp);
    }

    @Test
    void portUnreachableFailsTheConnectedSocketsNextReceive() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        try (ForwarderLab lab = lab(udp)) {
            BlockingSockets sockets = new BlockingSockets(udp.commands(), udp);
            CountDownLatch sent = new CountDownLatch(1);
            CompletableFuture<Void> app = virtual(() -> {
                try (BlockingDatagramSocket s = sockets.openDatagram(0, 5001)) {
                    s.connect(HOST_GEN_IP, 6000);
                    s.send(new byte[40], 0, 40, HOST_GEN_IP, 6000);
                    sent.countDown();
                    assertThrows(java.net.PortUnreachableException.class,
                        () -> s.receive(new byte[100], 0, 100, System.nanoTime() + 5 * SECOND));
                    // Reported once: the next receive waits again.
                    assertEquals(Completion.TIMED_OUT, s.receive(new byte[100], 0, 100, System.nanoTime() + SECOND / 20));
                }
            });
            assertTrue(sent.await(5, TimeUnit.SECONDS));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] datagram = lab.receiveOne(lab.gen);
            lab.send(lab.gen, portUnreachable(datagram));
            app.get(10, TimeUnit.SECONDS);
            assertEquals(1, udp(udp, "udpIcmpErrors"));
            assertEquals(1, lab.counter("icmpInDestUnreachs"));
            assertEquals(0, lab.counter("drop.ICMP_NOT_ANSWERED"), "taken by UDP");
        }
    }

    @Test
    void errorsReachACallbackSocketOnlyWhenConnected() throws Exception {
        UdpProtocol udp = new UdpProtocol();
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.sluice.engine.socket.DatagramHandler handler = new io.sluice.engine.socket.DatagramHandler() {
            @Override
            public void onDatagram(io.sluice.engine.pbuf.Pbufs p, DatagramSocket s, int chain, int a, int port) {
                p.freem(chain);
            }

            @Override
            public void onError(io.sluice.engine.pbuf.Pbufs p, DatagramSocket s, int type, int code) {
                errors.add(s.localPort() + ":" + type + "/" + code);
            }
        };
        DatagramSocket connected = udp.bind(0, 5002, handler, 4);
        connected.connect(HOST_GEN_IP, 6002);
        DatagramSocket open = udp.bind(0, 5003, handler, 4);
        try (ForwarderLab lab = lab(udp)) {
            CountDownLatch done = new CountDownLatch(1);
            assertTrue(udp.commands().submit(p -> {
                for (DatagramSocket s : List.of(connected, open)) {
                    int h = p.alloc(io.sluice.engine.pbuf.Layer.TRANSPORT, 30);
                    s.sendTo(p, h, HOST_GEN_IP, 6002);
                }
                done.countDown();
                return true;
            }));
            assertTrue(done.await(5, TimeUnit.SECONDS));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            List<byte[]> out = lab.receive(lab.gen, 2, 5000);
            assertEquals(2, out.size());
            for (byte[] f : out) {
                lab.send(lab.gen, portUnreachable(f));
            }
            assertTrue(until(() -> udp(udp, "udpIcmpErrors") + udp(udp, "udpIcmpErrorsIgnored") == 2));
            assertEquals(List.of("5002:3/3"), errors);
            assertEquals(1, udp(udp, "udpIcmpErrorsIgnored"), "the unconnected socket's");
        }
    }
}
