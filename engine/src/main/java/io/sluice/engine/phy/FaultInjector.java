package io.sluice.engine.phy;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import java.util.SplittableRandom;
import org.agrona.concurrent.NanoClock;

/**
 * Applies {@link Faults} to a stream of packets in one direction. Packets go in through {@link #admit},
 * come out in order through {@link #take}, and the injector holds at most one reordered packet plus what the
 * caller has not taken yet. Single-threaded: one per direction.
 */
final class FaultInjector {
    private final Faults faults;
    private final SplittableRandom random;
    private final NanoClock clock;
    private final PortCounters counters;
    private final boolean receive;
    private final int[] staged;
    private int head;
    private int count;
    private int held = PbufHandle.NULL;
    /** The duplicate of the held packet, released right after it. */
    private int heldCopy = PbufHandle.NULL;
    private double tokens;
    private long lastRefill;

    long dropped;
    long corrupted;
    long duplicated;
    long reordered;
    long rateLimited;

    FaultInjector(Faults faults, NanoClock clock, PortCounters counters, boolean receive, int capacity) {
        this.faults = faults;
        this.random = new SplittableRandom(faults.seed());
        this.clock = clock;
        this.counters = counters;
        this.receive = receive;
        this.staged = new int[capacity];
        this.lastRefill = clock.nanoTime();
        this.tokens = 1;
    }

    /** Room for admitting packets: each may become two (a duplicate) and release a held pair. */
    int room() {
        return (staged.length - count - 2) / 2;
    }

    int staged() {
        return count;
    }

    /** Takes ownership of packet {@code h} and applies the faults to it. */
    void admit(Pbufs p, int h) {
        if (faults.ratePps() > 0 && !allowedByRate()) {
            rateLimited++;
            drop(p, h, PortCounters.Drop.FAULT_INJECTED);
            return;
        }
        if (faults.drop() > 0 && random.nextDouble() < faults.drop()) {
            dropped++;
            drop(p, h, PortCounters.Drop.FAULT_INJECTED);
            return;
        }
        if (faults.corrupt() > 0 && random.nextDouble() < faults.corrupt()) {
            int len = p.length(h);
            if (len > 0) {
                long at = p.locate(h, random.nextInt(len));
                int pb = Pbufs.locatedPbuf(at);
                int off = Pbufs.locatedOffset(at);
                p.putByte(pb, off, (byte) ~p.getByte(pb, off));
                corrupted++;
            }
        }
        int copy = PbufHandle.NULL;
        if (faults.duplicate() > 0 && random.nextDouble() < faults.duplicate()) {
            copy = p.dup(h);
            if (copy != PbufHandle.NULL) {
                duplicated++;
            }
        }
        if (held == PbufHandle.NULL && faults.reorder() > 0 && random.nextDouble() < faults.reorder()) {
            held = h;
            heldCopy = copy;
            reordered++;
            return;
        }
        stage(h);
        if (copy != PbufHandle.NULL) {
            stage(copy);
        }
        if (held != PbufHandle.NULL) {
            stage(held);
            if (heldCopy != PbufHandle.NULL) {
                stage(heldCopy);
            }
            held = PbufHandle.NULL;
            heldCopy = PbufHandle.NULL;
        }
    }

    private boolean allowedByRate() {
        long now = clock.nanoTime();
        tokens = Math.min(tokens + (now - lastRefill) * (faults.ratePps() / 1e9), Math.max(1, faults.ratePps() / 100.0));
        lastRefill = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    private void drop(Pbufs p, int h, PortCounters.Drop reason) {
        if (receive) {
            counters.rxDrop(reason);
        } else {
            counters.txDrop(reason);
        }
        p.freem(h);
    }

    private void stage(int h) {
        staged[(head + count) % staged.length] = h;
        count++;
    }

    /** The packet at the front, without removing it, or NULL. */
    int peek() {
        return count == 0 ? PbufHandle.NULL : staged[head];
    }

    /** Moves up to {@code max} staged packets into {@code out[off..)}. */
    int take(int[] out, int off, int max) {
        int n = Math.min(max, count);
        for (int k = 0; k < n; k++) {
            out[off + k] = staged[head];
            head = (head + 1) % staged.length;
        }
        count -= n;
        return n;
    }

    /**
     * Puts the last {@code n} packets of the previous {@link #take} back at the front, in order. Valid only
     * when nothing was admitted in between, so their slots still hold them.
     */
    void untake(int n) {
        head = (head - n + staged.length) % staged.length;
        count += n;
    }

    /** Frees everything staged or held, counted as {@link PortCounters.Drop#PORT_CLOSED} (not as faults). */
    void close(Pbufs p) {
        while (count > 0) {
            int h = staged[head];
            head = (head + 1) % staged.length;
            count--;
            drop(p, h, PortCounters.Drop.PORT_CLOSED);
        }
        if (held != PbufHandle.NULL) {
            drop(p, held, PortCounters.Drop.PORT_CLOSED);
            held = PbufHandle.NULL;
        }
        if (heldCopy != PbufHandle.NULL) {
            drop(p, heldCopy, PortCounters.Drop.PORT_CLOSED);
            heldCopy = PbufHandle.NULL;
        }
    }
}
