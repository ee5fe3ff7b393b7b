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
                int m = process(burst, n);
                out.push(p, output(), m);
                work += n;
            } else {
                idle();
            }
        }
        if (!out.blocked()) {
            int m = timers();
            if (m > 0) {
                out.push(p, output(), m);
                work += m;
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

    /**
     * Works on {@code packets[0..n)}; returns how many packets, from the front of {@link #output()}, go on
     * (in place in {@code packets} unless the stage has an output array of its own).
     */
    int process(int[] packets, int n) {
        return n;
    }

    /** The array {@link #process} and {@link #timers} leave their packets in. */
    int[] output() {
        return burst;
    }

    /** Most packets one push carries: the outlet holds that many back under back-pressure. */
    int outputCapacity() {
        return batch;
    }

    /** Timer work when due, on the stage's thread; returns how many packets it left in {@link #output()}. */
    int timers() {
        return 0;
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
        releaseOwn();
        holding = false;
    }

    /** Frees what the stage's own work holds beyond its outlet (queued packets, fragments). */
    void releaseOwn() {
    }

    @Override
    public String roleName() {
        return name;
    }

    public StageCounters counters() {
        return counters;
    }
}
