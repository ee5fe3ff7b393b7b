package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufHandle.NULL;

/**
 * A FIFO of whole packets linked through {@code nextpkt} on their first pbufs: reassembly lists, socket
 * receive queues, ARP's pending packets. It holds only a head, a tail and counts, so it allocates nothing.
 * Not thread-safe: a queue belongs to one stage.
 *
 * <p>Ownership: {@link #enqueue} takes the packet; {@link #dequeue} gives it back to the caller;
 * {@link #freeAll} frees every packet still queued.
 */
public final class PacketQueue {
    private int head = NULL;
    private int tail = NULL;
    private int packets;
    private long bytes;

    /** Appends packet {@code h}; its {@code nextpkt} must be unused. */
    public void enqueue(Pbufs p, int h) {
        p.setNextPkt(h, NULL);
        if (tail == NULL) {
            head = h;
        } else {
            p.setNextPkt(tail, h);
        }
        tail = h;
        packets++;
        bytes += p.isPktHdr(h) ? p.pktLen(h) : p.length(h);
    }

    /** Removes and returns the first packet, or NULL when empty. */
    public int dequeue(Pbufs p) {
        int h = head;
        if (h == NULL) {
            return NULL;
        }
        head = p.nextPkt(h);
        p.setNextPkt(h, NULL);
        if (head == NULL) {
            tail = NULL;
        }
        packets--;
        bytes -= p.isPktHdr(h) ? p.pktLen(h) : p.length(h);
        return h;
    }

    /** The first packet, left in place, or NULL. */
    public int peek() {
        return head;
    }

    /** Frees every queued packet and empties the queue; returns how many packets were freed. */
    public int freeAll(Pbufs p) {
        int n = 0;
        for (int h = dequeue(p); h != NULL; h = dequeue(p)) {
            p.freem(h);
            n++;
        }
        return n;
    }

    public int packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return head == NULL;
    }
}
