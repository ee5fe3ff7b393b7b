package io.sluice.engine.services;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamListener;
import io.sluice.engine.socket.StreamSocket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Echo (RFC 862, port 7) over TCP, zero copy: each received chain goes back out as it came (the transport
 * copies its bytes into segments). What the send buffer does not take waits in the connection, unconsumed, so a
 * peer that sends faster than it reads sees the window close instead of Sluice buffering without bound. The
 * connection closes when the peer has closed and everything was echoed.
 */
public final class TcpEcho implements StreamListener {
    public static final int PORT = 7;

    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public StreamHandler onAccept(Pbufs p, StreamSocket connection) {
        connections.setOpaque(connections.getPlain() + 1);
        return new Connection();
    }

    /** Connections accepted. */
    public long connections() {
        return connections.getOpaque();
    }

    /** Bytes echoed (queued for sending). */
    public long bytes() {
        return bytes.getOpaque();
    }

    private final class Connection implements StreamHandler {
        private int pending = PbufHandle.NULL;
        private int pendingLen;
        private boolean peerClosed;

        @Override
        public void onData(Pbufs p, StreamSocket s, int chain) {
            int n = p.length(chain);
            if (pending == PbufHandle.NULL) {
                pending = chain;
            } else {
                p.cat(pending, chain);
            }
            pendingLen += n;
            pump(p, s);
        }

        @Override
        public void onSendSpace(Pbufs p, StreamSocket s, int space) {
            pump(p, s);
        }

        private void pump(Pbufs p, StreamSocket s) {
            if (pending != PbufHandle.NULL) {
                pending = s.sendSome(p, pending);
                int left = pending == PbufHandle.NULL ? 0 : p.length(pending);
                int taken = pendingLen - left;
                pendingLen = left;
                if (taken > 0) {
                    bytes.setOpaque(bytes.getPlain() + taken);
                    s.consumed(taken); // the window opens as the send buffer takes the bytes
                }
            }
            if (pending == PbufHandle.NULL && peerClosed) {
                s.close(p);
            }
        }

        @Override
        public void onPeerClosed(Pbufs p, StreamSocket s) {
            peerClosed = true;
            pump(p, s);
        }

        @Override
        public void onClosed(Pbufs p, StreamSocket s, int reason) {
            p.freem(pending);
            pending = PbufHandle.NULL;
            pendingLen = 0;
        }
    }
}
