package io.sluice.bench.pktgen;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;
import java.io.PrintStream;
import java.util.concurrent.locks.LockSupport;

/**
 * A pktgen over a port's transmit side: builds {@link PktgenConfig#burst()} frames at a time and hands them
 * to the port in one call, at the configured rate (whole bursts, {@link BurstPacer}), until the count or the
 * duration is reached. Frames the port does not take stay in hand and go first next time; when the run ends
 * they are freed and not counted as sent. Runs on the calling thread.
 */
public final class Pktgen {
    /**
     * Waits shorter than this spin; longer ones park until this much is left. A parked thread wakes up to a
     * timer slack late (50 µs for a normal thread), so a parked wait for the next burst would, at a few hundred
     * thousand frames a second, cost a third of the rate; a generator on its own core can spin that long.
     */
    static final long SPIN_NANOS = 100_000;

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
        int burstSize = c.ratePps() > 0 ? BurstPacer.pacedBurst(c.ratePps(), c.burst()) : c.burst();
        BurstPacer pacer = c.ratePps() > 0 ? new BurstPacer(c.ratePps(), burstSize, start) : null;
        long nextReport = start + 1_000_000_000L;
        long reportSent = 0;
        long reportBytes = 0;
        long now = start;
        try {
            while (now - end < 0 && (c.count() == 0 || seq < c.count() || held > 0)) {
                if (held == 0) {
                    long want = burstSize;
                    if (c.count() > 0) {
                        want = Math.min(want, c.count() - seq);
                    }
                    long delay = pacer == null ? 0 : pacer.delayFor((int) want, now);
                    if (delay > 0) {
                        awaitNanos(Math.min(delay, end - now));
                        now = System.nanoTime();
                        continue;
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

    private static void awaitNanos(long nanos) {
        long deadline = System.nanoTime() + nanos;
        if (nanos > SPIN_NANOS) {
            LockSupport.parkNanos(nanos - SPIN_NANOS);
        }
        while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
    }
}
