package io.sluice.nativeio.uring;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters.Drop;
import io.sluice.engine.stage.Pipeline;
import io.sluice.nativeio.afpacket.Await;
import io.sluice.nativeio.afpacket.Caps;
import io.sluice.nativeio.afpacket.Frames;
import io.sluice.nativeio.afpacket.KernelPeer;
import io.sluice.nativeio.afpacket.VethLab;
import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import io.sluice.nativeio.linux.InterfaceException;
import io.sluice.nativeio.linux.NetNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The io_uring port against the kernel, over a veth pair between two network namespaces made for each test (see
 * {@link VethLab}, shared with the AF_PACKET tests): the port lives in {@code nsA} on {@code ifA}, opened from a
 * thread moved there with setns(2); python3 sends and receives in {@code nsB} on {@code ifB}. Needs root,
 * {@code ip}, python3 and io_uring, and fails (never skips) without them. Every wait is bounded; nothing asserts
 * on time.
 */
@ExtendWith(PbufLeakExtension.class)
class UringPortTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private VethLab lab;
    private NetNamespace inA;
    private final List<UringPort> ports = new ArrayList<>();

    @BeforeAll
    static void prerequisites() {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            fail(missing);
        }
        String disabled = IoUring.readDisabledSysctl();
        if (disabled != null && !disabled.equals("0")) {
            fail("the io_uring port tests cannot run on this machine: kernel.io_uring_disabled is " + disabled
                + "; switch io_uring on with `sysctl -w kernel.io_uring_disabled=0`");
        }
        VethLab.sweep(false);
    }

    @BeforeEach
    void setUp() {
        lab = VethLab.create();
        inA = NetNamespace.enter(lab.nsA);
    }

    @AfterEach
    void tearDown() {
        for (UringPort port : ports) {
            port.close();
        }
        if (inA != null) {
            inA.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @AfterAll
    static void removeWhatIsLeft() {
        VethLab.sweep(true);
    }

    private UringPort openA(UringConfig config) {
        UringPort port = inA.call(() -> UringPort.open(config));
        ports.add(port);
        return port;
    }

    private static void assertPoolFull(PbufPool pool) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> pool.leakReport().toString());
        assertEquals(s.total(), s.free() + s.cached(), "every slot is back on a free list");
    }

    /** Receives until {@code want} packets went to {@code each} (which must free them) or the limit passes. */
    private static int drain(UringPort port, Pbufs p, int want, IntConsumer each) {
        int[] burst = new int[64];
        int got = 0;
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (got < want && System.nanoTime() - deadline < 0) {
            int n = port.receiveBurst(p, burst, burst.length);
            for (int i = 0; i < n; i++) {
                each.accept(burst[i]);
            }
            got += n;
            if (n == 0) {
                LockSupport.parkNanos(100_000);
            }
        }
        return got;
    }

    private static void assertSameFrames(List<byte[]> expected, List<byte[]> actual, String context) {
        assertEquals(expected.size(), actual.size(), () -> "frame count; " + context);
        for (int i = 0; i < expected.size(); i++) {
            int k = i;
            assertArrayEquals(expected.get(i), actual.get(i), () -> "frame " + k + " differs:\n expected "
                + Frames.hex(expected.get(k)) + "\n actual   " + Frames.hex(actual.get(k)) + "\n" + context);
        }
    }

    /** The frame as AF_PACKET's recv() hands it over: without the VLAN tag the kernel took out on receive. */
    private static byte[] untagged(byte[] f) {
        int type = (f[12] & 0xFF) << 8 | (f[13] & 0xFF);
        if (type != 0x8100) {
            return f;
        }
        byte[] u = new byte[f.length - 4];
        System.arraycopy(f, 0, u, 0, 12);
        System.arraycopy(f, 16, u, 12, f.length - 16);
        return u;
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * Frames python sends arrive byte-exact, in order, in pbuf chains: sizes around the 464-byte pbuf boundary, a
     * full frame and two VLAN-tagged ones, whose tag comes back from PACKET_AUXDATA (with plain RECV it is lost,
     * as the kernel took it out of the frame). Through RECVMSG and RECV, with and without COOP_TASKRUN, with the
     * kernel's receive times or the burst's.
     */
    @ParameterizedTest(name = "auxdata={0} coopTaskrun={1} kernelTimestamps={2}")
    @CsvSource({"true,true,false", "true,true,true", "true,false,false", "false,true,false", "false,false,false"})
    void framesSentByTheKernelArriveByteExactInPbufs(boolean auxdata, boolean coop, boolean timestamps) {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.builder(lab.ifA).auxdata(auxdata).coopTaskrun(coop)
                .kernelTimestamps(timestamps).build());
            assertEquals(coop, port.rxRing().coopTaskrun());
            assertNotEquals(0, port.rxRing().features() & Uring.FEAT_SINGLE_MMAP);
            List<byte[]> sent = List.of(Frames.experimental(60, 0), Frames.experimental(64, 1),
                Frames.experimental(100, 2), Frames.experimental(463, 3), Frames.experimental(464, 4),
                Frames.experimental(465, 5), Frames.experimental(1000, 6), Frames.experimental(1514, 7),
                Frames.vlan(1518, 0x2005, 8), Frames.vlan(64, 0x0064, 9));
            long before = System.currentTimeMillis() * 1_000_000L;
            KernelPeer.send(lab.nsB, lab.ifB, sent);

            List<byte[]> got = new ArrayList<>();
            List<Integer> tcis = new ArrayList<>();
            int n = drain(port, p, sent.size(), h -> {
                assertNull(p.check(h), () -> p.dump(h));
                assertEquals(port.interfaceInfo().index(), p.rcvif(h));
                long stamp = p.timestamp(h);
                assertTrue(stamp >= before - 1_000_000_000L && stamp <= System.currentTimeMillis() * 1_000_000L
                    + 1_000_000_000L, () -> "a receive time since the epoch: " + stamp);
                byte[] f = p.toArray(h);
                assertEquals(f.length, p.pktLen(h));
                got.add(f);
                tcis.add(p.vlanTci(h));
                p.freem(h);
            });
            assertEquals(sent.size(), n, () -> "received " + n + " of " + sent.size() + "; " + port.stats());
            List<byte[]> expected = auxdata ? sent : sent.stream().map(UringPortTest::untagged).toList();
            assertSameFrames(expected, got, port.stats().toString());
            assertEquals(auxdata ? List.of(0, 0, 0, 0, 0, 0, 0, 0, 0x2005, 0x0064)
                : List.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), tcis);
            assertEquals(sent.size(), port.counters().rxPackets());
            assertEquals(expected.stream().mapToLong(f -> f.length).sum(), port.counters().rxBytes());
            assertEquals(auxdata ? 2 : 0, port.stats().rxVlanRestored());
            port.refreshStatistics();
            assertEquals(sent.size(), port.stats().kernelPackets(), "PACKET_STATISTICS tp_packets");
            assertEquals(0, port.stats().kernelDrops());
            assertEquals(0, port.stats().rxErrors(), port.stats()::toString);
            // a burst that had to enter the kernel before it found completions re-arms their buffers in the next
            assertEquals(0, port.receiveBurst(p, new int[64], 64));
            assertEquals(port.config().rxBuffers(), port.rxArmed(), "every buffer armed again");
            port.close(p);
            assertEquals(0, port.rxArmed());
            assertPoolFull(pool);
            p.close();
        }
    }

    /**
     * 200 frames queued on the socket before the first burst: bursts take them with at most one io_uring_enter
     * each, never one per frame (receives submitted when frames are queued complete inside the enter that submits
     * them, so one enter moves up to rxBuffers frames).
     */
    @Test
    void queuedFramesTakeOneEnterPerBurstNotPerFrame() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.defaults(lab.ifA));
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(Frames.experimental(60 + i * 7, i));
            }
            KernelPeer.send(lab.nsB, lab.ifB, sent);
            long[] queued = new long[1];
            assertTrue(Await.until(() -> {
                port.refreshStatistics();
                queued[0] = port.stats().kernelPackets();
                return queued[0] >= sent.size();
            }, LIMIT), () -> "the kernel queued " + queued[0]);
            List<byte[]> got = new ArrayList<>();
            int[] burst = new int[64];
            int calls = 0;
            while (got.size() < sent.size() && calls < 1000) {
                int n = port.receiveBurst(p, burst, burst.length);
                calls++;
                for (int i = 0; i < n; i++) {
                    got.add(p.toArray(burst[i]));
                    p.freem(burst[i]);
                }
            }
            assertSameFrames(sent, got, port.stats().toString());
            long enters = port.stats().rxEnters();
            int bursts = calls;
            assertTrue(enters <= bursts, () -> enters + " enters in " + bursts + " bursts");
            // each enter re-arms up to rxBuffers receives, which find frames queued and complete inside it
            long most = (sent.size() + port.config().rxBuffers() - 1) / port.config().rxBuffers() + 1;
            assertTrue(enters <= most, () -> enters + " enters for 200 queued frames, at most " + most + " expected: "
                + port.stats());
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    @Test
    void framesSentByTheUringPortArriveByteExactAtAKernelReceiver() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.defaults(lab.ifA));
            byte[] chained = Frames.experimental(865, 5);
            List<byte[]> valid = List.of(Frames.experimental(60, 0), Frames.experimental(64, 1),
                Frames.experimental(465, 2), Frames.experimental(1514, 3), Frames.vlan(1518, 0x0007, 4), chained);
            try (KernelPeer.Receiver receiver = KernelPeer.receive(lab.nsB, lab.ifB, Frames.ETHERTYPE, valid.size(),
                LIMIT)) {
                // a chain of partly filled pbufs: 400 bytes, then 464 + 1 linked behind it
                int head = Frames.toPbufs(p, Arrays.copyOfRange(chained, 0, 400));
                p.cat(head, Frames.toPbufs(p, Arrays.copyOfRange(chained, 400, 865)));
                assertEquals(3, p.count(head));
                int[] burst = {Frames.toPbufs(p, valid.get(0)), Frames.toPbufs(p, valid.get(1)),
                    Frames.toPbufs(p, Frames.experimental(1515, 90)), // one byte over the MTU, untagged
                    Frames.toPbufs(p, valid.get(2)), Frames.toPbufs(p, valid.get(3)),
                    Frames.toPbufs(p, Arrays.copyOf(valid.get(0), 10)), // shorter than a header
                    Frames.toPbufs(p, valid.get(4)), head};
                assertEquals(burst.length, port.transmitBurst(p, burst, 0, burst.length), "the port takes them all");
                assertEquals(1, port.stats().txEnters(), "one io_uring_enter for the burst");

                assertSameFrames(valid, receiver.frames(LIMIT), "python: " + receiver.summary() + "; " + port.stats());
            }
            int[] none = new int[0];
            assertTrue(Await.until(() -> port.transmitBurst(p, none, 0, 0) == 0
                && port.counters().txPackets() == valid.size(), LIMIT), () -> "tx " + port.counters().txPackets());
            assertEquals(valid.stream().mapToLong(f -> f.length).sum(), port.counters().txBytes());
            assertEquals(2, port.counters().txDrops(Drop.DEVICE));
            assertEquals(2, port.stats().txOversize());
            assertEquals(0, port.stats().txErrors());
            assertEquals(0, port.txInFlight());
            assertEquals(valid.size(), port.stats().txCompletions());
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    /** With every send buffer in flight the port takes fewer packets; the caller keeps the rest, in order. */
    @Test
    void aBurstLargerThanTheFreeSendBuffersIsTakenInPart() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.builder(lab.ifA).txBuffers(4).build());
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                out.add(Frames.experimental(100 + i, i));
            }
            try (KernelPeer.Receiver receiver = KernelPeer.receive(lab.nsB, lab.ifB, Frames.ETHERTYPE, out.size(),
                LIMIT)) {
                int[] burst = new int[out.size()];
                for (int i = 0; i < burst.length; i++) {
                    burst[i] = Frames.toPbufs(p, out.get(i));
                }
                int taken = port.transmitBurst(p, burst, 0, burst.length);
                assertEquals(4, taken, "four send buffers");
                assertEquals(1, port.stats().txNoBuffer());
                int off = taken;
                for (int round = 0; off < burst.length && round < 1000; round++) {
                    off += port.transmitBurst(p, burst, off, burst.length - off);
                }
                assertEquals(burst.length, off);
                assertSameFrames(out, receiver.frames(LIMIT), "python: " + receiver.summary() + "; " + port.stats());
            }
            port.close(p);
            assertEquals(out.size(), port.counters().txPackets());
            assertPoolFull(pool);
            p.close();
        }
    }

    /**
     * The port in a pipeline: frames python sends into ifA come back out of ifA (a reflector, one fused thread).
     * PACKET_IGNORE_OUTGOING keeps the port from receiving its own frames, which would loop forever.
     */
    @Test
    void aPipelineReflectsFramesThroughThePort() {
        try (PbufPool pool = PbufPool.create(4096)) {
            UringPort port = openA(UringConfig.defaults(lab.ifA));
            Pipeline pipeline = Pipeline.builder(pool).receiveFrom(port).stage("swap", (p, h) -> h).transmitTo(port)
                .config(new PipelineConfig().layout("fused").idle("backoff").ringSize(256).batch(32)).build().start();
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                sent.add(Frames.experimental(60 + (i * 37) % 1455, i));
            }
            try (KernelPeer.Receiver receiver = KernelPeer.receive(lab.nsB, lab.ifB, Frames.ETHERTYPE, sent.size(),
                LIMIT)) {
                KernelPeer.send(lab.nsB, lab.ifB, sent);
                assertSameFrames(sent, receiver.frames(LIMIT), "python: " + receiver.summary() + "; " + port.stats());
            } finally {
                pipeline.close();
            }
            assertTrue(port.isClosed(), "the pipeline closes its ports");
            assertEquals(sent.size(), port.counters().rxPackets());
            assertEquals(sent.size(), port.counters().txPackets());
            assertEquals(0, port.stats().kernelDrops());
            assertEquals(0, port.rxArmed(), () -> "cancelled and reaped at close: " + port.stats());
            assertEquals(0, port.stats().closeLeft());
            assertPoolFull(pool);
        }
    }

    @Test
    void survivesTheLinkGoingDownAndComingBackUp() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.defaults(lab.ifA));
            assertTrue(port.linkUp());
            int[] burst = new int[64];
            assertEquals(0, port.receiveBurst(p, burst, burst.length));
            assertEquals(port.config().rxBuffers(), port.rxArmed());

            lab.down(lab.nsA, lab.ifA);
            for (int i = 0; i < 8; i++) {
                burst[i] = Frames.toPbufs(p, Frames.experimental(100, i));
            }
            assertEquals(8, port.transmitBurst(p, burst, 0, 8), "a port whose link is down drops, like a NIC");
            int[] none = new int[0];
            assertTrue(Await.until(() -> port.transmitBurst(p, none, 0, 0) == 0 && port.txInFlight() == 0, LIMIT));
            assertEquals(8, port.stats().txErrors(Errno.ENETDOWN), port.stats()::toString);
            assertEquals(Errno.ENETDOWN, port.stats().txLastErrno());
            assertEquals(8, port.counters().txDrops(Drop.DEVICE));
            assertEquals(0, port.counters().txPackets());
            // the receive that the socket error woke (or SO_ERROR, whichever reads it first) counts ENETDOWN
            assertTrue(Await.until(() -> {
                assertEquals(0, port.receiveBurst(p, burst, burst.length));
                port.refreshStatistics();
                return port.stats().rxErrors(Errno.ENETDOWN) >= 1;
            }, LIMIT), port.stats()::toString);
            assertFalse(port.linkUp());
            assertEquals(1, port.stats().linkDownSeen());

            lab.up(lab.nsA, lab.ifA);
            lab.awaitRunning(lab.nsA, lab.ifA);
            assertTrue(Await.until(() -> {
                port.refreshStatistics();
                return port.linkUp();
            }, LIMIT));
            assertEquals(1, port.stats().linkUpSeen());
            assertTrafficFlowsBothWays(port, p, 100);
            assertEquals(0, port.receiveBurst(p, burst, burst.length));
            assertEquals(port.config().rxBuffers(), port.rxArmed(), "every receive armed again");
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    @Test
    void carrierLossIsCountedAndTrafficResumes() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.defaults(lab.ifA));
            int[] burst = new int[8];

            lab.down(lab.nsB, lab.ifB); // ifA stays up but loses its carrier
            assertTrue(Await.until(() -> {
                port.refreshStatistics();
                return !port.linkUp();
            }, LIMIT));
            for (int i = 0; i < burst.length; i++) {
                burst[i] = Frames.toPbufs(p, Frames.experimental(100, i));
            }
            assertEquals(8, port.transmitBurst(p, burst, 0, 8));
            int[] none = new int[0];
            assertTrue(Await.until(() -> port.transmitBurst(p, none, 0, 0) == 0 && port.txInFlight() == 0, LIMIT));
            assertEquals(8, port.stats().txErrors(Errno.ENOBUFS), "no carrier (qdisc bypass): " + port.stats());
            assertEquals(8, port.counters().txDrops(Drop.DEVICE));
            assertEquals(0, port.counters().txPackets());

            lab.up(lab.nsB, lab.ifB);
            lab.awaitRunning(lab.nsA, lab.ifA);
            assertTrafficFlowsBothWays(port, p, 200);
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    /** Eight frames each way, byte-exact, between the port and python in nsB. */
    private void assertTrafficFlowsBothWays(UringPort port, Pbufs p, int seqBase) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            out.add(Frames.experimental(60 + 100 * i, seqBase + i));
        }
        try (KernelPeer.Receiver receiver = KernelPeer.receive(lab.nsB, lab.ifB, Frames.ETHERTYPE, out.size(), LIMIT)) {
            int[] burst = new int[out.size()];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = Frames.toPbufs(p, out.get(i));
            }
            assertEquals(burst.length, port.transmitBurst(p, burst, 0, burst.length));
            assertSameFrames(out, receiver.frames(LIMIT), "python: " + receiver.summary() + "; " + port.stats());
        }
        List<byte[]> in = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            in.add(Frames.experimental(1514 - 100 * i, seqBase + 50 + i));
        }
        KernelPeer.send(lab.nsB, lab.ifB, in);
        List<byte[]> got = new ArrayList<>();
        drain(port, p, in.size(), h -> {
            got.add(p.toArray(h));
            p.freem(h);
        });
        assertSameFrames(in, got, port.stats().toString());
    }

    /**
     * An empty pool drops every frame as RX_NO_PBUFS, and each buffer is armed again all the same: with four
     * buffers, the thirty frames of three rounds all reach the port.
     */
    @Test
    void anEmptyPoolCountsRxNoPbufsAndStillReArms() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.builder(lab.ifA).rxBuffers(4).build());
            List<Integer> hoard = new ArrayList<>();
            for (int h = p.allocReceive(100); h != PbufHandle.NULL; h = p.allocReceive(100)) {
                hoard.add(h);
            }
            int[] burst = new int[64];
            int perRound = 10;
            for (int r = 1; r <= 3; r++) {
                List<byte[]> lost = new ArrayList<>();
                for (int i = 0; i < perRound; i++) {
                    lost.add(Frames.experimental(1000, r * 100 + i));
                }
                KernelPeer.send(lab.nsB, lab.ifB, lost);
                long expected = (long) r * perRound;
                assertTrue(Await.until(() -> {
                    assertEquals(0, port.receiveBurst(p, burst, burst.length));
                    return port.counters().rxDrops(Drop.RX_NO_PBUFS) == expected;
                }, LIMIT), () -> "rx_no_pbufs " + port.counters().rxDrops(Drop.RX_NO_PBUFS) + " of " + expected + "; "
                    + port.stats());
            }
            assertEquals(4, port.rxArmed());

            hoard.forEach(p::freem);
            List<byte[]> sent = List.of(Frames.experimental(300, 1), Frames.experimental(1514, 2));
            KernelPeer.send(lab.nsB, lab.ifB, sent);
            List<byte[]> got = new ArrayList<>();
            drain(port, p, sent.size(), h -> {
                got.add(p.toArray(h));
                p.freem(h);
            });
            assertSameFrames(sent, got, port.stats().toString());
            port.refreshStatistics();
            assertEquals(0, port.stats().kernelDrops());
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    /**
     * The MTU grows after the port opened: a frame longer than a receive buffer is cut short by the kernel, which
     * MSG_TRUNC reveals; it is dropped as RX_OVERSIZE and its buffer armed again. Frames that fit still arrive.
     * (Without receiveGso, whose 64 KiB receive buffers hold any frame.)
     */
    @ParameterizedTest(name = "auxdata={0}")
    @CsvSource({"true", "false"})
    void aFrameLongerThanABufferIsDroppedAsTruncated(boolean auxdata) {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.builder(lab.ifA).auxdata(auxdata).receiveGso(false).build());
            lab.mtu(lab.nsA, lab.ifA, 3000);
            lab.mtu(lab.nsB, lab.ifB, 3000);
            List<byte[]> sent = List.of(Frames.experimental(1000, 1), Frames.experimental(2500, 2),
                Frames.experimental(2048, 3), Frames.experimental(2049, 4), Frames.experimental(1514, 5));
            KernelPeer.send(lab.nsB, lab.ifB, sent);
            List<byte[]> got = new ArrayList<>();
            drain(port, p, 3, h -> {
                got.add(p.toArray(h));
                p.freem(h);
            });
            assertSameFrames(List.of(sent.get(0), sent.get(2), sent.get(4)), got, port.stats().toString());
            assertEquals(2, port.stats().rxTruncated(), port.stats()::toString);
            assertEquals(2, port.counters().rxDrops(Drop.RX_OVERSIZE));
            assertEquals(0, port.receiveBurst(p, new int[64], 64));
            assertEquals(port.config().rxBuffers(), port.rxArmed());
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    /**
     * Receives belong to the thread that submitted them: when it ends, the kernel cancels them, and the next burst,
     * in another thread, arms them again; no frame is lost.
     */
    @Test
    void receivesArmedByAThreadThatEndedAreArmedAgain() throws InterruptedException {
        try (PbufPool pool = PbufPool.create(4096)) {
            UringPort port = openA(UringConfig.defaults(lab.ifA));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread first = new Thread(() -> {
                try (Pbufs q = pool.local()) {
                    assertEquals(0, port.receiveBurst(q, new int[64], 64));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "first-receiver");
            first.start();
            first.join(LIMIT.toMillis());
            assertFalse(first.isAlive());
            assertNull(failure.get());
            assertEquals(port.config().rxBuffers(), port.rxArmed());

            Pbufs p = pool.local();
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(Frames.experimental(200 + i, i));
            }
            KernelPeer.send(lab.nsB, lab.ifB, sent);
            List<byte[]> got = new ArrayList<>();
            drain(port, p, sent.size(), h -> {
                got.add(p.toArray(h));
                p.freem(h);
            });
            assertSameFrames(sent, got, port.stats().toString());
            assertTrue(port.stats().rxRearmedAfterCancel() >= 1, port.stats()::toString);
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    /** The close, from another thread, cancels every outstanding receive and reaps it before unmapping. */
    @Test
    void closeCancelsTheOutstandingReceivesAndLeavesThePoolFull() throws InterruptedException {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            UringPort port = openA(UringConfig.defaults(lab.ifA));
            int[] burst = new int[64];
            assertEquals(0, port.receiveBurst(p, burst, burst.length));
            assertEquals(32, port.rxArmed());
            int[] one = {Frames.toPbufs(p, Frames.experimental(100, 1))};
            assertEquals(1, port.transmitBurst(p, one, 0, 1));

            Thread closer = new Thread(port::close, "closer");
            closer.start();
            closer.join(LIMIT.toMillis());
            assertFalse(closer.isAlive());
            assertTrue(port.isClosed());
            assertEquals(0, port.rxArmed());
            assertEquals(0, port.txInFlight());
            assertEquals(32, port.stats().closeCancelled(), port.stats()::toString);
            assertEquals(0, port.stats().closeLeft());
            assertTrue(port.rxRing().isClosed() && port.txRing().isClosed());
            assertEquals(0, port.receiveBurst(p, burst, burst.length), "a closed port receives nothing");
            one[0] = Frames.toPbufs(p, Frames.experimental(100, 2));
            assertEquals(0, port.transmitBurst(p, one, 0, 1), "and takes nothing");
            p.freem(one[0]);
            port.close(p); // idempotent
            assertPoolFull(pool);
            p.close();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Clear messages

    @Test
    void aMissingInterfaceIsNamedWithTheFix() {
        InterfaceException e = assertThrows(InterfaceException.class,
            () -> inA.call(() -> UringPort.open(UringConfig.defaults("nosuch9"))));
        assertEquals("interface nosuch9 does not exist in network namespace " + lab.nsA + " (ENODEV): create it or "
            + "pick another with `ip -n " + lab.nsA + " link`", e.getMessage());
        assertEquals(Errno.ENODEV, e.errno());
    }

    @Test
    void aDownInterfaceIsNamedWithTheFix() {
        lab.down(lab.nsA, lab.ifA);
        InterfaceException e = assertThrows(InterfaceException.class,
            () -> inA.call(() -> UringPort.open(UringConfig.defaults(lab.ifA))));
        assertEquals("interface " + lab.ifA + " in network namespace " + lab.nsA + " is down: bring it up with `ip -n "
            + lab.nsA + " link set dev " + lab.ifA + " up`", e.getMessage());
    }

    @Test
    void anMtuLargerThanABufferIsNamedWithTheFix() {
        lab.mtu(lab.nsA, lab.ifA, 9000);
        InterfaceException e = assertThrows(InterfaceException.class,
            () -> inA.call(() -> UringPort.open(UringConfig.defaults(lab.ifA))));
        assertEquals("interface " + lab.ifA + " has MTU 9000, but a buffer of uring.bufferSize=2048 holds frames of "
            + "at most 2038 bytes (MTU, Ethernet header and a VLAN tag): raise uring.bufferSize to 9088, or lower the "
            + "MTU with `ip -n " + lab.nsA + " link set dev " + lab.ifA + " mtu 2020`", e.getMessage(),
            "a send buffer holds the 10-byte virtio_net_hdr too");
        lab.mtu(lab.nsA, lab.ifA, 500);
        e = assertThrows(InterfaceException.class, () -> inA.call(() -> UringPort.open(UringConfig.defaults(lab.ifA))));
        assertEquals("interface " + lab.ifA + " has MTU 500, below the 576 this port needs (uring.minMtu=576): raise "
            + "it with `ip -n " + lab.nsA + " link set dev " + lab.ifA + " mtu 1500` or lower uring.minMtu",
            e.getMessage());
    }

    @Test
    void missingPrivilegeIsNamedWithTheFix() {
        try (NetNamespace unprivileged = NetNamespace.enter(lab.nsA)) {
            unprivileged.call(() -> {
                Caps.dropEffective(Caps.CAP_NET_RAW);
                return null;
            });
            InterfaceException e = assertThrows(InterfaceException.class,
                () -> unprivileged.call(() -> UringPort.open(UringConfig.defaults(lab.ifA))));
            assertEquals("need CAP_NET_RAW to open an AF_PACKET socket on interface " + lab.ifA + " (EPERM): run as "
                + "root, or give the JVM the capability with `setcap cap_net_raw,cap_net_admin+ep "
                + "$JAVA_HOME/bin/java`", e.getMessage());
        }
    }

    /**
     * io_uring refused the way a container's seccomp profile refuses it (EPERM), or absent (ENOSYS): the message
     * says so and names the fix. The filter is installed on a dedicated thread only.
     */
    @Test
    void anUnavailableIoUringIsNamedWithTheFix() {
        for (int errno : new int[] {Errno.EPERM, Errno.ENOSYS}) {
            try (NetNamespace denied = NetNamespace.enter(lab.nsA)) {
                denied.call(() -> {
                    Seccomp.deny((int) Libc.SYS_IO_URING_SETUP, errno);
                    return null;
                });
                UringUnavailableException e = assertThrows(UringUnavailableException.class,
                    () -> denied.call(() -> UringPort.open(UringConfig.defaults(lab.ifA))));
                assertEquals(errno, e.errno());
                assertTrue(e.getMessage().startsWith("io_uring is not available to this process: io_uring_setup "
                    + "(system call 425) failed with " + Errno.describe(errno) + "; "), e.getMessage());
                assertTrue(e.getMessage().contains(errno == Errno.EPERM
                    ? "kernel.io_uring_disabled is 0, so a seccomp filter (a container runtime's default profile "
                        + "blocks io_uring) or a security module refuses it: allow io_uring_setup, io_uring_enter and "
                        + "io_uring_register (system calls 425 to 427) in the profile"
                    : "the kernel has no io_uring (it needs Linux 5.19 or later built with CONFIG_IO_URING)"),
                    e.getMessage());
                assertTrue(e.getMessage().endsWith("; or use the AF_PACKET port (AfPacketPort), which needs no "
                    + "io_uring"), e.getMessage());
            }
        }
        // the filter ended with its thread: this thread can still open a port
        UringPort port = openA(UringConfig.defaults(lab.ifA));
        port.close();
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * io_uring to io_uring over the pair, one thread transmitting on ifA and receiving on ifB: after a warm-up,
     * 200,000 more frames move while the thread's allocation counter stays put (no per-packet garbage: errno
     * capture, SQE and CQE access, buffers and counters are all preallocated). Prints the rate and the system
     * calls per frame, as information only.
     */
    @Test
    void theDataPathAllocatesNothingPerPacket() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PbufPool pool = PbufPool.create(8192); NetNamespace inB = NetNamespace.enter(lab.nsB)) {
            Pbufs p = pool.local();
            UringPort tx = openA(UringConfig.builder(lab.ifA).receive(false).build());
            UringPort rx = inB.call(() -> UringPort.open(UringConfig.builder(lab.ifB).transmit(false).build()));
            ports.add(rx);
            MemorySegment frame = Arena.ofAuto().allocate(60);
            MemorySegment.copy(Frames.experimental(60, 0), 0, frame, ValueLayout.JAVA_BYTE, 0, 60);
            int[] out = new int[64];
            int[] in = new int[64];
            long[] moved = new long[1];
            Runnable step = () -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = p.alloc(Layer.RAW, 60);
                    p.copyback(out[i], 0, frame, 0, 60);
                }
                int taken = tx.transmitBurst(p, out, 0, out.length);
                for (int i = taken; i < out.length; i++) {
                    p.freem(out[i]);
                }
                for (int n = rx.receiveBurst(p, in, in.length); n > 0; n = rx.receiveBurst(p, in, in.length)) {
                    for (int i = 0; i < n; i++) {
                        p.freem(in[i]);
                    }
                    moved[0] += n;
                }
            };
            // Warm up until the JIT has compiled the path: an interpreted downcall allocates its own bookkeeping.
            long warmUp = System.nanoTime() + 2 * LIMIT.toNanos();
            for (int i = 0; i < 20_000 && System.nanoTime() - warmUp < 0; i++) {
                step.run();
            }
            assertTrue(moved[0] >= 500_000, "warm-up moved " + moved[0]);
            // Then windows of 200,000 frames: a per-packet allocation shows in every window (200,000 frames times
            // at least 16 bytes), a late JIT recompilation only in some, so one clean window suffices.
            long tid = Thread.currentThread().threadId();
            List<String> windows = new ArrayList<>();
            boolean clean = false;
            for (int w = 0; w < 5 && !clean; w++) {
                long before = threads.getThreadAllocatedBytes(tid);
                long start = moved[0];
                long rxEnters = rx.stats().rxEnters();
                long txEnters = tx.stats().txEnters();
                long t0 = System.nanoTime();
                long deadline = t0 + LIMIT.toNanos();
                while (moved[0] - start < 200_000 && System.nanoTime() - deadline < 0) {
                    step.run();
                }
                long elapsed = System.nanoTime() - t0;
                long allocated = threads.getThreadAllocatedBytes(tid) - before;
                long frames = moved[0] - start;
                assertTrue(frames >= 200_000, "moved " + frames);
                windows.add(allocated + " bytes for " + frames + " frames");
                clean = allocated < 64 * 1024;
                System.out.printf("io_uring veth, one thread tx+rx, 60-byte frames: %.0f frames/s (%d frames, %d bytes "
                    + "allocated, %.3f rx enters and %.3f tx enters per frame)%n", frames * 1e9 / elapsed, frames,
                    allocated, (rx.stats().rxEnters() - rxEnters) / (double) frames,
                    (tx.stats().txEnters() - txEnters) / (double) frames);
            }
            assertTrue(clean, () -> "every window allocated: " + windows);
            tx.close(p);
            rx.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }
}
