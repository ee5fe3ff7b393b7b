package io.sluice.engine.stage;

import io.sluice.engine.pbuf.Pbufs;

/**
 * The work of a processing stage that may send more than it receives: a protocol layer that answers ARP,
 * sends ICMP errors, splits a datagram into fragments, releases packets that waited for a neighbour, or runs
 * timers. {@link PacketHandler} is the simple one-in, at-most-one-out case.
 *
 * <p>Everything runs on the stage's thread. Packets given to the {@link Emitter} go downstream in the order
 * they were emitted, before the packet {@link #process} returns.
 */
public interface PacketProcessor {

    /**
     * Works on one packet.
     *
     * @return the packet to pass on (possibly a new head), or {@link io.sluice.engine.pbuf.PbufHandle#NULL}
     *     when the processor consumed, queued or freed it (and counted why). It must not throw for bad input.
     */
    int process(Pbufs p, int packet, Emitter out);

    /**
     * Timer work (expiry, retransmission), called on the stage's thread about every {@link #tickNanos()} and
     * whenever the stage finds no input.
     *
     * @param nanoTime {@link System#nanoTime()} now
     * @return work done, for the idle strategy
     */
    default int tick(Pbufs p, long nanoTime, Emitter out) {
        return 0;
    }

    /** How often {@link #tick} wants to run; 1 ms by default. */
    default long tickNanos() {
        return 1_000_000L;
    }

    /** The stage's thread stops: free whatever the processor still holds (queued packets, fragments). */
    default void release(Pbufs p) {
    }

    /** A {@link PacketHandler} as a processor that never emits. */
    static PacketProcessor of(PacketHandler handler) {
        return (p, packet, out) -> handler.handle(p, packet);
    }
}
