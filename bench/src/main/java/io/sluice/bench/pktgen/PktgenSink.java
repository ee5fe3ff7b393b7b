package io.sluice.bench.pktgen;

import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;
import io.sluice.engine.phy.TestFrame;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The receive side of pktgen ({@code --sink}): counts and checks frames, and measures loss, reordering and
 * latency from the sequence number and send timestamp in the payload, as the Linux pktgen's magic/seq/time
 * header allows. Latency compares the sender's {@code System.nanoTime()} with the receiver's, so it is
 * meaningful on one host (the clock is system-wide). Frames without the magic are counted as foreign and
 * freed. Runs on the calling thread until {@code expected} frames came, or {@code seconds} passed, or no
 * frame came for {@code idleSeconds} after the first.
 */
public final class PktgenSink {
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private PktgenSink() {
    }

    /**
     * @param received  pktgen frames received
     * @param expected  highest sequence number seen + 1: what the generator must have sent up to the last one
     * @param reordered frames that came after a higher sequence number
     * @param foreign   other frames (not pktgen's)
     * @param seconds   from the first frame to the last
     * @param rateFrames  frames (pktgen's and foreign) received in the rate window
     * @param rateSeconds the rate window: from the end of the warm-up to the last frame
     */
    public record Result(long received, long bytes, long expected, long reordered, long foreign, Histogram latency,
                         double seconds, long rateFrames, double rateSeconds) {
        public long lost() {
            return Math.max(0, expected - received);
        }

        public double pps() {
            return received / seconds;
        }

        /**
         * Every frame received, pktgen's and foreign, per second after the warm-up: what a receive benchmark with
         * another generator reads.
         */
        public double framesPps() {
            return rateSeconds > 0 ? rateFrames / rateSeconds : 0;
        }
    }

    public static Result run(NicPort port, PbufPool pool, long expectedCount, double seconds, double idleSeconds,
                             PrintStream progress) {
        return run(port, pool, expectedCount, seconds, idleSeconds, 0, progress);
    }

    /**
     * As {@link #run(NicPort, PbufPool, long, double, double, PrintStream)}, with a warm-up: the frame rate
     * ({@link Result#framesPps()}) counts only the frames that come {@code warmupSeconds} or more after the first,
     * so that neither the backlog the port queued before the first poll nor the JIT's warm-up is in it.
     */
    public static Result run(NicPort port, PbufPool pool, long expectedCount, double seconds, double idleSeconds,
                             double warmupSeconds, PrintStream progress) {
        Pbufs p = pool.local();
        MemorySegment s = p.segment();
        Histogram latency = new Histogram(10_000_000_000L, 3);
        int[] burst = new int[64];
        long received = 0;
        long bytes = 0;
        long highest = -1;
        long reordered = 0;
        long foreign = 0;
        long start = System.nanoTime();
        long end = seconds > 0 ? start + (long) (seconds * 1e9) : Long.MAX_VALUE;
        long idleLimit = (long) (idleSeconds * 1e9);
        long lastFrame = 0;
        long firstFrame = 0;
        long nextReport = start + 1_000_000_000L;
        long reportFrames = 0;
        long warmup = (long) (warmupSeconds * 1e9);
        long rateStart = 0;
        long rateBase = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0 || (expectedCount > 0 && received >= expectedCount)
                || (lastFrame != 0 && idleLimit > 0 && now - lastFrame > idleLimit)) {
                break;
            }
            int n = port.receiveBurst(p, burst, burst.length);
            // Read the clock after the burst: a frame sent after the loop's first reading may be in it.
            long arrived = n > 0 ? System.nanoTime() : now;
            if (n == 0) {
                LockSupport.parkNanos(20_000);
            } else {
                lastFrame = now;
                if (firstFrame == 0) {
                    firstFrame = now;
                }
                if (rateStart == 0 && now - firstFrame >= warmup) {
                    rateStart = now;
                    rateBase = received + foreign;
                }
            }
            for (int k = 0; k < n; k++) {
                int h = burst[k];
                long f = p.address(h);
                if (p.len(h) < TestFrame.TIMESTAMP_OFFSET + 8 || s.get(INT_BE, f + TestFrame.MAGIC_OFFSET) != TestFrame.MAGIC) {
                    foreign++;
                } else {
                    received++;
                    bytes += p.pktLen(h);
                    long seq = s.get(INT_BE, f + TestFrame.SEQ_OFFSET) & 0xFFFFFFFFL;
                    if (seq < highest) {
                        reordered++;
                    } else {
                        highest = seq;
                    }
                    long lat = arrived - s.get(LONG_BE, f + TestFrame.TIMESTAMP_OFFSET);
                    if (lat >= 0 && lat < 10_000_000_000L) {
                        latency.recordValue(lat);
                    }
                }
                p.freem(h);
            }
            if (progress != null && now - nextReport >= 0) {
                // The rate counts every frame, so that a run fed by another generator (trafgen) shows progress too.
                progress.printf("  sink   %5.0f s  %,12d pps  received %,d  lost %,d  reordered %d  foreign %d%n",
                    (now - start) / 1e9, received + foreign - reportFrames, received, Math.max(0, highest + 1 - received),
                    reordered, foreign);
                reportFrames = received + foreign;
                nextReport = now + 1_000_000_000L;
            }
        }
        // The rate is over the traffic itself: from the first frame to the last, not the waiting around it.
        double active = lastFrame > firstFrame ? (lastFrame - firstFrame) / 1e9 : (System.nanoTime() - start) / 1e9;
        long rateFrames = rateStart == 0 ? 0 : received + foreign - rateBase;
        double rateSeconds = rateStart == 0 ? 0 : (lastFrame - rateStart) / 1e9;
        return new Result(received, bytes, highest + 1, reordered, foreign, latency, active, rateFrames, rateSeconds);
    }
}
