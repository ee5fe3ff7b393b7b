package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;
import java.util.ArrayDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MpscArrayQueue;

/**
 * Commands from application threads to the stack's thread: a bounded lock-free MPSC queue (JCTools) that the
 * transports drain in their tick, so that the stack's data structures are only ever touched by its own thread
 * and need no lock (Aeron's command-queue pattern). A command that cannot finish yet is kept on the stack's
 * side and run again at the next tick.
 */
public final class CommandQueue {
    /** Commands one drain runs at most, so that a flood of commands cannot starve the data path. */
    public static final int DRAIN_LIMIT = 64;

    private final MpscArrayQueue<StackCommand> queue;
    /** Commands that asked to run again; the stack's thread only. */
    private final ArrayDeque<StackCommand> again = new ArrayDeque<>();
    private volatile boolean closed;
    /**
     * Submits between their check of {@link #closed} and the end of their offer. {@link #close} waits for them to
     * leave before it empties the queue: a command offered just after the queue was emptied would otherwise stay
     * there for ever, unrun and untold, with its caller waiting.
     */
    private final AtomicInteger submitting = new AtomicInteger();
    /** Told when the queue closes, after the pending commands: adapters that hold pbufs for their callers. */
    private final CopyOnWriteArrayList<StackCommand> closeHooks = new CopyOnWriteArrayList<>();

    /** @param capacity commands in flight at most; {@link #submit} refuses beyond (rounded up to a power of two) */
    public CommandQueue(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be >= 2");
        }
        this.queue = new MpscArrayQueue<>(capacity);
    }

    /**
     * Hands {@code command} to the stack's thread; any thread.
     *
     * @return false when the queue is full (back off and retry) or the stack has stopped (the command will never
     *     run: fail its caller); true when it will run, or be told it {@link StackCommand#stopped}
     */
    public boolean submit(StackCommand command) {
        // Announced before closed is read, as close sets closed before it reads submitting (both volatile): either
        // this sees closed, or close sees this and waits for the offer before it empties the queue.
        submitting.incrementAndGet();
        try {
            return !closed && queue.offer(command);
        } finally {
            submitting.decrementAndGet();
        }
    }

    /**
     * Has {@code hook}'s {@link StackCommand#stopped} run when the queue closes (the stack stops), after the
     * pending commands were told: an adapter frees there what it holds for its callers. Any thread.
     */
    public void onClose(StackCommand hook) {
        closeHooks.add(hook);
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs the commands waiting to run again, then up to {@link #DRAIN_LIMIT} new ones. The stack's thread only.
     *
     * @return commands run
     */
    public int drain(Pbufs p) {
        int work = 0;
        for (int n = again.size(); n > 0; n--) {
            StackCommand c = again.poll();
            if (!c.run(p)) {
                again.add(c);
            }
            work++;
        }
        for (int k = 0; k < DRAIN_LIMIT; k++) {
            StackCommand c = queue.relaxedPoll();
            if (c == null) {
                break;
            }
            if (!c.run(p)) {
                again.add(c);
            }
            work++;
        }
        return work;
    }

    /**
     * The stack stops: refuses new commands and tells every pending one ({@link StackCommand#stopped}). The
     * stack's thread only; idempotent. A submit that raced this one is either refused or told too, never left
     * in the queue: every command {@link #submit} accepted is run or told it stopped.
     */
    public void close(Pbufs p) {
        closed = true;
        while (submitting.get() != 0) {
            Thread.onSpinWait(); // a submit in flight: its offer lands in the queue below, or it was refused
        }
        for (StackCommand c; (c = again.poll()) != null; ) {
            c.stopped(p);
        }
        for (StackCommand c; (c = queue.poll()) != null; ) {
            c.stopped(p);
        }
        for (StackCommand hook : closeHooks) {
            closeHooks.remove(hook);
            hook.stopped(p);
        }
    }
}
