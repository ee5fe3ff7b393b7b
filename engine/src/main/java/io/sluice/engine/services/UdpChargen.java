package io.sluice.engine.services;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.DatagramHandler;
import io.sluice.engine.socket.DatagramSocket;
import io.sluice.engine.socket.SocketResult;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Character generator (RFC 864, port 19) over UDP: for each datagram received (its data is ignored and freed),
 * one datagram goes back with a random number, 0 to 512, of characters of the rotating pattern
 * ({@link ChargenPattern}), continuing where the previous answer stopped. The length comes from a xorshift
 * generator, so no answer allocates beyond its own pbufs.
 */
public final class UdpChargen implements DatagramHandler {
    public static final int PORT = 19;
    /** RFC 864: "between 0 and 512" characters per datagram. */
    public static final int MAX_LENGTH = 512;

    private final ChargenPattern pattern = new ChargenPattern(MAX_LENGTH);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private int position;
    private long random;

    /** @param seed the length generator's seed (tests fix it; any value but 0 will do) */
    public UdpChargen(long seed) {
        this.random = seed == 0 ? 0x9E37_79B9_7F4A_7C15L : seed;
    }

    public UdpChargen() {
        this(System.nanoTime());
    }

    @Override
    public void onDatagram(Pbufs p, DatagramSocket socket, int chain, int srcAddr, int srcPort) {
        p.freem(chain);
        int length = nextLength();
        int reply = p.alloc(Layer.TRANSPORT, length);
        if (reply == PbufHandle.NULL) {
            dropped.setOpaque(dropped.getPlain() + 1);
            return;
        }
        p.copyback(reply, 0, pattern.segment(), position, length);
        int r = socket.sendTo(p, reply, srcAddr, srcPort);
        if (r == SocketResult.NO_ROOM) {
            p.freem(reply);
        }
        if (r != SocketResult.SENT) {
            dropped.setOpaque(dropped.getPlain() + 1);
            return;
        }
        position = (position + length) % ChargenPattern.PERIOD;
        sent.setOpaque(sent.getPlain() + 1);
    }

    /** 0..512 inclusive (xorshift64, Marsaglia 2003). */
    private int nextLength() {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return (int) Long.remainderUnsigned(x, MAX_LENGTH + 1);
    }

    public long sent() {
        return sent.getOpaque();
    }

    public long dropped() {
        return dropped.getOpaque();
    }
}
