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

    protected Stage(String name, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("stage " + name + ": batch=" + batch + " must be >= 1");
        }
        this.name = name;
        this.batch = batch;
        this.burst = new int[batch];
    }

    /** Called on the stage's thread before the first work loop. */
    final void bind(Pbufs pbufs) {
        this.p = pbufs;
    }

    @Override
    public final int doWork() {
        int work = work();
        counters.loop(work > 0);
        return work;
    }

    /** One bounded batch of work. */
    protected abstract int work();

    /** Whether the stage holds no packets of its own (for drain detection; read from the control thread). */
    abstract boolean holdsNothing();

    /** Frees what the stage holds; called on its thread when the pipeline closes. */
    abstract void release();

    @Override
    public String roleName() {
        return name;
    }

    public StageCounters counters() {
        return counters;
    }
}
