package io.sluice.engine.stage;

/**
 * The stage's side of an {@link Emitter}, for tests that drive a {@link PacketProcessor} directly from another
 * package: start a batch, then take (and own) the packets the processor emitted.
 */
public final class EmitterProbe {
    private EmitterProbe() {
    }

    /**
     * Empties the emitter and starts a batch of {@code n} packets still to come back from the processor (1 for
     * a {@code process} call, 0 for a {@code tick}).
     */
    public static void begin(Emitter e, int n) {
        e.begin(n);
    }

    /**
     * Copies the packets emitted since {@link #begin} into {@code dst}, which must be at least the emitter's
     * capacity long, and empties the emitter: the caller owns them.
     *
     * @return how many
     */
    public static int drain(Emitter e, int[] dst) {
        int n = e.count();
        System.arraycopy(e.packets(), 0, dst, 0, n);
        e.begin(0);
        return n;
    }

    public static int capacity(Emitter e) {
        return e.capacity();
    }
}
