package io.sluice.engine.socket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The hand-off between an application thread that waits for a command and the stack's thread that completes
 * it: a state word changed by compare-and-set, the result published by the release store of {@code DONE}, and
 * the waiter woken with {@link LockSupport#unpark} (a virtual thread unmounts while it waits). A waiter that
 * gives up (timeout, interrupt, the stack stopped) wins only if the stack has not claimed the command yet; once
 * claimed, the stack's writes into the waiter's buffer are finished before it sees {@code DONE}.
 */
public final class Completion {
    /** The deadline of a wait without one. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** {@link #await}: the deadline passed. */
    public static final int TIMED_OUT = -1;
    /** {@link #await}: the stack stopped before it completed the command. */
    public static final int STOPPED = -2;
    /**
     * {@link #await}: the waiting thread was interrupted before the stack took the command (its flag is set). Far
     * from the small negative codes the sockets' stack sides complete with (end of stream, errors).
     */
    public static final int INTERRUPTED = Integer.MIN_VALUE;

    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int DONE = 2;
    private static final int CANCELLED = 3;
    /** Longest park between checks of the queue's state (a command submitted as the stack stopped). */
    private static final long MAX_PARK_NANOS = 10_000_000L;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Completion.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread waiter = Thread.currentThread();
    @SuppressWarnings("unused") // through STATE
    private int state;
    private int result;
    private Object detail;

    /** Stack side: takes the command; false when its waiter has given up (then leave it alone). */
    public boolean claim() {
        return STATE.compareAndSet(this, WAITING, CLAIMED);
    }

    /** Stack side: whether the waiter gave up (a command to run again may drop itself). */
    public boolean isCancelled() {
        return (int) STATE.getAcquire(this) == CANCELLED;
    }

    /** Stack side, after {@link #claim}: publishes the result and wakes the waiter. */
    public void complete(int r, Object d) {
        result = r;
        detail = d;
        STATE.setRelease(this, DONE);
        LockSupport.unpark(waiter);
    }

    /** Claims and completes; false when the waiter had given up. */
    public boolean tryComplete(int r, Object d) {
        if (!claim()) {
            return false;
        }
        complete(r, d);
        return true;
    }

    /** What the stack attached to the result (an error message), or null. */
    public Object detail() {
        return detail;
    }

    /**
     * Waiter side: parks until the stack completes the command, the deadline passes, the thread is interrupted,
     * or the queue closes. An interrupt after the stack claimed the command waits for its result (the stack is
     * already writing it), then returns it with the thread's interrupt flag set again.
     *
     * @param deadline {@link System#nanoTime()} to give up at, or {@link #NO_DEADLINE}
     * @return the result, {@link #TIMED_OUT}, {@link #INTERRUPTED} or {@link #STOPPED}
     */
    public int await(long deadline, CommandQueue queue) {
        boolean interrupted = false;
        try {
            while (true) {
                if ((int) STATE.getAcquire(this) == DONE) {
                    return result;
                }
                // park returns at once while the flag is set: take it, or the wait would spin on a whole core
                if (Thread.interrupted()) {
                    interrupted = true;
                }
                if (interrupted && STATE.compareAndSet(this, WAITING, CANCELLED)) {
                    return INTERRUPTED;
                }
                long now = System.nanoTime();
                boolean late = deadline != NO_DEADLINE && now - deadline >= 0;
                if ((late || queue.isClosed()) && STATE.compareAndSet(this, WAITING, CANCELLED)) {
                    return late && !queue.isClosed() ? TIMED_OUT : STOPPED;
                }
                // Claimed and about to be done, or still waiting: park (unpark may come first; park then returns).
                long park = deadline == NO_DEADLINE ? MAX_PARK_NANOS
                    : Math.min(MAX_PARK_NANOS, Math.max(1, deadline - now));
                LockSupport.parkNanos(this, park);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
