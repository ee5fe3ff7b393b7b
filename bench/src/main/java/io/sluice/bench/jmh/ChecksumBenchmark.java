package io.sluice.bench.jmh;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Checksum;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
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
 * Costs of the Internet checksum ({@link Checksum}) on pbuf data, unchecked mode: a 20-byte IPv4 header, a
 * 1500-byte packet held in a chain of 4 pbufs and the same bytes contiguous, the header check of the receive
 * path, and the forwarding TTL decrement with its RFC 1624 incremental update. All must allocate nothing:
 * check with {@code -prof gc} (gc.alloc.rate.norm ~ 0 B/op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dsluice.pbuf.checked=false")
public class ChecksumBenchmark {
    static final int PACKET = 1500;

    PbufPool pool;
    Pbufs pbufs;
    MemorySegment arena;
    /** A 1500-byte IPv4 packet in 4 pbufs (464 + 464 + 464 + 108), random payload. */
    int chain;
    /** Offset in {@link #arena} of the packet's IPv4 header (the chain's first byte). */
    long header;
    /** The same 1500 bytes in one off-heap segment. */
    MemorySegment contiguous;
    Arena offHeap;

    @Setup(Level.Trial)
    public void setUp() {
        pool = PbufPool.create(new PoolConfig().slots(1024).jmx(false).name("jmh-" + getClass().getSimpleName()));
        pbufs = pool.local();
        arena = pbufs.segment();
        chain = pbufs.alloc(Layer.RAW, PACKET);
        if (chain == PbufHandle.NULL || pbufs.count(chain) != 4) {
            throw new IllegalStateException("setup: a " + PACKET + "-byte packet should take 4 pbufs");
        }
        byte[] bytes = new byte[PACKET];
        new Random(1071).nextBytes(bytes);
        pbufs.copyback(chain, 0, bytes, 0, PACKET);
        header = pbufs.address(chain);
        Ipv4Header.write(arena, header, 0, PACKET, 1, Ipv4Header.FLAG_DF, 255, Ipv4Header.PROTOCOL_UDP,
            0x0A000001, 0x0A000002);
        offHeap = Arena.ofShared();
        contiguous = offHeap.allocate(PACKET).copyFrom(MemorySegment.ofArray(pbufs.toArray(chain)));
        if (Checksum.sum(pbufs, chain, 0, PACKET) != Checksum.sum(contiguous, 0, PACKET)) {
            throw new IllegalStateException("chain and contiguous sums differ");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (Ipv4Header.check(arena, header, PACKET) != WireError.OK) {
            throw new IllegalStateException("the TTL benchmark left a header that does not verify");
        }
        pbufs.freem(chain);
        offHeap.close();
        TrialPool.closeChecked(pbufs, pool);
    }

    /** One op: the checksum of a 20-byte IPv4 header in the arena. */
    @Benchmark
    public int checksumHeader20() {
        return Checksum.of(arena, header, Ipv4Header.MIN_HEADER_LENGTH);
    }

    /** One op: {@code Ipv4Header.check} of that header (lengths, version, IHL and the checksum). */
    @Benchmark
    public WireError ipv4Check() {
        return Ipv4Header.check(arena, header, PACKET);
    }

    /** One op: the sum of the 1500-byte packet across its 4 pbufs (one 8-byte-at-a-time pass per pbuf). */
    @Benchmark
    public int checksumChain1500() {
        return Checksum.sum(pbufs, chain, 0, PACKET);
    }

    /** One op: the sum of the same 1500 bytes held contiguously, for comparison with {@link #checksumChain1500}. */
    @Benchmark
    public int checksumContiguous1500() {
        return Checksum.sum(contiguous, 0, PACKET);
    }

    /** Decrements left before {@link #ttlDecrement} puts the TTL back to 255. */
    int decrementsLeft = 254;

    /**
     * One op: the forwarding TTL decrement with the incremental checksum update (RFC 1624), in place. Every 254th
     * op also puts the TTL back to 255 and recomputes the checksum, so the header never reaches TTL 0.
     */
    @Benchmark
    public void ttlDecrement() {
        Ipv4Header.decrementTtl(arena, header);
        if (--decrementsLeft == 0) {
            Ipv4Header.setTtl(arena, header, 255);
            Ipv4Header.fillChecksum(arena, header);
            decrementsLeft = 254;
        }
    }
}
