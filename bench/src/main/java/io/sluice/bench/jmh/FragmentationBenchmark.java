package io.sluice.bench.jmh;

import io.sluice.config.PoolConfig;
import io.sluice.engine.inet.Fragmenter;
import io.sluice.engine.inet.InetCounters;
import io.sluice.engine.inet.Reassembler;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Ipv4Header;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IPv4 fragmentation and reassembly of a 1500-byte datagram (a 1514-byte frame) at MTU 576: three fragments
 * of 552, 552 and 376 payload bytes. Unchecked mode. Every op starts from a {@link Pbufs#dup} of the same
 * received frame, which {@link #dupFreeBaseline} measures alone; all must allocate nothing on the Java heap
 * ({@code -prof gc}: gc.alloc.rate.norm ~ 0 B/op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dsluice.pbuf.checked=false")
public class FragmentationBenchmark {
    static final int ETH = 14;
    static final int MTU = 576;
    static final int PAYLOAD = 1480;

    PbufPool pool;
    Pbufs p;
    InetCounters counters;
    Fragmenter fragmenter;
    Reassembler reassembler;
    int original;
    final int[] out = new int[8];

    @Setup(Level.Trial)
    public void setUp() {
        pool = PbufPool.create(new PoolConfig().slots(4096).jmx(false).name("jmh-frag"));
        p = pool.local();
        counters = new InetCounters();
        fragmenter = new Fragmenter(counters);
        reassembler = new Reassembler(64, 64, 1024, TimeUnit.SECONDS.toNanos(1), counters);
        original = p.allocReceive(ETH + 20 + PAYLOAD);
        MemorySegment seg = p.segment();
        long at = p.address(original);
        for (int k = 0; k < p.len(original); k++) {
            seg.set(ValueLayout.JAVA_BYTE, at + k, (byte) (k * 7));
        }
        seg.set(ValueLayout.JAVA_BYTE, at + 12, (byte) 0x08);
        seg.set(ValueLayout.JAVA_BYTE, at + 13, (byte) 0x00);
        Ipv4Header.write(seg, at + ETH, 0, 20 + PAYLOAD, 0x1234, 0, 64, Ipv4Header.PROTOCOL_UDP, 0x0A000001,
            0x0A000002);
        if (fragmentAndReassemble() != ETH + 20 + PAYLOAD) {
            throw new IllegalStateException("setup: the round trip did not give the frame back");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        p.freem(original);
        reassembler.freeAll(p);
        TrialPool.closeChecked(p, pool);
    }

    /** One op: dup of the 1514-byte frame (4 pbufs) and freem: the part of the others that is not theirs. */
    @Benchmark
    public int dupFreeBaseline() {
        int h = p.dup(original);
        p.freem(h);
        return h;
    }

    /** One op: dup, fragment into 3 (the copy is freed), freem of the 3 fragments. */
    @Benchmark
    public int fragment() {
        int n = fragmenter.fragment(p, p.dup(original), ETH, MTU, out, 0, out.length);
        p.freem(out, n);
        return n;
    }

    /** One op: dup, fragment into 3, reassemble them in order, freem of the datagram. */
    @Benchmark
    public int fragmentAndReassemble() {
        int n = fragmenter.fragment(p, p.dup(original), ETH, MTU, out, 0, out.length);
        int whole = PbufHandle.NULL;
        for (int k = 0; k < n; k++) {
            whole = reassembler.add(p, out[k], ETH, 0);
        }
        int len = p.pktLen(whole);
        p.freem(whole);
        return len;
    }

    /** One op: as {@link #fragmentAndReassemble}, the fragments added last first (each insert walks the list). */
    @Benchmark
    public int fragmentAndReassembleReversed() {
        int n = fragmenter.fragment(p, p.dup(original), ETH, MTU, out, 0, out.length);
        int whole = PbufHandle.NULL;
        for (int k = n - 1; k >= 0; k--) {
            whole = reassembler.add(p, out[k], ETH, 0);
        }
        int len = p.pktLen(whole);
        p.freem(whole);
        return len;
    }
}
