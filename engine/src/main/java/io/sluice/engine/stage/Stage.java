package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;
import org.agrona.concurrent.Agent;

/**
 * One step of the pipeline as an Agrona {@link Agent}: each {@link #doWork()} handles at most one batch and
 * returns the packets it moved, which the thread's idle strategy acts on. A stage runs on the thread that its
 * {@link StageThread} gives it, alone or fused with others; that thread binds its {@link Pbufs} before the
 * first work loop.
 */
public abstract class Stage implements Agent {
    protected final String name;
    protected final StageCounters counters = new StageCounters();
    protected final int batch;
    protected final int[] burst;
    protected Pbufs p;
    private Outlet out;
    /** Whether the outlet holds packets; written by the stage's thread, read by the pipeline's drain check. */
    private volatile boolean holding;

    protected Stage(String name, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("stage " + name + ": batch=" + batch + " must be >= 1");
        }
        this.name = name;
        this.batch = batch;
        this.burst = new int[batch];
    }

    /** Sets where the stage's packets go; called once by the subclass's constructor. */
    final void outlet(Outlet outlet) {
        this.out = outlet;
    }

    /** Called on the stage's thread before the first work loop. */
    final void bind(Pbufs pbufs) {
        this.p = pbufs;
    }

    /**
     * One bounded batch: first retry what the outlet holds; while it still holds packets, or the stage no
     * longer takes input, take nothing new; otherwise take up to a batch, process it and push the survivors.
     */
    @Override
    public final int doWork() {
        int work = out.flush(p);
        if (!out.blocked() && accepting()) {
            int n = take(burst, batch);
            if (n > 0) {
                counters.batch(n);
                out.push(p, burst, process(burst, n));
                work += n;
            } else {
                idle();
            }
        }
        holding = out.blocked();
        counters.loop(work > 0);
        return work;
    }

    /** Whether the stage takes new input (a receive stage stops at shutdown). */
    boolean accepting() {
        return true;
    }

    /** Takes up to {@code max} packets into {@code into}; returns how many. */
    abstract int take(int[] into, int max);

    /** Works on {@code packets[0..n)} in place; returns how many, from the front, go on. */
    int process(int[] packets, int n) {
        return n;
    }

    /** Called when a work loop found nothing to take. */
    void idle() {
    }

    /** Whether the stage holds no packets of its own (for drain detection; read from the control thread). */
    final boolean holdsNothing() {
        return !holding;
    }

    /** Frees what the stage holds; called on its thread when the pipeline closes. */
    final void release() {
        out.release(p);
        holding = false;
    }

    @Override
    public String roleName() {
        return name;
    }

    public StageCounters counters() {
        return counters;
    }
}
