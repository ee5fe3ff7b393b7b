package io.sluice.engine.phy;

import io.sluice.engine.pbuf.Pbufs;
import org.agrona.concurrent.NanoClock;

/**
 * Wraps a port and injects faults into what it receives and what is sent through it: drops, corrupted
 * bytes, duplicates, reordering and a rate limit, each chosen by a seeded random source so that a failing
 * run can be replayed. Injected drops count as {@link PortCounters.Drop#FAULT_INJECTED} on this port.
 */
public final class FaultInjectingPort implements NicPort {
    private final NicPort inner;
    private final PortCounters counters = new PortCounters();
    private final FaultInjector rx;
    private final FaultInjector tx;
    private final int[] scratch;

    public FaultInjectingPort(NicPort inner, Faults receiveFaults, Faults transmitFaults, NanoClock clock) {
        this.inner = inner;
        int burst = inner.capabilities().maxBurst();
        this.rx = new FaultInjector(receiveFaults, clock, counters, true, 4 * burst + 2);
        this.tx = new FaultInjector(transmitFaults, clock, counters, false, 4 * burst + 2);
        this.scratch = new int[burst];
    }

    @Override
    public String name() {
        return inner.name() + "+faults";
    }

    @Override
    public PortCapabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public int receiveBurst(Pbufs p, int[] out, int max) {
        int room = Math.min(rx.room(), scratch.length);
        if (room > 0) {
            int n = inner.receiveBurst(p, scratch, room);
            for (int k = 0; k < n; k++) {
                rx.admit(p, scratch[k]);
            }
        }
        int n = rx.take(out, 0, max);
        long bytes = 0;
        for (int k = 0; k < n; k++) {
            bytes += p.pktLen(out[k]);
        }
        counters.received(n, bytes);
        return n;
    }

    @Override
    public int transmitBurst(Pbufs p, int[] handles, int off, int n) {
        flushTransmit(p);
        if (tx.staged() > 0) {
            return 0; // the inner port is full: back-pressure
        }
        int taken = Math.min(n, tx.room());
        for (int k = 0; k < taken; k++) {
            tx.admit(p, handles[off + k]);
        }
        flushTransmit(p);
        return taken;
    }

    /** Sends what the faults let through; counts as transmitted only what the inner port took. */
    private void flushTransmit(Pbufs p) {
        while (tx.staged() > 0) {
            int n = tx.take(scratch, 0, scratch.length);
            long bytes = 0;
            for (int k = 0; k < n; k++) {
                bytes += p.pktLen(scratch[k]);
            }
            int sent = inner.transmitBurst(p, scratch, 0, n);
            if (sent < n) {
                for (int k = sent; k < n; k++) {
                    bytes -= p.pktLen(scratch[k]);
                }
                tx.untake(n - sent); // the inner port is full; they go first next time
            }
            counters.transmitted(sent, bytes);
            if (sent < n) {
                return;
            }
        }
    }

    public long dropped() {
        return rx.dropped + tx.dropped;
    }

    public long corrupted() {
        return rx.corrupted + tx.corrupted;
    }

    public long duplicated() {
        return rx.duplicated + tx.duplicated;
    }

    public long reordered() {
        return rx.reordered + tx.reordered;
    }

    public long rateLimited() {
        return rx.rateLimited + tx.rateLimited;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    @Override
    public void close(Pbufs p) {
        rx.close(p);
        tx.close(p);
        inner.close(p);
    }

    @Override
    public void close() {
        inner.close();
    }
}
