package io.sluice.engine.phy;

import io.sluice.engine.pbuf.PbufDescriptor;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.NanoClock;

/**
 * A port that generates frames on receive and checks and counts them on transmit: the traffic source and
 * sink of in-memory pipelines, tests and benchmarks.
 *
 * <p>Receive: {@link TestFrame}s of the configured size, cycling over {@code flows} UDP source ports, with a
 * sequence number and the clock's time in the payload and in the packet header's timestamp; up to
 * {@code count} frames, at most {@code ratePps} per second when a rate is set (a token bucket on the
 * injected clock).
 *
 * <p>Transmit: each frame's magic is checked, its sequence number compared with the highest seen
 * (reordering), its latency (clock now minus its timestamp) recorded into an HdrHistogram recorder, then it
 * is freed.
 * Everything is preallocated: neither direction allocates per packet.
 */
public final class SyntheticPort implements NicPort {
    private static final long MAX_LATENCY_NS = 10_000_000_000L;
    private static final byte[] DST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    private static final byte[] SRC_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

    private final String name;
    private final PortCapabilities caps;
    private final PortCounters counters = new PortCounters();
    private final NanoClock clock;
    private final MemorySegment template;
    private final int frameSize;
    private final int flows;
    private final long count;
    private final long ratePps;
    private final int latencySampleMask;
    /** Written by the transmitting thread without allocation; read as interval snapshots by any thread. */
    private final SingleWriterRecorder latency = new SingleWriterRecorder(MAX_LATENCY_NS, 3);
    private final Histogram latencyTotal = new Histogram(MAX_LATENCY_NS, 3);

    // receive side (generator) state
    private long generated;
    private int flow;
    private double tokens;
    private long lastRefill;

    // transmit side (sink) state
    private volatile long sunk;
    private long highestSeq = -1;
    private long reordered;
    private long corrupt;

    private SyntheticPort(Builder b) {
        this.name = b.name;
        this.caps = PortCapabilities.ethernet(b.maxBurst);
        this.clock = b.clock;
        this.frameSize = b.frameSize;
        this.flows = b.flows;
        this.count = b.count;
        this.ratePps = b.ratePps;
        this.latencySampleMask = b.latencySampling - 1;
        this.template = MemorySegment.ofArray(TestFrame.template(frameSize, DST_MAC, SRC_MAC,
            0xC6120001, 0xC6130001));
        this.lastRefill = clock.nanoTime();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortCapabilities capabilities() {
        return caps;
    }

    @Override
    public int receiveBurst(Pbufs p, int[] out, int max) {
        long want = Math.min(Math.min(max, caps.maxBurst()), count - generated);
        long now = clock.nanoTime();
        if (ratePps > 0) {
            // The bucket holds up to 200 us of traffic, so that an idle strategy's park does not lose rate.
            tokens = Math.min(tokens + (now - lastRefill) * (ratePps / 1e9), Math.max(caps.maxBurst(), ratePps / 5000.0));
            lastRefill = now;
            want = Math.min(want, (long) tokens);
        }
        MemorySegment seg = p.segment();
        int n = 0;
        while (n < want) {
            int h = p.allocReceive(frameSize);
            if (h == PbufHandle.NULL) {
                counters.rxDrop(PortCounters.Drop.RX_NO_PBUFS);
                break;
            }
            if (frameSize <= PbufDescriptor.PHLEN) {
                MemorySegment.copy(template, 0, seg, p.address(h), frameSize); // one pbuf: a straight copy
            } else {
                p.copyback(h, 0, template, 0, frameSize);
            }
            TestFrame.patch(seg, p.address(h), flow, (int) generated, now);
            p.setTimestamp(h, now);
            p.setFlowHash(h, flow);
            if (++flow == flows) {
                flow = 0;
            }
            generated++;
            out[n++] = h;
        }
        if (ratePps > 0) {
            tokens -= n;
        }
        counters.received(n, (long) n * frameSize);
        return n;
    }

    @Override
    public int transmitBurst(Pbufs p, int[] handles, int off, int n) {
        MemorySegment seg = p.segment();
        long now = clock.nanoTime();
        long bytes = 0;
        for (int k = 0; k < n; k++) {
            int h = handles[off + k];
            bytes += p.pktLen(h);
            long frame = p.address(h);
            if (p.len(h) < TestFrame.TIMESTAMP_OFFSET + 8 || TestFrame.magic(seg, frame) != TestFrame.MAGIC) {
                corrupt++;
            } else {
                long seq = TestFrame.seq(seg, frame) & 0xFFFFFFFFL;
                if (seq < highestSeq) {
                    reordered++;
                } else {
                    highestSeq = seq;
                }
                long lat = now - TestFrame.timestamp(seg, frame);
                if ((seq & latencySampleMask) == 0 && lat >= 0 && lat <= MAX_LATENCY_NS) {
                    latency.recordValue(lat);
                }
            }
            p.freem(h);
        }
        counters.transmitted(n, bytes);
        sunk += n;
        return n;
    }

    /** Frames generated so far. */
    public long generated() {
        return generated;
    }

    /** Frames received by the sink (transmitted to this port). */
    public long sunk() {
        return sunk;
    }

    public long reordered() {
        return reordered;
    }

    /** Frames whose magic or length was wrong. */
    public long corrupt() {
        return corrupt;
    }

    /** The sink's latency (nanoseconds, receive timestamp to transmit) since the start. Control path. */
    public synchronized Histogram latency() {
        latencyTotal.add(latency.getIntervalHistogram());
        return latencyTotal.copy();
    }

    /** The sink's latency since the previous call of this method (or the start). Control path. */
    public synchronized Histogram latencyInterval() {
        Histogram interval = latency.getIntervalHistogram();
        latencyTotal.add(interval);
        return interval;
    }

    /** Whether the generator has produced its whole count. */
    public boolean exhausted() {
        return generated >= count;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    @Override
    public void close(Pbufs p) {
        // Holds no packets between calls.
    }

    /** Settings of a synthetic port. */
    public static final class Builder {
        private final String name;
        private int frameSize = TestFrame.MIN_SIZE;
        private int flows = 1;
        private long count = Long.MAX_VALUE;
        private long ratePps;
        private int maxBurst = 32;
        private int latencySampling = 1;
        private NanoClock clock = System::nanoTime;

        private Builder(String name) {
            this.name = name;
        }

        /** Frame length without FCS, 60..1514 (a "64-byte frame" is 60 here). */
        public Builder frameSize(int bytes) {
            this.frameSize = bytes;
            return this;
        }

        public Builder flows(int flows) {
            if (flows < 1 || flows > 64511) {
                throw new IllegalArgumentException("flows=" + flows + " must be in 1..64511");
            }
            this.flows = flows;
            return this;
        }

        public Builder count(long count) {
            this.count = count;
            return this;
        }

        /** Frames per second; 0 for as fast as asked. */
        public Builder ratePps(long pps) {
            this.ratePps = pps;
            return this;
        }

        public Builder maxBurst(int maxBurst) {
            this.maxBurst = maxBurst;
            return this;
        }

        /**
         * Records the latency of one frame in {@code every} (by sequence number; a power of two), to keep the
         * recorder's cost off the measured path in throughput runs. Default: every frame.
         */
        public Builder latencySampling(int every) {
            if (every < 1 || Integer.bitCount(every) != 1) {
                throw new IllegalArgumentException("latencySampling=" + every + " must be a power of two");
            }
            this.latencySampling = every;
            return this;
        }

        public Builder clock(NanoClock clock) {
            this.clock = clock;
            return this;
        }

        public SyntheticPort build() {
            return new SyntheticPort(this);
        }
    }
}
