package io.sluice.engine.services;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.DatagramHandler;
import io.sluice.engine.socket.DatagramSocket;
import java.util.concurrent.atomic.AtomicLong;

/** Discard (RFC 863, port 9): every datagram is freed and counted, nothing answered. */
public final class UdpDiscard implements DatagramHandler {
    public static final int PORT = 9;

    private final AtomicLong discarded = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public void onDatagram(Pbufs p, DatagramSocket socket, int chain, int srcAddr, int srcPort) {
        bytes.setOpaque(bytes.getPlain() + p.pktLen(chain));
        discarded.setOpaque(discarded.getPlain() + 1);
        p.freem(chain);
    }

    public long discarded() {
        return discarded.getOpaque();
    }

    public long bytes() {
        return bytes.getOpaque();
    }
}
