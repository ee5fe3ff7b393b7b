package io.sluice.nativeio.afpacket;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.config.ConfigException;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters.Drop;
import io.sluice.engine.stage.Pipeline;
import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.NativeException;
import io.sluice.nativeio.linux.InterfaceException;
import io.sluice.nativeio.linux.InterfaceInfo;
import io.sluice.nativeio.linux.Interfaces;
import io.sluice.nativeio.linux.NetNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The AF_PACKET port against the kernel, over a veth pair between two network namespaces made for each test
 * (see {@link VethLab}): the port lives in {@code nsA} on {@code ifA}, opened from a thread moved there with
 * setns(2); python3 sends and receives in {@code nsB} on {@code ifB}. Needs root, {@code ip} and python3, and
 * fails (never skips) without them.
 */
@ExtendWith(PbufLeakExtension.class)
@ExtendWith(VethLabExtension.class)
class AfPacketPortTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private VethLab lab;
    private NetNamespace inA;
    private final List<AfPacketPort> ports = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        lab = VethLab.create();
        inA = NetNamespace.enter(lab.nsA);
    }

    @AfterEach
    void tearDown() {
        for (AfPacketPort port : ports) {
            port.close();
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
        if (inA != null) {
            inA.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private AfPacketPort openA(AfPacketConfig config) {
        AfPacketPort port = inA.call(() -> AfPacketPort.open(config));
        ports.add(port);
        return port;
    }

    private static void assertPoolFull(PbufPool pool) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> pool.leakReport().toString());
        assertEquals(s.total(), s.free() + s.cached(), "every slot is back on a free list");
    }

    /**
     * Receives until {@code want} packets have been handed to {@code each} (which must free them) or the limit
     * passes.
     */
    private static int drain(AfPacketPort port, Pbufs p, int want, IntConsumer each) {
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

    private static void assertSameFrames(List<byte[]> expected, List<byte[]> actual) {
        assertSameFrames(expected, actual, "");
    }

    private static void assertSameFrames(List<byte[]> expected, List<byte[]> actual, String context) {
        assertEquals(expected.size(), actual.size(), () -> "frame count; " + context);
        for (int i = 0; i < expected.size(); i++) {
            int k = i;
            assertArrayEquals(expected.get(i), actual.get(i), () -> "frame " + k + " differs:\n expected "
                + Frames.hex(expected.get(k)) + "\n actual   " + Frames.hex(actual.get(k)));
        }
    }

    // ------------------------------------------------------------------------------------------------

    @Test
    void interfaceFactsMatchWhatIpSays() {
        lab.mtu(lab.nsA, lab.ifA, 1400);
        InterfaceInfo info = inA.call(() -> Interfaces.lookup(lab.ifA));
        String ip = VethLab.run("ip", "-n", lab.nsA, "-o", "link", "show", "dev", lab.ifA);
        assertTrue(ip.startsWith(info.index() + ": " + lab.ifA + "@"), ip);
        assertTrue(ip.contains("link/ether " + info.macString() + " "), () -> info + " vs " + ip);
        assertEquals(1400, info.mtu());
        assertTrue(info.up() && info.running(), info::toString);
        assertEquals(6, info.macBytes().length);

        AfPacketPort port = openA(AfPacketConfig.defaults(lab.ifA));
        assertEquals(info, port.interfaceInfo());
        assertEquals(1400, port.capabilities().mtu());
        assertTrue(port.capabilities().canReceive() && port.capabilities().canTransmit());
        lab.down(lab.nsB, lab.ifB); // ifA loses its carrier: still up, no longer running (once linkwatch ran)
        assertTrue(Await.until(() -> !inA.call(() -> Interfaces.lookup(lab.ifA)).running(), LIMIT));
        assertTrue(inA.call(() -> Interfaces.lookup(lab.ifA)).up());
    }

    @Test
    void framesSentByTheKernelArriveByteExactInPbufs() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            AfPacketPort port = openA(AfPacketConfig.defaults(lab.ifA));
            // one pbuf holds 464 bytes: sizes around that boundary, a full frame, and two VLAN-tagged frames
            List<byte[]> sent = List.of(Frames.experimental(60, 0), Frames.experimental(64, 1),
                Frames.experimental(100, 2), Frames.experimental(463, 3), Frames.experimental(464, 4),
                Frames.experimental(465, 5), Frames.experimental(1000, 6), Frames.experimental(1514, 7),
                Frames.vlan(1518, 0x2005, 8), Frames.vlan(64, 0x0064, 9));
            KernelPeer.send(lab.nsB, lab.ifB, sent);

            List<byte[]> got = new ArrayList<>();
            List<Integer> tcis = new ArrayList<>();
            int n = drain(port, p, sent.size(), h -> {
                assertNull(p.check(h), () -> p.dump(h));
                assertEquals(port.interfaceInfo().index(), p.rcvif(h));
                assertTrue(p.timestamp(h) > 0, "kernel receive time");
                byte[] f = p.toArray(h);
                assertEquals(f.length, p.pktLen(h));
                got.add(f);
                tcis.add(p.vlanTci(h));
                p.freem(h);
            });
            assertEquals(sent.size(), n, () -> "received " + n + " of " + sent.size() + "; " + port.stats());
            assertSameFrames(sent, got);
            assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0, 0x2005, 0x0064), tcis);
            assertEquals(sent.size(), port.counters().rxPackets());
            assertEquals(sent.stream().mapToLong(f -> f.length).sum(), port.counters().rxBytes());
            port.refreshStatistics();
            assertEquals(sent.size(), port.stats().kernelPackets(), "PACKET_STATISTICS tp_packets");
            assertEquals(0, port.stats().kernelDrops());
            assertEquals(2, port.stats().rxVlanRestored());
            assertTrue(port.stats().rxBlocks() >= 1);
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    /**
     * Both transmit layouts: a transmit socket hands the kernel the whole frame behind a virtio_net_hdr
     * (PACKET_VNET_HDR, the linear path), on a transmit-only port and, by default, on a port that also receives
     * (through a second socket); a port that receives and transmits on one socket hands it the link header and a
     * page fragment.
     */
    @ParameterizedTest(name = "receive={0} separateTxSocket={1}")
    @CsvSource({"true, true", "true, false", "false, true"})
    void framesSentBySluiceArriveByteExactAtAKernelReceiver(boolean receive, boolean separateTxSocket) {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            AfPacketPort port = openA(AfPacketConfig.builder(lab.ifA).receive(receive)
                .separateTxSocket(separateTxSocket).build());
            byte[] chained = Frames.experimental(865, 5);
            List<byte[]> valid = List.of(Frames.experimental(60, 0), Frames.experimental(64, 1),
                Frames.experimental(465, 2), Frames.experimental(1514, 3), Frames.vlan(1518, 0x0007, 4), chained);
            try (KernelPeer.Receiver receiver = KernelPeer.receive(lab.nsB, lab.ifB, Frames.ETHERTYPE, valid.size(),
                LIMIT)) {
                // a chain of partly filled pbufs: 400 bytes, then 464 + 1 linked behind it
                int head = Frames.toPbufs(p, java.util.Arrays.copyOfRange(chained, 0, 400));
                p.cat(head, Frames.toPbufs(p, java.util.Arrays.copyOfRange(chained, 400, 865)));
                assertEquals(3, p.count(head));
                int[] burst = {Frames.toPbufs(p, valid.get(0)), Frames.toPbufs(p, valid.get(1)),
                    Frames.toPbufs(p, Frames.experimental(1515, 90)), // one byte over the MTU, untagged
                    Frames.toPbufs(p, valid.get(2)), Frames.toPbufs(p, valid.get(3)),
                    Frames.toPbufs(p, java.util.Arrays.copyOf(valid.get(0), 10)), // shorter than a header
                    Frames.toPbufs(p, valid.get(4)), head};
                assertEquals(burst.length, port.transmitBurst(p, burst, 0, burst.length), "the port takes them all");
                assertEquals(1, port.stats().txKicks(), "one sendto for the burst");

                assertSameFrames(valid, receiver.frames(LIMIT), "python: " + receiver.summary() + "; " + port.stats());
            }
            int[] none = new int[0];
            assertTrue(Await.until(() -> port.transmitBurst(p, none, 0, 0) == 0
                && port.counters().txPackets() == valid.size(), LIMIT), () -> "tx " + port.counters().txPackets());
            assertEquals(valid.stream().mapToLong(f -> f.length).sum(), port.counters().txBytes());
            assertEquals(2, port.counters().txDrops(Drop.DEVICE));
            assertEquals(2, port.stats().txOversize());
            assertEquals(0, port.txInFlight());
            assertEquals(1, port.stats().txKicks(), "nothing was left to kick");
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = FanoutMode.class, names = {"HASH", "LB"})
    void fanoutSpreadsFlowsOverTwoQueues(FanoutMode mode) {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            AfPacketConfig config = AfPacketConfig.builder(lab.ifA).transmit(false)
                .fanout(mode, (int) (VethLab.PID % 60_000) + 1).build();
            List<AfPacketPort> queues = inA.call(() -> AfPacketPort.openQueues(config, 2));
            ports.addAll(queues);
            assertEquals(List.of(lab.ifA + ".q0", lab.ifA + ".q1"), queues.stream().map(AfPacketPort::name).toList());
            int flows = 64;
            int frames = 256;
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
                sent.add(Frames.udp(60, i % flows, i));
            }
            KernelPeer.send(lab.nsB, lab.ifB, sent);

            Map<Integer, Set<Integer>> queuesOfFlow = new HashMap<>();
            int[] perQueue = new int[2];
            int[] burst = new int[64];
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (perQueue[0] + perQueue[1] < frames && System.nanoTime() - deadline < 0) {
                int got = 0;
                for (int q = 0; q < 2; q++) {
                    int n = queues.get(q).receiveBurst(p, burst, burst.length);
                    for (int i = 0; i < n; i++) {
                        byte[] f = p.toArray(burst[i]);
                        queuesOfFlow.computeIfAbsent(Frames.udpFlow(f), k -> new HashSet<>()).add(q);
                        p.freem(burst[i]);
                    }
                    perQueue[q] += n;
                    got += n;
                }
                if (got == 0) {
                    LockSupport.parkNanos(100_000);
                }
            }
            assertEquals(frames, perQueue[0] + perQueue[1], () -> "q0 " + perQueue[0] + " q1 " + perQueue[1]);
            assertTrue(perQueue[0] > 0 && perQueue[1] > 0, () -> "both queues get traffic: q0 " + perQueue[0]
                + " q1 " + perQueue[1]);
            assertEquals(flows, queuesOfFlow.size());
            if (mode == FanoutMode.HASH) {
                queuesOfFlow.forEach((flow, qs) -> assertEquals(1, qs.size(), "flow " + flow + " stays on one queue"));
            } else {
                assertEquals(frames / 2, perQueue[0], "round robin");
            }
            for (AfPacketPort q : queues) {
                q.close(p);
            }
            assertPoolFull(pool);
            p.close();
        }
    }

    @Test
    void survivesTheLinkGoingDownAndComingBackUp() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            AfPacketPort port = openA(AfPacketConfig.defaults(lab.ifA));
            assertTrue(port.linkUp());
            int[] burst = new int[64];

            lab.down(lab.nsA, lab.ifA);
            for (int i = 0; i < 8; i++) {
                burst[i] = Frames.toPbufs(p, Frames.experimental(100, i));
            }
            assertEquals(8, port.transmitBurst(p, burst, 0, 8), "a port whose link is down drops, like a NIC");
            assertEquals(Errno.ENETDOWN, port.stats().txLastErrno(), () -> Errno.name(port.stats().txLastErrno()));
            assertEquals(8, port.counters().txDrops(Drop.DEVICE));
            assertEquals(8, port.stats().txDiscarded());
            assertEquals(0, port.txInFlight());
            assertEquals(0, port.receiveBurst(p, burst, burst.length));
            port.refreshStatistics();
            assertFalse(port.linkUp());
            assertEquals(1, port.stats().linkDownSeen());
            assertEquals(Errno.ENETDOWN, port.stats().rxLastErrno(), "SO_ERROR after the link went down");
            assertTrue(port.stats().rxSocketErrors() >= 1);

            lab.up(lab.nsA, lab.ifA);
            lab.awaitRunning(lab.nsA, lab.ifA);
            assertTrue(Await.until(() -> {
                port.refreshStatistics();
                return port.linkUp();
            }, LIMIT));
            assertEquals(1, port.stats().linkUpSeen());
            assertTrafficFlowsBothWays(port, p, 100);
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    @Test
    void carrierLossIsRetriedThenDroppedAndTrafficResumes() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            AfPacketPort port = openA(AfPacketConfig.builder(lab.ifA).txRetries(3).build());
            int[] burst = new int[8];

            lab.down(lab.nsB, lab.ifB); // ifA stays up but loses its carrier
            for (int i = 0; i < burst.length; i++) {
                burst[i] = Frames.toPbufs(p, Frames.experimental(100, i));
            }
            assertEquals(8, port.transmitBurst(p, burst, 0, 8));
            assertEquals(Errno.ENOBUFS, port.stats().txLastErrno(), () -> Errno.name(port.stats().txLastErrno()));
            assertEquals(8, port.txInFlight(), "queued for a retry");
            int[] none = new int[0];
            for (int i = 0; i < 10 && port.txInFlight() > 0; i++) {
                port.transmitBurst(p, none, 0, 0);
            }
            assertEquals(0, port.txInFlight(), "dropped after afpacket.txRetries=3");
            assertEquals(3, port.stats().txRetried());
            assertEquals(8, port.stats().txDiscarded());
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
    private void assertTrafficFlowsBothWays(AfPacketPort port, Pbufs p, int seqBase) {
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
        assertSameFrames(in, got);
    }

    @Test
    void anEmptyPoolCountsRxNoPbufsAndStillReleasesTheRing() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            // a small ring: two 8 KiB blocks hold about 14 frames of 1000 bytes, so blocks that were not handed
            // back would make the kernel drop the later rounds
            AfPacketPort port = openA(AfPacketConfig.builder(lab.ifA).rxBlockSize(8192).rxBlockCount(2)
                .receiveGso(false).build());
            List<Integer> hoard = new ArrayList<>();
            for (int h = p.allocReceive(100); h != PbufHandle.NULL; h = p.allocReceive(100)) {
                hoard.add(h);
            }
            int[] burst = new int[64];
            int rounds = 3;
            int perRound = 10;
            for (int r = 1; r <= rounds; r++) {
                List<byte[]> lost = new ArrayList<>();
                for (int i = 0; i < perRound; i++) {
                    lost.add(Frames.experimental(1000, r * 100 + i));
                }
                KernelPeer.send(lab.nsB, lab.ifB, lost);
                long expected = (long) r * perRound;
                long before = port.counters().rxDrops(Drop.RX_NO_PBUFS);
                // On a loaded machine the kernel may still fill both tiny blocks before this thread runs and drop
                // a frame itself (counted as DEVICE); every frame is accounted for either way.
                assertTrue(Await.until(() -> {
                    assertEquals(0, port.receiveBurst(p, burst, burst.length));
                    port.refreshStatistics();
                    return port.counters().rxDrops(Drop.RX_NO_PBUFS) + port.counters().rxDrops(Drop.DEVICE) == expected;
                }, LIMIT), () -> "rx_no_pbufs " + port.counters().rxDrops(Drop.RX_NO_PBUFS) + " + device "
                    + port.counters().rxDrops(Drop.DEVICE) + " of " + expected + "; " + port.stats());
                assertTrue(port.counters().rxDrops(Drop.RX_NO_PBUFS) > before,
                    "round " + r + " reached the port: the blocks of the earlier rounds were handed back");
            }

            hoard.forEach(p::freem);
            List<byte[]> sent = List.of(Frames.experimental(300, 1), Frames.experimental(1514, 2));
            KernelPeer.send(lab.nsB, lab.ifB, sent);
            List<byte[]> got = new ArrayList<>();
            drain(port, p, sent.size(), h -> {
                got.add(p.toArray(h));
                p.freem(h);
            });
            assertSameFrames(sent, got);
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    @Test
    void aFrameTheKernelRefusesIsCountedAsWrongFormat() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            // No periodic refresh, so the port keeps believing in MTU 1500 until the kernel says otherwise. One
            // socket: the kernel checks a plain frame against the MTU; behind a virtio_net_hdr it takes the frame
            // and the device drops it instead (and the port learns the MTU at its next refresh). A socket that
            // receives segmentation-offload frames has the virtio_net_hdr too, so that is off here.
            AfPacketPort port = openA(AfPacketConfig.builder(lab.ifA).statsIntervalMillis(600_000)
                .separateTxSocket(false).receiveGso(false).build());
            byte[] small = Frames.experimental(100, 1);
            byte[] full = Frames.experimental(1514, 2);
            byte[] behind = Frames.experimental(200, 3);
            byte[] after = Frames.experimental(300, 4);
            lab.mtu(lab.nsA, lab.ifA, 1000);
            try (KernelPeer.Receiver receiver = KernelPeer.receive(lab.nsB, lab.ifB, Frames.ETHERTYPE, 2, LIMIT)) {
                int[] burst = {Frames.toPbufs(p, small), Frames.toPbufs(p, full), Frames.toPbufs(p, behind)};
                assertEquals(3, port.transmitBurst(p, burst, 0, 3));
                assertEquals(1, port.stats().txWrongFormat(), () -> port.stats().toString());
                assertEquals(Errno.EMSGSIZE, port.stats().txLastErrno(), () -> Errno.name(port.stats().txLastErrno()));
                assertEquals(2, port.stats().txDiscarded(), "the refused frame and the one queued behind it");
                assertEquals(2, port.counters().txDrops(Drop.DEVICE));
                assertEquals(1000, port.mtu(), "the port re-read the MTU");
                burst = new int[] {Frames.toPbufs(p, full), Frames.toPbufs(p, after)};
                assertEquals(2, port.transmitBurst(p, burst, 0, 2));
                assertEquals(1, port.stats().txOversize(), "now refused before it reaches the ring");
                assertSameFrames(List.of(small, after), receiver.frames(LIMIT), "python: " + receiver.summary());
            }
            int[] none = new int[0];
            assertTrue(Await.until(() -> port.transmitBurst(p, none, 0, 0) == 0 && port.counters().txPackets() == 2,
                LIMIT));
            assertEquals(1, port.stats().txWrongFormat());
            port.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }

    /**
     * The port in a pipeline: frames python sends into ifA come back out of ifA (a reflector, one fused
     * thread). PACKET_IGNORE_OUTGOING keeps the port from receiving its own frames, which would loop forever.
     */
    @Test
    void aPipelineReflectsFramesThroughThePort() {
        try (PbufPool pool = PbufPool.create(4096)) {
            AfPacketPort port = openA(AfPacketConfig.defaults(lab.ifA));
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
            assertPoolFull(pool);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Clear messages

    @Test
    void aMissingInterfaceIsNamedWithTheFix() {
        InterfaceException e = assertThrows(InterfaceException.class,
            () -> inA.call(() -> AfPacketPort.open(AfPacketConfig.defaults("nosuch9"))));
        assertEquals("interface nosuch9 does not exist in network namespace " + lab.nsA + " (ENODEV): create it or "
            + "pick another with `ip -n " + lab.nsA + " link`", e.getMessage());
        assertEquals(Errno.ENODEV, e.errno());
    }

    @Test
    void aDownInterfaceIsNamedWithTheFix() {
        lab.down(lab.nsA, lab.ifA);
        InterfaceException e = assertThrows(InterfaceException.class,
            () -> inA.call(() -> AfPacketPort.open(AfPacketConfig.defaults(lab.ifA))));
        assertEquals("interface " + lab.ifA + " in network namespace " + lab.nsA + " is down: bring it up with `ip -n "
            + lab.nsA + " link set dev " + lab.ifA + " up`", e.getMessage());
    }

    @Test
    void aTooSmallMtuIsNamedWithTheFix() {
        lab.mtu(lab.nsA, lab.ifA, 500);
        InterfaceException e = assertThrows(InterfaceException.class,
            () -> inA.call(() -> AfPacketPort.open(AfPacketConfig.defaults(lab.ifA))));
        assertEquals("interface " + lab.ifA + " has MTU 500, below the 576 this port needs (afpacket.minMtu=576): "
            + "raise it with `ip -n " + lab.nsA + " link set dev " + lab.ifA + " mtu 1500` or lower afpacket.minMtu",
            e.getMessage());
    }

    @Test
    void anMtuLargerThanTheTransmitSlotIsNamedWithTheFix() {
        lab.mtu(lab.nsA, lab.ifA, 9000);
        InterfaceException e = assertThrows(InterfaceException.class,
            () -> inA.call(() -> AfPacketPort.open(AfPacketConfig.defaults(lab.ifA))));
        assertTrue(e.getMessage().startsWith("interface " + lab.ifA + " has MTU 9000, but a transmit slot of "
            + "afpacket.txFrameSize=2048 holds frames of at most 2000 bytes: raise afpacket.txFrameSize to 9072"),
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
                () -> unprivileged.call(() -> AfPacketPort.open(AfPacketConfig.defaults(lab.ifA))));
            assertEquals("need CAP_NET_RAW to open an AF_PACKET socket on interface " + lab.ifA + " (EPERM): run as "
                + "root, or give the JVM the capability with `setcap cap_net_raw,cap_net_admin+ep "
                + "$JAVA_HOME/bin/java`", e.getMessage());
        }
    }

    @Test
    void aMissingNamespaceAndABadNameAreNamed() {
        NativeException e = assertThrows(NativeException.class, () -> NetNamespace.enter("sluice-no-such-ns"));
        assertEquals("network namespace sluice-no-such-ns does not exist (ENOENT): create it with `ip netns add "
            + "sluice-no-such-ns` or list them with `ip netns list`", e.getMessage());
        ConfigException c = assertThrows(ConfigException.class, () -> AfPacketConfig.defaults("eth0/x"));
        assertTrue(c.getMessage().startsWith("afpacket.interface=eth0/x is not valid"), c.getMessage());
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * Sluice to Sluice over the pair, one thread transmitting on ifA and receiving on ifB: after a warm-up,
     * 200,000 more frames move while the thread's allocation counter stays put (no per-packet garbage: errno
     * capture, ioctl buffers and ring walkers are all preallocated). Prints the rate, as information only.
     */
    @Test
    void theDataPathAllocatesNothingPerPacket() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PbufPool pool = PbufPool.create(8192); NetNamespace inB = NetNamespace.enter(lab.nsB)) {
            Pbufs p = pool.local();
            AfPacketPort tx = openA(AfPacketConfig.builder(lab.ifA).receive(false).build());
            AfPacketPort rx = inB.call(() -> AfPacketPort.open(AfPacketConfig.builder(lab.ifB).transmit(false).build()));
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
                System.out.printf("AF_PACKET veth, one thread tx+rx, 60-byte frames: %.0f frames/s (%d frames, "
                    + "%d bytes allocated)%n", frames * 1e9 / elapsed, frames, allocated);
            }
            assertTrue(clean, () -> "every window allocated: " + windows);
            tx.close(p);
            rx.close(p);
            assertPoolFull(pool);
            p.close();
        }
    }
}
