package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/** Work an application thread hands to the stack's thread through a {@link CommandQueue}. */
@FunctionalInterface
public interface StackCommand {
    /**
     * Runs on the stack's thread, with its toolkit.
     *
     * @return true when done; false to be run again at the next tick (the output was full, or a receive found
     *     nothing yet): the command keeps whatever it holds until then
     */
    boolean run(Pbufs p);

    /** The stack stopped before the command finished: free what it holds and fail whoever waits for it. */
    default void stopped(Pbufs p) {
    }
}
