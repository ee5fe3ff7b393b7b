package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Test applications on the callback API: a source that sends a byte array and closes, a sink that keeps bytes. */
final class TcpApps {
    private TcpApps() {
    }

    /** Records every callback, in order. */
    static class Recorder implements TcpHandler {
        final List<String> events = new ArrayList<>();
        TcpConnection conn;
        int closedReason = -1;
        boolean connected;
        boolean peerClosed;

        @Override
        public void onConnected(TcpConnection c) {
            conn = c;
            connected = true;
            events.add("connected");
        }

        @Override
        public void onData(TcpConnection c, Pbufs p, int chain) {
            int n = p.length(chain);
            events.add("data " + n);
            p.freem(chain);
            c.consumed(n);
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            peerClosed = true;
            events.add("peerClosed");
        }

        @Override
        public void onClosed(TcpConnection c, int reason) {
            closedReason = reason;
            events.add("closed " + TcpCloseReason.name(reason));
        }

        boolean closed() {
            return closedReason >= 0;
        }
    }

    /** Keeps what it receives; closes its side when the peer closes (when {@code closeOnFin}). */
    static class Sink extends Recorder {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean closeOnFin = true;
        /** When set, chains are held (not consumed) until {@link #release} is called: back-pressure. */
        boolean hold;
        final List<Integer> held = new ArrayList<>();
        int heldBytes;

        @Override
        public void onData(TcpConnection c, Pbufs p, int chain) {
            conn = c;
            byte[] d = p.toArray(chain);
            bytes.writeBytes(d);
            if (hold) {
                held.add(chain);
                heldBytes += d.length;
            } else {
                p.freem(chain);
                c.consumed(d.length);
            }
        }

        void release(Pbufs p) {
            for (int h : held) {
                p.freem(h);
            }
            held.clear();
            int n = heldBytes;
            heldBytes = 0;
            conn.consumed(n);
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            super.onPeerClosed(c);
            if (closeOnFin) {
                c.close();
            }
        }
    }

    /** Sends {@code data} in chunks as the send buffer allows, then closes. */
    static final class Source extends Sink {
        final byte[] data;
        final Pbufs p;
        int offset;
        int pending = PbufHandle.NULL;
        boolean closeWhenDone = true;
        int chunk = 16 * 1024;

        Source(Pbufs p, byte[] data) {
            this.p = p;
            this.data = data;
        }

        @Override
        public void onConnected(TcpConnection c) {
            super.onConnected(c);
            pump(c);
        }

        @Override
        public void onSendSpace(TcpConnection c, int space) {
            pump(c);
        }

        void pump(TcpConnection c) {
            while (true) {
                if (pending == PbufHandle.NULL) {
                    if (offset == data.length) {
                        if (closeWhenDone) {
                            c.close();
                        }
                        return;
                    }
                    int n = Math.min(chunk, data.length - offset);
                    int h = p.alloc(Layer.RAW, n);
                    if (h == PbufHandle.NULL) {
                        return;
                    }
                    p.copyback(h, 0, data, offset, n);
                    offset += n;
                    pending = h;
                }
                int rest = c.send(p, pending);
                pending = rest;
                if (rest != PbufHandle.NULL) {
                    return; // onSendSpace brings us back
                }
            }
        }

        void freePending() {
            if (pending != PbufHandle.NULL) {
                p.freem(pending);
                pending = PbufHandle.NULL;
            }
        }

        @Override
        public void onClosed(TcpConnection c, int reason) {
            super.onClosed(c, reason);
            freePending();
        }
    }
}
