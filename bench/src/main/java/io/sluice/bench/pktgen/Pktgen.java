package io.sluice.bench.pktgen;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;
import java.io.PrintStream;
import java.util.concurrent.locks.LockSupport;

/**
 * A pktgen over a port's transmit side: builds {@link PktgenConfig#burst()} frames at a time and hands them
 * to the port in one call, at the configured rate (a token bucket holding one burst), until the count or the
 * duration is reached. Frames the port does not take stay in hand and go first next time; when the run ends
 * they are freed and not counted as sent. Runs on the calling thread.
 */
public final class Pktgen {
    private Pktgen() {
    }

    /**
     * @param sent       frames the port took
     * @param bytes      their bytes (without FCS)
     * @param noPbufs    frames not built because the pool was empty
     * @param portBusy   transmit calls that took nothing (ring full)
     */
    public record Result(long sent, long bytes, long noPbufs, long portBusy, double seconds) {
        public double pps() {
            return sent / seconds;
        }

        public double mbps() {
            return bytes * 8 / seconds / 1e6;
        }
    }

    public static Result run(NicPort port, PbufPool pool, PktgenConfig c, PrintStream progress) {
        FrameBuilder frames = new FrameBuilder(c);
        Pbufs p = pool.local();
        int[] burst = new int[c.burst()];
        int held = 0;
        int heldOff = 0;
        long seq = 0;
        long sent = 0;
        long bytes = 0;
        long noPbufs = 0;
        long busy = 0;
        long start = System.nanoTime();
        long end = c.seconds() > 0 ? start + (long) (c.seconds() * 1e9) : Long.MAX_VALUE;
        double tokens = c.burst();
        long last = start;
        long nextReport = start + 1_000_000_000L;
        long reportSent = 0;
        long reportBytes = 0;
        long now = start;
        try {
            while (now - end < 0 && (c.count() == 0 || seq < c.count() || held > 0)) {
                if (held == 0) {
                    long want = c.burst();
                    if (c.count() > 0) {
                        want = Math.min(want, c.count() - seq);
                    }
                    if (c.ratePps() > 0) {
                        tokens = Math.min(c.burst(), tokens + (now - last) * (c.ratePps() / 1e9));
                        last = now;
                        want = Math.min(want, (long) tokens);
                    }
                    for (int k = 0; k < want; k++) {
                        int h = frames.build(p, seq, now);
                        if (h == PbufHandle.NULL) {
                            noPbufs++;
                            break;
                        }
                        burst[held++] = h;
                        seq++;
                    }
                    heldOff = 0;
                    tokens -= held;
                }
                if (held > 0) {
                    int took = port.transmitBurst(p, burst, heldOff, held);
                    if (took == 0) {
                        busy++;
                    }
                    sent += took;
                    bytes += (long) took * c.pktSize();
                    heldOff += took;
                    held -= took;
                } else if (c.ratePps() > 0) {
                    LockSupport.parkNanos(Math.min(1_000_000L, (long) ((1 - tokens) / c.ratePps() * 1e9) + 1));
                }
                now = System.nanoTime();
                if (progress != null && now - nextReport >= 0) {
                    double dt = 1 + (now - nextReport) / 1e9;
                    progress.printf("  pktgen %5.0f s  %,12.0f pps  %,10.1f Mb/s  sent %,d  no-pbufs %d  port-busy %d%n",
                        (now - start) / 1e9, (sent - reportSent) / dt, (bytes - reportBytes) * 8 / dt / 1e6, sent,
                        noPbufs, busy);
                    reportSent = sent;
                    reportBytes = bytes;
                    nextReport = now + 1_000_000_000L;
                }
            }
        } finally {
            for (int k = 0; k < held; k++) {
                p.freem(burst[heldOff + k]);
            }
        }
        return new Result(sent, bytes, noPbufs, busy, (System.nanoTime() - start) / 1e9);
    }
}
