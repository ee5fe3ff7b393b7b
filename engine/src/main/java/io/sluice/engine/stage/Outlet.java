package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;

/**
 * Where a stage puts its packets: the next stage's ring or the output port, with the back-pressure policy
 * applied to what does not fit. Under {@link BackPressure#HOLD} the leftovers wait here and the stage takes no
 * new input while {@link #blocked()}; under {@link BackPressure#DROP} they are freed and counted.
 */
abstract class Outlet {
    private final BackPressure policy;
    private final StageCounters counters;
    private final StageDrop fullReason;
    private final int[] pending;
    private int pendingOff;
    private int pendingCount;

    Outlet(BackPressure policy, StageCounters counters, StageDrop fullReason, int batch) {
        this.policy = policy;
        this.counters = counters;
        this.fullReason = fullReason;
        this.pending = new int[batch];
    }

    /** Offers {@code h[off..off+n)} downstream; returns how many, from the front, were taken. */
    abstract int offer(Pbufs p, int[] h, int off, int n);

    /** Pushes a batch; takes ownership of all {@code n} packets (sent, held or dropped). */
    final void push(Pbufs p, int[] h, int n) {
        int sent = n == 0 ? 0 : offer(p, h, 0, n);
        int rest = n - sent;
        if (rest == 0) {
            return;
        }
        if (policy == BackPressure.HOLD) {
            System.arraycopy(h, sent, pending, 0, rest);
            pendingOff = 0;
            pendingCount = rest;
        } else {
            for (int k = sent; k < n; k++) {
                p.freem(h[k]);
            }
            counters.drop(fullReason, rest);
        }
    }

    /** Retries held packets. @return how many went out */
    final int flush(Pbufs p) {
        if (pendingCount == 0) {
            return 0;
        }
        int sent = offer(p, pending, pendingOff, pendingCount);
        pendingOff += sent;
        pendingCount -= sent;
        return sent;
    }

    /** Whether held packets wait; the stage must take no new input until they are out. */
    final boolean blocked() {
        return pendingCount > 0;
    }

    /** Frees held packets (shutdown). @return how many */
    final int release(Pbufs p) {
        int n = pendingCount;
        for (int k = 0; k < n; k++) {
            p.freem(pending[pendingOff + k]);
        }
        pendingCount = 0;
        if (n > 0) {
            counters.drop(StageDrop.SHUTDOWN, n);
        }
        return n;
    }
}
