package io.sluice.engine.stage;

/**
 * Where a {@link PacketProcessor} puts the packets it makes (replies, errors, fragments, released packets):
 * the stage's bounded output array, pushed downstream with the rest of the batch. Each packet of the batch
 * not yet processed keeps a slot for itself, so a processor can never crowd out a survivor; when no slot is
 * left {@link #emit} refuses, the packet stays the processor's, and it frees and counts it.
 */
public final class Emitter {
    private final int[] out;
    private int count;
    /** Packets of the batch still to come back from the processor, the current one included. */
    private int reserved;
    private long emitted;

    /** A stage makes one for its batches; a benchmark or test that drives a processor directly may too. */
    public Emitter(int capacity) {
        this.out = new int[capacity];
    }

    /**
     * Hands {@code packet} downstream.
     *
     * @return false, the packet still the caller's, when this batch has no room left for it
     */
    public boolean emit(int packet) {
        if (count + reserved >= out.length) {
            return false;
        }
        out[count++] = packet;
        emitted++;
        return true;
    }

    /** How many more packets {@link #emit} would take now. */
    public int room() {
        return out.length - count - reserved;
    }

    // The stage's side.

    /** Starts a batch of {@code n} packets. */
    void begin(int n) {
        count = 0;
        reserved = n;
    }

    /** The processor returned the current packet: a survivor ({@code packet != 0}) takes its reserved slot. */
    void returned(int packet) {
        reserved--;
        if (packet != 0) {
            out[count++] = packet;
        }
    }

    int[] packets() {
        return out;
    }

    int count() {
        return count;
    }

    int capacity() {
        return out.length;
    }

    /** Packets emitted since the stage started. */
    long emitted() {
        return emitted;
    }
}
