package io.sluice.engine.stage;

/** Why a stage dropped a packet. Each reason has its own counter in {@link StageCounters}. */
public enum StageDrop {
    /** The next stage's ring was full and the back-pressure policy is DROP. */
    RING_FULL,
    /** The output port took no more packets and the policy is DROP. */
    PORT_FULL,
    /** The packet handler dropped it (the handler counts its own finer reason). */
    HANDLER,
    /** The pipeline was shutting down with the packet still in flight. */
    SHUTDOWN,
    /** The handler threw; the packet was freed and the error reported. */
    HANDLER_ERROR,
    /** The packet named an output port ({@code txif}) the pipeline does not have. */
    NO_OUTPUT,
}
