package io.sluice.engine.phy;

/**
 * What a {@link FaultInjectingPort} does to the packets that pass it, in each direction. Probabilities are
 * per packet, in [0, 1]; a rate of 0 means no limit.
 *
 * @param drop      probability that a packet is dropped (freed, counted)
 * @param corrupt   probability that one random byte of a packet is inverted
 * @param duplicate probability that a packet is sent twice (a deep copy follows it)
 * @param reorder   probability that a packet is held back and sent after the next one
 * @param ratePps   packets per second let through; the excess is dropped (a token bucket)
 * @param seed      seed of the random choices, so that a run can be replayed
 */
public record Faults(double drop, double corrupt, double duplicate, double reorder, long ratePps, long seed) {
    public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 1);

    public Faults {
        check("drop", drop);
        check("corrupt", corrupt);
        check("duplicate", duplicate);
        check("reorder", reorder);
        if (ratePps < 0) {
            throw new IllegalArgumentException("ratePps=" + ratePps + " must be >= 0");
        }
    }

    private static void check(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + "=" + p + " must be a probability in [0, 1]");
        }
    }

    public Faults withDrop(double p) {
        return new Faults(p, corrupt, duplicate, reorder, ratePps, seed);
    }

    public Faults withCorrupt(double p) {
        return new Faults(drop, p, duplicate, reorder, ratePps, seed);
    }

    public Faults withDuplicate(double p) {
        return new Faults(drop, corrupt, p, reorder, ratePps, seed);
    }

    public Faults withReorder(double p) {
        return new Faults(drop, corrupt, duplicate, p, ratePps, seed);
    }

    public Faults withRate(long pps) {
        return new Faults(drop, corrupt, duplicate, reorder, pps, seed);
    }

    public Faults withSeed(long s) {
        return new Faults(drop, corrupt, duplicate, reorder, ratePps, s);
    }
}
