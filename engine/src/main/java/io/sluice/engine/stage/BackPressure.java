package io.sluice.engine.stage;

/** What a stage does when the next ring (or the output port) is full. Neither policy blocks or leaks. */
public enum BackPressure {
    /** Free the packets that do not fit and count them ({@link StageDrop#RING_FULL}, {@link StageDrop#PORT_FULL}). */
    DROP,
    /**
     * Keep them and retry on the next work loop, taking no new input meanwhile, so that a slow stage slows
     * the ones before it until the receive stage leaves frames in the NIC, where the NIC drops them.
     */
    HOLD
}
