package io.sluice.engine.services;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamListener;
import io.sluice.engine.socket.StreamSocket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Character generator (RFC 864, port 19) over TCP: from the handshake on, the rotating pattern
 * ({@link ChargenPattern}: 72 printable characters a line, each line one character further on, CR LF) as fast as
 * the window takes it, until the peer closes; what it sends is thrown away.
 */
public final class TcpChargen implements StreamListener {
    public static final int PORT = 19;
    /** Bytes of the pattern one chain holds. */
    static final int CHUNK = 16 * 1024;
    static final ChargenPattern PATTERN = new ChargenPattern(CHUNK);

    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public StreamHandler onAccept(Pbufs p, StreamSocket connection) {
        connections.setOpaque(connections.getPlain() + 1);
        return new Connection();
    }

    public long connections() {
        return connections.getOpaque();
    }

    /** Bytes of the pattern queued for sending. */
    public long bytes() {
        return bytes.getOpaque();
    }

    private final class Connection implements StreamHandler {
        private int pending = PbufHandle.NULL;
        private int position;
        private boolean done;

        @Override
        public void onConnected(Pbufs p, StreamSocket s) {
            fill(p, s);
        }

        @Override
        public void onSendSpace(Pbufs p, StreamSocket s, int space) {
            fill(p, s);
        }

        @Override
        public void onTick(Pbufs p, StreamSocket s) {
            fill(p, s);
        }

        private void fill(Pbufs p, StreamSocket s) {
            while (!done) {
                if (pending == PbufHandle.NULL) {
                    pending = p.alloc(Layer.RAW, CHUNK);
                    if (pending == PbufHandle.NULL) {
                        // The pool is low. With nothing in flight no acknowledgment would bring us back (and
                        // onSendSpace comes only after a refused send): the stack's next tick does.
                        s.requestTick();
                        return;
                    }
                    p.copyback(pending, 0, PATTERN.segment(), position, CHUNK);
                    position = (position + CHUNK) % ChargenPattern.PERIOD;
                    bytes.setOpaque(bytes.getPlain() + CHUNK);
                }
                pending = s.sendSome(p, pending);
                if (pending != PbufHandle.NULL) {
                    return; // the send buffer is full: onSendSpace
                }
            }
        }

        @Override
        public void onData(Pbufs p, StreamSocket s, int chain) {
            int n = p.length(chain);
            p.freem(chain);
            s.consumed(n);
        }

        @Override
        public void onPeerClosed(Pbufs p, StreamSocket s) {
            done = true;
            p.freem(pending);
            pending = PbufHandle.NULL;
            s.close(p);
        }

        @Override
        public void onClosed(Pbufs p, StreamSocket s, int reason) {
            done = true;
            p.freem(pending);
            pending = PbufHandle.NULL;
        }
    }
}
