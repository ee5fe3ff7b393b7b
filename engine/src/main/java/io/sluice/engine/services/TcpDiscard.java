package io.sluice.engine.services;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamListener;
import io.sluice.engine.socket.StreamSocket;
import java.util.concurrent.atomic.AtomicLong;

/** Discard (RFC 863, port 9) over TCP: every chain is freed and counted at once; closes when the peer does. */
public final class TcpDiscard implements StreamListener, StreamHandler {
    public static final int PORT = 9;

    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public StreamHandler onAccept(Pbufs p, StreamSocket connection) {
        connections.setOpaque(connections.getPlain() + 1);
        return this; // no state per connection
    }

    @Override
    public void onData(Pbufs p, StreamSocket s, int chain) {
        int n = p.length(chain);
        p.freem(chain);
        s.consumed(n);
        bytes.setOpaque(bytes.getPlain() + n);
    }

    @Override
    public void onPeerClosed(Pbufs p, StreamSocket s) {
        s.close(p);
    }

    public long connections() {
        return connections.getOpaque();
    }

    /** Bytes discarded. */
    public long bytes() {
        return bytes.getOpaque();
    }
}
