package io.sluice.engine.transport.tcp;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.wire.Ipv4Header;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bulk transfer in steady state allocates nothing: two stacks joined by a FIFO of handles (no event objects), a
 * source that sends from an off-heap buffer, a sink that frees and consumes. After a warm-up, thousands of
 * segments leave this thread's allocation counter where it was.
 */
@ExtendWith(PbufLeakExtension.class)
class TcpAllocationTest {
    private static final long SLACK_BYTES = 64 * 1024;

    /** One direction of the wire: a ring of datagram handles. */
    static final class Fifo implements IpOutput {
        final int addr;
        final int peerAddr;
        final int[] ring = new int[1 << 16];
        int head;
        int tail;

        Fifo(int addr, int peerAddr) {
            this.addr = addr;
            this.peerAddr = peerAddr;
        }

        @Override
        public int send(Pbufs p, int segment, int src, int dst, int protocol, int tos, boolean df) {
            if (tail - head == ring.length) {
                return NO_ROOM;
            }
            int h = p.prepend(segment, Ipv4Header.MIN_HEADER_LENGTH);
            if (h == PbufHandle.NULL) {
                return DROPPED;
            }
            Ipv4Header.write(p.segment(), p.address(h), tos, p.length(h), 0, Ipv4Header.FLAG_DF, 64, protocol, src,
                dst);
            ring[tail++ & (ring.length - 1)] = h;
            return SENT;
        }

        @Override
        public int sourceFor(int dst) {
            return dst == peerAddr ? addr : 0;
        }

        @Override
        public int mtuFor(int dst) {
            return 1500;
        }

        @Override
        public boolean isLocal(int address) {
            return address == addr;
        }

        void deliverTo(TcpStack to, Pbufs p, Emitter e) {
            while (head != tail) {
                to.deliver(p, ring[head++ & (ring.length - 1)], 0, e);
            }
        }

        void free(Pbufs p) {
            while (head != tail) {
                p.freem(ring[head++ & (ring.length - 1)]);
            }
        }
    }

    /** Sends 64 KiB chunks from an off-heap buffer for ever. */
    static final class Source implements TcpHandler {
        final Pbufs p;
        final MemorySegment data;
        int pending = PbufHandle.NULL;

        Source(Pbufs p, MemorySegment data) {
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
            p.freem(chain);
        }

        @Override
        public void onClosed(TcpConnection c, int reason) {
            p.freem(pending);
            pending = PbufHandle.NULL;
        }
    }

    /** Frees what it gets and gives the window back. */
    static final class Sink implements TcpHandler {
        long bytes;

        @Override
        public void onData(TcpConnection c, Pbufs p, int chain) {
            int n = p.length(chain);
            bytes += n;
            p.freem(chain);
            c.consumed(n);
        }
    }

    @Test
    void aBulkTransferInSteadyStateAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PbufPool pool = PbufPool.create(1 << 15); Arena arena = Arena.ofConfined()) {
            Pbufs p = pool.local();
            Fifo ab = new Fifo(TcpSim.A, TcpSim.B);
            Fifo ba = new Fifo(TcpSim.B, TcpSim.A);
            // 64 KiB windows: each round of 100 us moves one window, enough segments to warm up and to measure
            // without taking minutes in checked mode.
            TcpStack a = new TcpStack(TcpSim.config().sendBuffer(64 * 1024).receiveBuffer(64 * 1024).seed(1));
            TcpStack b = new TcpStack(TcpSim.config().sendBuffer(64 * 1024).receiveBuffer(64 * 1024).seed(2));
            a.attach(ab);
            b.attach(ba);
            Emitter e = new Emitter(64);
            Sink sink = new Sink();
            b.listen(0, 9, c -> sink);
            MemorySegment data = arena.allocate(64 * 1024);
            Source source = new Source(p, data);
            long[] now = {1_000_000_000L};
            a.tick(p, now[0]);
            b.tick(p, now[0]);
            assertNotNull(a.connect(p, TcpSim.B, 9, source));
            for (int i = 0; i < 15_000; i++) {
                round(p, a, b, ab, ba, e, now);
            }
            long tid = Thread.currentThread().threadId();
            long bytesBefore = sink.bytes;
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 5_000; i++) {
                round(p, a, b, ab, ba, e, now);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            long moved = sink.bytes - bytesBefore;
            assertTrue(moved > 100L << 20, "moved " + moved);
            a.release(p);
            b.release(p);
            ab.free(p);
            ba.free(p);
            p.close();
            assertTrue(allocated < SLACK_BYTES, allocated + " bytes allocated while moving " + moved + " bytes");
        }
    }

    private static void round(Pbufs p, TcpStack a, TcpStack b, Fifo ab, Fifo ba, Emitter e, long[] now) {
        now[0] += 100_000;
        a.tick(p, now[0]);
        b.tick(p, now[0]);
        ab.deliverTo(b, p, e);
        ba.deliverTo(a, p, e);
    }
}
