package io.sluice.engine.forward;

import static io.sluice.engine.forward.ForwarderLab.*;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.engine.inet.PacketHook;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.services.TcpEcho;
import io.sluice.engine.socket.CommandQueue;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.transport.tcp.TcpConfig;
import io.sluice.engine.transport.tcp.TcpConnection;
import io.sluice.engine.transport.tcp.TcpHandler;
import io.sluice.engine.transport.tcp.TcpStack;
import io.sluice.engine.transport.tcp.TcpTransport;
import io.sluice.engine.wire.EthernetFrame;
import io.sluice.engine.wire.Ipv4Header;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TCP echo through the whole stack (Ethernet, IPv4 input, TCP input, {@link TcpTransport}'s socket, the
 * {@link TcpEcho} service, TCP output, IP output, transmit) allocates nothing per segment: a client TCP stack on
 * the test's thread streams through the generator's wire, and after a warm-up the stack thread's allocation
 * counter stays put while tens of megabytes are echoed.
 */
@ExtendWith(PbufLeakExtension.class)
class TcpEchoAllocationTest {
    private static final long SLACK_BYTES = 64 * 1024;
    private static final long WARM_UP = 150L << 20;
    private static final long MEASURED = 50L << 20;

    /** The client's IP output: Ethernet and IPv4 prepended, then out through the generator's end of the wire. */
    static final class Wire implements IpOutput {
        final ForwarderLab lab;
        final int[] one = new int[1];

        Wire(ForwarderLab lab) {
            this.lab = lab;
        }

        @Override
        public int send(Pbufs p, int segment, int src, int dst, int protocol, int tos, boolean df) {
            int h = p.prepend(segment, Ipv4Header.MIN_HEADER_LENGTH + EthernetFrame.HEADER_LENGTH);
            if (h == PbufHandle.NULL) {
                return DROPPED;
            }
            long a = p.address(h);
            EthernetFrame.write(p.segment(), a, GEN_MAC, HOST_GEN, EthernetFrame.ETHERTYPE_IPV4);
            Ipv4Header.write(p.segment(), a + EthernetFrame.HEADER_LENGTH, tos, p.length(h) - EthernetFrame.HEADER_LENGTH,
                0, Ipv4Header.FLAG_DF, 64, protocol, src, dst);
            one[0] = h;
            if (lab.gen.transmitBurst(p, one, 0, 1) == 1) {
                return SENT;
            }
            p.adj(h, Ipv4Header.MIN_HEADER_LENGTH + EthernetFrame.HEADER_LENGTH);
            return NO_ROOM;
        }

        @Override
        public int sourceFor(int dst) {
            return dst == GEN_IP ? HOST_GEN_IP : 0;
        }

        @Override
        public int mtuFor(int dst) {
            return dst == GEN_IP ? 1500 : 0;
        }

        @Override
        public boolean isLocal(int address) {
            return address == HOST_GEN_IP;
        }
    }

    /** Streams 64 KiB chunks from off-heap memory for ever and consumes the echo. */
    static final class Client implements TcpHandler {
        final Pbufs p;
        final MemorySegment data;
        int pending = PbufHandle.NULL;
        long echoed;
        boolean closed;

        Client(Pbufs p, MemorySegment data) {
            this.p = p;
            this.data = data;
        }

        @Override
        public void onConnected(TcpConnection c) {
            pump(c);
        }

        @Override
        public void onSendSpace(TcpConnection c, int space) {
            pump(c);
        }

        void pump(TcpConnection c) {
            while (true) {
                if (pending == PbufHandle.NULL) {
                    pending = p.alloc(Layer.RAW, (int) data.byteSize());
                    if (pending == PbufHandle.NULL) {
                        return;
                    }
                    p.copyback(pending, 0, data, 0, (int) data.byteSize());
                }
                pending = c.send(p, pending);
                if (pending != PbufHandle.NULL) {
                    return;
                }
            }
        }

        @Override
        public void onData(TcpConnection c, Pbufs p, int chain) {
            int n = p.length(chain);
            echoed += n;
            p.freem(chain);
            c.consumed(n);
        }

        @Override
        public void onClosed(TcpConnection c, int reason) {
            closed = true;
            p.freem(pending);
            pending = PbufHandle.NULL;
        }
    }

    @Test
    void echoAllocatesNothingPerSegment() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        TcpConfig small = new TcpConfig().sendBuffer(64 * 1024).receiveBuffer(64 * 1024).maxConnections(16);
        TcpTransport tcp = new TcpTransport(small, new CommandQueue(64));
        TcpEcho echo = new TcpEcho();
        tcp.listen(0, TcpEcho.PORT, 8, echo);
        try (ForwarderLab lab = new ForwarderLab(1500, b -> b.neighbour("10.10.1.2", "02:00:00:00:01:02", "gen"),
                PacketHook.NONE, fb -> fb.transport(tcp));
             Arena arena = Arena.ofConfined()) {
            Pbufs p = lab.forwarder.pool().local();
            TcpStack client = new TcpStack(new TcpConfig().sendBuffer(64 * 1024).receiveBuffer(64 * 1024)
                .maxConnections(16));
            client.attach(new Wire(lab));
            Client app = new Client(p, arena.allocate(64 * 1024));
            Emitter emitter = new Emitter(64);
            int[] burst = new int[64];
            client.tick(p, System.nanoTime());
            TcpConnection c = client.connect(p, GEN_IP, TcpEcho.PORT, app);
            assertNotNull(c);
            long tid = lab.forwarder.pipeline().threads().getFirst().threadId();
            long deadline = System.nanoTime() + 60_000_000_000L;
            long before = -1;
            long echoedBefore = 0;
            long lastTick = 0;
            try {
                while (app.echoed < WARM_UP + MEASURED) {
                    assertTrue(System.nanoTime() - deadline < 0, () -> "timed out: " + app.echoed + " bytes echoed");
                    assertFalse(app.closed, "the connection closed");
                    if (before < 0 && app.echoed >= WARM_UP) {
                        before = threads.getThreadAllocatedBytes(tid);
                        echoedBefore = echo.bytes();
                    }
                    int n = lab.gen.receiveBurst(p, burst, burst.length);
                    for (int k = 0; k < n; k++) {
                        client.deliver(p, burst[k], EthernetFrame.HEADER_LENGTH, emitter);
                    }
                    long now = System.nanoTime();
                    if (n == 0 || now - lastTick > 100_000) {
                        client.tick(p, now);
                        lastTick = now;
                    }
                    if (n == 0) {
                        Thread.onSpinWait();
                    }
                }
                long allocated = threads.getThreadAllocatedBytes(tid) - before;
                long echoed = echo.bytes() - echoedBefore;
                assertTrue(echoed >= MEASURED / 2, "echoed " + echoed);
                assertTrue(allocated < SLACK_BYTES, () -> allocated + " bytes allocated on the stack's thread while "
                    + echoed + " bytes were echoed");
                System.out.printf("TCP echo through the stack: %,d bytes allocated on its thread while %,d bytes were"
                    + " echoed%n", allocated, echoed);
                c.abort();
            } finally {
                client.release(p);
            }
        }
    }
}
