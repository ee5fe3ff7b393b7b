package io.sluice.bench.jmh;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
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
 * Single-thread costs of the pbuf pool through one thread's {@link Pbufs} toolkit, unchecked mode
 * ({@link PbufPoolCheckedBenchmark} runs the same methods with {@code -Dsluice.pbuf.checked=true}).
 *
 * <p>Every benchmark leaves the pool as it found it, so the thread cache stays warm and the shared free list
 * is touched only when a bulk operation crosses the cache's refill/flush thresholds. All of them must
 * allocate nothing on the Java heap: check with {@code -prof gc} (gc.alloc.rate.norm ~ 0 B/op).
 *
 * <p>The JVM flags of PLATFORM.md reach the fork because JMH copies the host JVM's options (the launcher
 * passes them) and {@code jvmArgsAppend} only adds to them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dsluice.pbuf.checked=false")
public class PbufPoolBenchmark {
    static final int BULK = 32;
    static final int FRAME = 1514;

    PbufPool pool;
    Pbufs pbufs;
    final int[] bulk = new int[BULK];
    /** The packet the prepend benchmark works on; allocated once per trial. */
    int packet;

    @Setup(Level.Trial)
    public void setUp() {
        // Setup of a Scope.Thread state runs on the benchmark thread itself, so pool.local() is the
        // measuring thread's toolkit (checked mode verifies that on every call).
        pool = PbufPool.create(new PoolConfig().slots(16 * 1024).jmx(false).name("jmh-" + getClass().getSimpleName()));
        pbufs = pool.local();
        packet = pbufs.alloc(Layer.TRANSPORT, 64);
        if (packet == PbufHandle.NULL || pbufs.headroom(packet) < 20) {
            throw new IllegalStateException("setup: no packet with 20 bytes of headroom");
        }
        int chain = pbufs.alloc(Layer.RAW, FRAME);
        if (pbufs.count(chain) != 4) {
            throw new IllegalStateException("a " + FRAME + "-byte frame should take 4 pbufs, took " + pbufs.count(chain));
        }
        pbufs.freem(chain);
        if (Pbufs.CHECKED != Boolean.getBoolean("sluice.pbuf.checked")) {
            throw new IllegalStateException("Pbufs.CHECKED does not follow -Dsluice.pbuf.checked");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        String broken = pbufs.check(packet);
        if (broken != null || pbufs.length(packet) != 64 || pbufs.pktLen(packet) != 64) {
            throw new IllegalStateException("prepend/adj left the packet broken: " + broken);
        }
        pbufs.freem(packet);
        TrialPool.closeChecked(pbufs, pool);
    }

    /** One op: one pbuf taken from the thread cache and freed back to it. */
    @Benchmark
    public int pbufGetFree() {
        int h = pbufs.get(PbufType.DATA);
        pbufs.free(h);
        return h;
    }

    /**
     * One invocation: a bulk get of 32 pbufs into an array and a bulk free of the 32; reported per pbuf
     * (@OperationsPerInvocation(32)). 32 of the cache's 256 slots, so a steady state needs no refill.
     */
    @Benchmark
    @OperationsPerInvocation(BULK)
    public int pbufBulkGetFree32() {
        if (!pbufs.get(PbufType.DATA, bulk, BULK)) {
            throw new IllegalStateException("pool empty");
        }
        pbufs.freem(bulk, BULK);
        return bulk[BULK - 1];
    }

    /**
     * One op: prepend of a 20-byte header into the headroom of a 64-byte packet allocated at
     * {@link Layer#TRANSPORT} (data offset back by 20, len and pkt.len up by 20: no new pbuf), then
     * {@code adj(20)} to strip it again (data offset forward, lengths down) so the next op starts from the
     * same state. So one op is prepend + adj, not prepend alone.
     */
    @Benchmark
    public int pbufPrepend20() {
        int h = pbufs.prepend(packet, 20);
        packet = pbufs.adj(h, 20);
        return packet;
    }

    /**
     * One invocation: six prepends of 20 bytes into the same packet's headroom (120 of its 138 bytes), then one
     * {@code adj(120)} to strip them; reported per prepend (@OperationsPerInvocation(6)), so one op is one
     * prepend plus a sixth of an adj: closer to the prepend alone than {@link #pbufPrepend20}.
     */
    @Benchmark
    @OperationsPerInvocation(6)
    public int pbufPrepend20x6() {
        Pbufs p = pbufs;
        int h = p.prepend(packet, 20);
        h = p.prepend(h, 20);
        h = p.prepend(h, 20);
        h = p.prepend(h, 20);
        h = p.prepend(h, 20);
        h = p.prepend(h, 20);
        packet = p.adj(h, 120);
        return packet;
    }

    /** One op: alloc of a 1514-byte frame (a chain of 4 pbufs, packet header on the first) and freem of it. */
    @Benchmark
    public int pbufAllocFreemChain1514() {
        int h = pbufs.alloc(Layer.RAW, FRAME);
        pbufs.freem(h);
        return h;
    }
}
