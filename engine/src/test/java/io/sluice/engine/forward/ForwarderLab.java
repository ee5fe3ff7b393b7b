package io.sluice.engine.forward;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ForwarderConfig;
import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.LoopbackPair;
import io.sluice.engine.phy.NicPort;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A forwarder on two in-memory wires, for tests: port "gen" (10.10.1.1/24) and port "sink" (10.10.2.1/24), with a
 * route 198.19.0.0/16 via 10.10.2.2. The test stands at the far end of each wire: it sends frames in and reads
 * what the forwarder sends out, as byte arrays.
 */
final class ForwarderLab implements AutoCloseable {
    static final long GEN_MAC = 0x02_00_00_00_01_01L;
    static final long SINK_MAC = 0x02_00_00_00_02_01L;
    static final long HOST_GEN = 0x02_00_00_00_01_02L;
    static final long HOST_SINK = 0x02_00_00_00_02_02L;
    static final int GEN_IP = Frames.ip(10, 10, 1, 1);
    static final int SINK_IP = Frames.ip(10, 10, 2, 1);
    static final int HOST_GEN_IP = Frames.ip(10, 10, 1, 2);
    static final int HOST_SINK_IP = Frames.ip(10, 10, 2, 2);

    final Forwarder forwarder;
    final NicPort gen;
    final NicPort sink;
    private final Pbufs p;

    ForwarderLab(int sinkMtu, Consumer<ForwarderConfig.Builder> more) {
        this(sinkMtu, more, PacketHook.NONE);
    }

    ForwarderLab(int sinkMtu, Consumer<ForwarderConfig.Builder> more, PacketHook hook) {
        this(sinkMtu, more, hook, b -> {
        });
    }

    /** @param wiring more for the forwarder's builder before it starts (transports) */
    ForwarderLab(int sinkMtu, Consumer<ForwarderConfig.Builder> more, PacketHook hook,
                 Consumer<Forwarder.Builder> wiring) {
        LoopbackPair g = LoopbackPair.create("gen", 1024, 64);
        LoopbackPair s = LoopbackPair.create("sink", 1024, 64);
        ForwarderConfig.Builder b = ForwarderConfig.builder().name("lab").jmx(false)
            .pool(new PoolConfig().slots(4096))
            .pipeline(new PipelineConfig().layout("fused").idle("yield").ringSize(1024))
            .port("gen", pb -> pb.interfaceName("gen0").address("10.10.1.1/24"))
            .port("sink", pb -> pb.interfaceName("sink0").address("10.10.2.1/24").mtu(sinkMtu))
            .route("198.19.0.0/16", "10.10.2.2", null);
        more.accept(b);
        Forwarder.Builder fb = Forwarder.builder(b.build())
            .port("gen", g.b(), GEN_MAC, 1500)
            .port("sink", s.b(), SINK_MAC, sinkMtu)
            .hook(hook);
        wiring.accept(fb);
        this.forwarder = fb.start();
        this.gen = g.a();
        this.sink = s.a();
        this.p = forwarder.pool().local();
    }

    ForwarderLab() {
        this(1500, b -> {
        });
    }

    /** Sends {@code frame} into the forwarder from the far end of {@code wire}. */
    void send(NicPort wire, byte[] frame) {
        send(wire, frame, 0);
    }

    /** As {@link #send(NicPort, byte[])}, with the packet flags a receive port would have set. */
    void send(NicPort wire, byte[] frame, int pktFlags) {
        int h = p.alloc(io.sluice.engine.pbuf.Layer.RAW, frame.length);
        assertNotEquals(PbufHandle.NULL, h);
        p.copyback(h, 0, frame, 0, frame.length);
        p.setPktFlags(h, pktFlags);
        assertEquals(1, wire.transmitBurst(p, new int[] {h}, 0, 1));
    }

    /** Frames the forwarder sent out of {@code wire} within {@code millis}: at least {@code min} of them. */
    List<byte[]> receive(NicPort wire, int min, long millis) {
        List<byte[]> frames = new ArrayList<>();
        int[] burst = new int[64];
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            int n = wire.receiveBurst(p, burst, burst.length);
            for (int k = 0; k < n; k++) {
                frames.add(p.toArray(burst[k]));
                p.freem(burst[k]);
            }
            if (n == 0) {
                if (frames.size() >= min) {
                    // Wait a moment more for stragglers only when asked for more than we have.
                    break;
                }
                Thread.onSpinWait();
            }
        }
        return frames;
    }

    byte[] receiveOne(NicPort wire) {
        List<byte[]> f = receive(wire, 1, 5000);
        assertEquals(1, f.size(), () -> f.size() + " frames");
        return f.getFirst();
    }

    /** Nothing comes out of {@code wire} for a while. */
    void assertSilent(NicPort wire) {
        List<byte[]> f = receive(wire, Integer.MAX_VALUE, 200);
        assertEquals(0, f.size(), "unexpected frames");
    }

    /** Answers the forwarder's ARP request that must come out of {@code wire} for {@code ip} from {@code hostMac}. */
    void answerArp(NicPort wire, long portMac, int portIp, int ip, long hostMac) {
        byte[] req = receiveOne(wire);
        assertArrayEquals(Frames.arp(-1L & 0xFFFF_FFFF_FFFFL, portMac, 1, portMac, portIp, 0, ip), req,
            "the forwarder's ARP request, byte for byte");
        send(wire, Frames.arp(portMac, hostMac, 2, hostMac, ip, portMac, portIp));
    }

    long counter(String name) {
        return forwarder.counters().nonZero().getOrDefault(name, 0L);
    }

    /**
     * Stops the pipeline first, then frees what it sent that the test did not read (an ARP retry during the
     * shutdown, for example: the far ends of the wires are the test's to empty), then closes the forwarder.
     */
    @Override
    public void close() {
        forwarder.pipeline().close();
        // The shutdown may have closed this thread's toolkit (it frees what the rings held through one): ask again.
        Pbufs q = forwarder.pool().local();
        int[] burst = new int[64];
        for (NicPort wire : new NicPort[] {gen, sink}) {
            for (int n; (n = wire.receiveBurst(q, burst, burst.length)) > 0; ) {
                q.freem(burst, n);
            }
        }
        q.close();
        p.close();
        forwarder.close();
    }
}
