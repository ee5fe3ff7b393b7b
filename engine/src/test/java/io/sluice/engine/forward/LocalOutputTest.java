package io.sluice.engine.forward;

import static io.sluice.engine.forward.ForwarderLab.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.transport.TransportProtocol;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The plane's output for datagrams this host makes ({@link IpOutput}), through a probe transport. */
@ExtendWith(PbufLeakExtension.class)
class LocalOutputTest {
    /** RFC 3692's experimental protocol number: nobody else's. */
    private static final int PROTO = 253;
    private static final int FAR = Frames.ip(198, 19, 0, 7);

    /** A transport that runs the test's sends in its tick, on the stack's thread, with the plane's output. */
    static final class Probe implements TransportProtocol {
        final ConcurrentLinkedQueue<Runnable> work = new ConcurrentLinkedQueue<>();
        volatile IpOutput output;
        Pbufs p;

        @Override
        public int protocolNumber() {
            return PROTO;
        }

        @Override
        public void attach(IpOutput o) {
            output = o;
        }

        @Override
        public int deliver(Pbufs pbufs, int packet, int l3Offset, Emitter out) {
            pbufs.freem(packet);
            return TAKEN;
        }

        @Override
        public int tick(Pbufs pbufs, long nanoTime) {
            p = pbufs;
            int n = 0;
            for (Runnable r; (r = work.poll()) != null; n++) {
                r.run();
            }
            return n;
        }

        /** Runs {@code send} in the next tick and returns what it returned. */
        int inTick(ToIntFunction<Pbufs> send) throws Exception {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            work.add(() -> f.complete(send.applyAsInt(p)));
            return f.get(5, TimeUnit.SECONDS);
        }
    }

    static ForwarderLab lab(Probe probe) {
        return new ForwarderLab(1400, b -> {
        }, PacketHook.NONE, fb -> fb.transport(probe));
    }

    /** A 100-byte segment of patterned bytes at the transport layer. */
    static int segment(Pbufs p, int length) {
        int h = p.alloc(Layer.TRANSPORT, length);
        assertNotEquals(PbufHandle.NULL, h);
        p.copyback(h, 0, Frames.data(length, 5), 0, length);
        return h;
    }

    @Test
    void prependsTheIpv4HeaderRoutesAndResolves() throws Exception {
        Probe probe = new Probe();
        try (ForwarderLab lab = lab(probe)) {
            IpOutput out = probe.output;
            assertEquals(GEN_IP, out.sourceFor(HOST_GEN_IP));
            assertEquals(SINK_IP, out.sourceFor(FAR), "via the sink's route");
            assertEquals(1400, out.mtuFor(FAR));
            assertEquals(0, out.sourceFor(Frames.ip(203, 0, 113, 1)), "no route");
            assertTrue(out.isLocal(SINK_IP));
            assertFalse(out.isLocal(HOST_SINK_IP));

            assertEquals(IpOutput.SENT, probe.inTick(p -> out.send(p, segment(p, 100), GEN_IP, HOST_GEN_IP, PROTO,
                0x10, true)));
            lab.answerArp(lab.gen, GEN_MAC, GEN_IP, HOST_GEN_IP, HOST_GEN);
            byte[] expected = Frames.ipv4(HOST_GEN, GEN_MAC, GEN_IP, HOST_GEN_IP, 64, PROTO, 0x4000, 1,
                Frames.data(100, 5));
            expected[15] = 0x10;
            Frames.fixIpChecksum(expected);
            assertArrayEquals(expected, lab.receiveOne(lab.gen), "TTL 64, DF, TOS, id 1, checksum");
            assertEquals(1, lab.counter("ipOutRequests"));
        }
    }

    @Test
    void fragmentsUnlessDfAndCountsWhatItDrops() throws Exception {
        Probe probe = new Probe();
        try (ForwarderLab lab = lab(probe)) {
            IpOutput out = probe.output;
            assertEquals(IpOutput.DROPPED, probe.inTick(p -> out.send(p, segment(p, 1480), SINK_IP, FAR, PROTO, 0, true)));
            assertEquals(1, lab.counter("drop.IP_OUT_FRAG_NEEDED"));
            assertEquals(1, lab.counter("ipFragFails"));

            assertEquals(IpOutput.SENT, probe.inTick(p -> out.send(p, segment(p, 1480), SINK_IP, FAR, PROTO, 0, false)));
            lab.answerArp(lab.sink, SINK_MAC, SINK_IP, HOST_SINK_IP, HOST_SINK);
            var frags = lab.receive(lab.sink, 2, 5000);
            assertEquals(2, frags.size(), "1500 bytes for a 1400-byte MTU");
            assertEquals(0x2000, Frames.u16(frags.get(0), 20));
            assertEquals(1376 / 8, Frames.u16(frags.get(1), 20));

            assertEquals(IpOutput.DROPPED, probe.inTick(p -> out.send(p, segment(p, 10), SINK_IP,
                Frames.ip(203, 0, 113, 1), PROTO, 0, false)));
            assertEquals(1, lab.counter("ipOutNoRoutes"));
            assertEquals(IpOutput.DROPPED, probe.inTick(p -> out.send(p, segment(p, 10), GEN_IP, SINK_IP, PROTO, 0,
                false)));
            assertEquals(1, lab.counter("drop.IP_OUT_TO_SELF"));
            assertEquals(IpOutput.DROPPED, probe.inTick(p -> out.send(p, segment(p, 65_516), GEN_IP, HOST_GEN_IP,
                PROTO, 0, false)));
            assertEquals(1, lab.counter("drop.IP_OUT_TOO_LONG"));
            assertEquals(5, lab.counter("ipOutRequests"));
        }
    }

    @Test
    void outsideTheStagesWorkThereIsNoRoomAndTheSegmentStaysTheCallers() throws Exception {
        Probe probe = new Probe();
        try (ForwarderLab lab = lab(probe)) {
            IpOutput out = probe.output;
            CompletableFuture<String> r = new CompletableFuture<>();
            lab.forwarder.pipeline().execute("ip", p -> {
                int h = segment(p, 50);
                int sent = out.send(p, h, GEN_IP, HOST_GEN_IP, PROTO, 0, false);
                r.complete(sent + " " + p.pktLen(h)); // still a valid, unchanged chain
                p.freem(h);
            });
            assertEquals(IpOutput.NO_ROOM + " 50", r.get(5, TimeUnit.SECONDS));
            lab.assertSilent(lab.gen);
            assertEquals(0, lab.counter("ipOutRequests"));
        }
    }
}
