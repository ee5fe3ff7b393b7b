package io.sluice.engine.phy;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.ring.SpscRing;

/**
 * Two in-memory ports joined back to back: what one transmits the other receives, through an SPSC ring of
 * handles, with no copy. Both ends must share one pool. One thread transmits on an end and one receives on
 * the other.
 */
public final class LoopbackPair {
    private final End a;
    private final End b;

    private LoopbackPair(String name, int capacity, int maxBurst) {
        SpscRing aToB = new SpscRing(name + ".a->b", capacity);
        SpscRing bToA = new SpscRing(name + ".b->a", capacity);
        this.a = new End(name + ".a", bToA, aToB, maxBurst);
        this.b = new End(name + ".b", aToB, bToA, maxBurst);
        a.peer = b;
        b.peer = a;
    }

    /**
     * @param capacity packets each direction holds, a power of two; a transmit to a full direction takes
     *                 only what fits, like a full NIC ring
     */
    public static LoopbackPair create(String name, int capacity, int maxBurst) {
        return new LoopbackPair(name, capacity, maxBurst);
    }

    public NicPort a() {
        return a;
    }

    public NicPort b() {
        return b;
    }

    private static final class End implements NicPort {
        private final String name;
        private final SpscRing in;
        private final SpscRing out;
        private final PortCapabilities caps;
        private final PortCounters counters = new PortCounters();
        private End peer;
        private volatile boolean closed;

        End(String name, SpscRing in, SpscRing out, int maxBurst) {
            this.name = name;
            this.in = in;
            this.out = out;
            this.caps = PortCapabilities.ethernet(maxBurst);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public PortCapabilities capabilities() {
            return caps;
        }

        @Override
        public int receiveBurst(Pbufs p, int[] outHandles, int max) {
            if (closed) {
                return 0;
            }
            int n = in.pollBurst(outHandles, 0, Math.min(max, caps.maxBurst()));
            long bytes = 0;
            for (int k = 0; k < n; k++) {
                bytes += p.pktLen(outHandles[k]);
            }
            counters.received(n, bytes);
            return n;
        }

        @Override
        public int transmitBurst(Pbufs p, int[] handles, int off, int n) {
            if (closed || peer.closed) {
                return 0; // nobody would ever free them: the caller keeps them
            }
            long bytes = 0;
            int max = Math.min(n, caps.maxBurst());
            for (int k = 0; k < max; k++) {
                bytes += p.pktLen(handles[off + k]);
            }
            int sent = out.offerBurst(handles, off, max);
            // The ring's packets may already be the peer's (even freed): count back from the ones kept instead.
            for (int k = sent; k < max; k++) {
                bytes -= p.pktLen(handles[off + k]);
            }
            counters.transmitted(sent, bytes);
            return sent;
        }

        @Override
        public PortCounters counters() {
            return counters;
        }

        @Override
        public void close(Pbufs p) {
            closed = true;
            for (int h = in.poll(PbufHandle.NULL); h != PbufHandle.NULL; h = in.poll(PbufHandle.NULL)) {
                counters.rxDrop(PortCounters.Drop.PORT_CLOSED);
                p.freem(h);
            }
        }
    }
}
