package io.sluice.bench.jmh;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.LoopbackIpOutput;
import io.sluice.engine.transport.tcp.TcpConfig;
import io.sluice.engine.transport.tcp.TcpConnection;
import io.sluice.engine.transport.tcp.TcpHandler;
import io.sluice.engine.transport.tcp.TcpStack;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TCP's input and output paths together, on one core: two {@link TcpStack}s joined by an in-memory wire (each
 * direction a ring of IPv4 datagram handles, the IP header prepended into the segment's headroom as the plane
 * does), one connection moving data from a sender that hands the stack 64 KiB chains to a receiver that frees
 * what it gets and gives the window back. Everything TCP does per segment is in it: segmentation by prepending
 * headers, checksums over the chains (computed on output, verified on input), sequence and window tracking, ACKs
 * and their processing, congestion control, timers ticking every 100 virtual microseconds. Not in it: the plane,
 * the ports, a second core.
 *
 * <p>One invocation moves 64 KiB from the sender's application to the receiver's and counts as 64 ops: ops/s is
 * KiB/s, the goodput the stacks alone allow (x 8.192 for kbit/s). Must allocate nothing: {@code -prof gc} about
 * 0 B/op (JMH's own bookkeeping, a few KB an iteration, is what shows).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TcpBulkBenchmark {
    static final int A = 0x0A000001;
    static final int B = 0x0A000002;
    static final int CHUNK = 64 * 1024;

    PbufPool pool;
    Pbufs p;
    Arena arena;
    LoopbackIpOutput ab;
    LoopbackIpOutput ba;
    TcpStack a;
    TcpStack b;
    Emitter emitter;
    Sender sender;
    Receiver receiver;
    long now = 1_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() {
        pool = PbufPool.create(new PoolConfig().slots(1 << 15).name("jmh-tcp").jmx(false));
        p = pool.local();
        arena = Arena.ofConfined();
        ab = new LoopbackIpOutput(A, B, 1500, 1 << 16);
        ba = new LoopbackIpOutput(B, A, 1500, 1 << 16);
        a = new TcpStack(new TcpConfig().seed(1));
        b = new TcpStack(new TcpConfig().seed(2));
        a.attach(ab);
        b.attach(ba);
        emitter = new Emitter(64);
        receiver = new Receiver();
        b.listen(0, 9, c -> receiver);
        sender = new Sender(p, arena.allocate(CHUNK));
        a.tick(p, now);
        b.tick(p, now);
        if (a.connect(p, B, 9, sender) == null) {
            throw new IllegalStateException("setup: connect refused");
        }
        for (int i = 0; i < 1000; i++) {
            round();
        }
        if (receiver.bytes == 0) {
            throw new IllegalStateException("setup: no data moved");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.release(p);
        b.release(p);
        ab.free(p);
        ba.free(p);
        sender.release();
        p.close();
        pool.close();
        arena.close();
    }

    /** Runs the two stacks until another 64 KiB reached the receiving application. */
    @Benchmark
    @OperationsPerInvocation(64)
    public long moveSixtyFourKib() {
        long target = receiver.bytes + CHUNK;
        int rounds = 0;
        while (receiver.bytes < target) {
            round();
            if (++rounds > 100_000) {
                throw new IllegalStateException("the connection stalled: " + a.connections() + " connections");
            }
        }
        return receiver.bytes;
    }

    private void round() {
        now += 100_000;
        a.tick(p, now);
        b.tick(p, now);
        ab.deliverTo(b, p, emitter);
        ba.deliverTo(a, p, emitter);
    }

    /** Hands the stack 64 KiB chains, copied from an off-heap buffer, whenever it has room. */
    static final class Sender implements TcpHandler {
        final Pbufs p;
        final MemorySegment data;
        int pending = PbufHandle.NULL;

        Sender(Pbufs p, MemorySegment data) {
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

        private void pump(TcpConnection c) {
            while (true) {
                if (pending == PbufHandle.NULL) {
                    pending = p.alloc(Layer.RAW, CHUNK);
                    if (pending == PbufHandle.NULL) {
                        return;
                    }
                    p.copyback(pending, 0, data, 0, CHUNK);
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

        void release() {
            if (pending != PbufHandle.NULL) {
                p.freem(pending);
                pending = PbufHandle.NULL;
            }
        }
    }

    /** Frees what arrives and opens the window again at once. */
    static final class Receiver implements TcpHandler {
        long bytes;

        @Override
        public void onData(TcpConnection c, Pbufs p, int chain) {
            int n = p.length(chain);
            bytes += n;
            p.freem(chain);
            c.consumed(n);
        }
    }
}
