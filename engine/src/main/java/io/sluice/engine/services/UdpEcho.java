package io.sluice.engine.services;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.DatagramHandler;
import io.sluice.engine.socket.DatagramSocket;
import io.sluice.engine.socket.SocketResult;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Echo (RFC 862, port 7): each datagram goes back to its sender with the same data. The received chain is sent
 * back as it is: its payload stays where it arrived and the headers are prepended into the room the received
 * ones left, so an echo copies and allocates nothing.
 */
public final class UdpEcho implements DatagramHandler {
    public static final int PORT = 7;

    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    @Override
    public void onDatagram(Pbufs p, DatagramSocket socket, int chain, int srcAddr, int srcPort) {
        int r = socket.sendTo(p, chain, srcAddr, srcPort);
        if (r == SocketResult.SENT) {
            echoed.setOpaque(echoed.getPlain() + 1);
            return;
        }
        if (r == SocketResult.NO_ROOM) {
            p.freem(chain); // UDP promises nothing: a reply the output has no room for now is not kept
        }
        dropped.setOpaque(dropped.getPlain() + 1);
    }

    /** Datagrams echoed. */
    public long echoed() {
        return echoed.getOpaque();
    }

    /** Replies that could not be sent (output full, or dropped and counted by UDP or IP). */
    public long dropped() {
        return dropped.getOpaque();
    }
}
