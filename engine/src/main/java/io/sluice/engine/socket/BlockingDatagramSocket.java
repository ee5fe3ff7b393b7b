package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.net.PortUnreachableException;
import java.util.Objects;

/**
 * A datagram socket for plain code ({@link BlockingSockets}): send, receive and close block the calling
 * thread, virtual or not, until the stack's thread has done them. One thread at a time per socket for
 * {@link #receive} (it remembers the last sender); {@link #send} may come from any thread.
 */
public final class BlockingDatagramSocket implements AutoCloseable {
    /** {@link #send} result: the pool had no pbuf for the datagram. */
    private static final int NO_BUFFERS = -10;
    /** A result: an ICMP error was pending (the detail holds {@code type << 8 | code}). */
    private static final int ICMP_ERROR = -12;

    private final BlockingSockets sockets;
    private final DatagramSocket socket;
    private final int localPort;
    private volatile boolean closed;
    private int sourceAddress;
    private int sourcePort;

    BlockingDatagramSocket(BlockingSockets sockets, DatagramSocket socket) {
        this.sockets = sockets;
        this.socket = socket;
        this.localPort = socket.localPort(); // read once here: the socket itself is the stack thread's
    }

    public int localPort() {
        return localPort;
    }

    /**
     * Sends {@code data[off, off + len)} to {@code dstAddr:dstPort}, waiting while the stage's output is full.
     *
     * @throws IOException when the pool has no pbuf for it (the stack refuses sends when it is low), the
     *                     datagram was dropped (no route, too long; counted), the socket is closed, or the stack
     *                     stopped
     */
    public void send(byte[] data, int off, int len, int dstAddr, int dstPort) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        ensureOpen();
        Completion done = new Completion();
        int r = sockets.call(done, new StackCommand() {
            private int chain = PbufHandle.NULL;

            @Override
            public boolean run(Pbufs p) {
                if (done.isCancelled()) {
                    free(p); // the sender was interrupted: it was told the datagram did not go
                    return true;
                }
                if (socket.isClosed()) {
                    free(p);
                    done.tryComplete(SocketResult.DROPPED, "the socket is closed");
                    return true;
                }
                int error = chain == PbufHandle.NULL ? socket.takeError() : 0;
                if (error != 0) {
                    done.tryComplete(ICMP_ERROR, error);
                    return true;
                }
                if (chain == PbufHandle.NULL) {
                    chain = p.alloc(Layer.TRANSPORT, len); // never from the receive reserve
                    if (chain == PbufHandle.NULL) {
                        done.tryComplete(NO_BUFFERS, null);
                        return true;
                    }
                    p.copyback(chain, 0, data, off, len);
                }
                int sent = socket.sendTo(p, chain, dstAddr, dstPort);
                if (sent == SocketResult.NO_ROOM) {
                    return false; // still ours: again at the next tick
                }
                chain = PbufHandle.NULL;
                done.tryComplete(sent, null);
                return true;
            }

            @Override
            public void stopped(Pbufs p) {
                free(p);
                done.tryComplete(Completion.STOPPED, null);
            }

            private void free(Pbufs p) {
                p.freem(chain);
                chain = PbufHandle.NULL;
            }
        }, Completion.NO_DEADLINE);
        switch (r) {
            case SocketResult.SENT -> {
            }
            case ICMP_ERROR -> throw icmpError(done);
            case NO_BUFFERS -> throw new IOException("no pbuf for the datagram: the pool is low, send refused");
            default -> throw new IOException("datagram dropped: " + (done.detail() != null ? done.detail()
                : "counted by the transport (no route, or too long)"));
        }
    }

    /**
     * Receives one datagram into {@code buf[off, off + len)}: the rest of a longer one is discarded. The
     * sender is then {@link #sourceAddress()}:{@link #sourcePort()}.
     *
     * @param deadline {@link System#nanoTime()} to give up at, or {@link Completion#NO_DEADLINE}
     * @return the bytes copied, or {@link Completion#TIMED_OUT}
     * @throws IOException when the socket is closed or the stack stopped
     */
    public int receive(byte[] buf, int off, int len, long deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        ensureOpen();
        Completion done = new Completion();
        int[] from = new int[2];
        int r = sockets.call(done, new ReceiveCommand(done, buf, off, len, from), deadline);
        if (r == CLOSED) {
            throw new IOException("the socket is closed");
        }
        if (r == ICMP_ERROR) {
            throw icmpError(done);
        }
        if (r >= 0) {
            sourceAddress = from[0];
            sourcePort = from[1];
        }
        return r;
    }

    private static final int CLOSED = -11;

    /** Polls the socket on the stack's thread each tick until a datagram is there or the waiter gives up. */
    private final class ReceiveCommand implements StackCommand, DatagramHandler {
        private final Completion done;
        private final byte[] buf;
        private final int off;
        private final int len;
        private final int[] from;

        ReceiveCommand(Completion done, byte[] buf, int off, int len, int[] from) {
            this.done = done;
            this.buf = buf;
            this.off = off;
            this.len = len;
            this.from = from;
        }

        @Override
        public boolean run(Pbufs p) {
            if (done.isCancelled()) {
                return true; // timed out: nothing to hand over
            }
            if (socket.isClosed()) {
                done.tryComplete(CLOSED, null);
                return true;
            }
            int error = socket.takeError();
            if (error != 0) {
                done.tryComplete(ICMP_ERROR, error);
                return true;
            }
            if (socket.queued() == 0) {
                return false;
            }
            // Claimed before the datagram leaves the socket's queue: a waiter that gave up meanwhile leaves it
            // there for the next receive instead of taking it with it (it used to be freed, and counted nowhere).
            if (!done.claim()) {
                return true;
            }
            socket.poll(p, this, 1);
            return true;
        }

        /** Called by the poll of a claimed receive only: copies the datagram out and completes. */
        @Override
        public void onDatagram(Pbufs p, DatagramSocket s, int chain, int srcAddr, int srcPort) {
            int n = Math.min(len, p.pktLen(chain));
            p.copydata(chain, 0, n, buf, off);
            from[0] = srcAddr;
            from[1] = srcPort;
            done.complete(n, null);
            p.freem(chain);
        }

        @Override
        public void stopped(Pbufs p) {
            done.tryComplete(Completion.STOPPED, null);
        }
    }

    /**
     * Connects the socket to {@code addr:port} (0, 0 disconnects): it then takes datagrams from that peer only,
     * and an ICMP error about what it sent there (Port Unreachable: nobody listens) fails its next receive or
     * send, as on BSD and Linux.
     */
    public void connect(int addr, int port) throws IOException {
        ensureOpen();
        Completion done = new Completion();
        sockets.call(done, new StackCommand() {
            @Override
            public boolean run(Pbufs p) {
                if (done.claim()) {
                    try {
                        socket.connect(addr, port);
                        done.complete(0, null);
                    } catch (IllegalArgumentException e) {
                        done.complete(1, e.getMessage());
                    }
                }
                return true;
            }

            @Override
            public void stopped(Pbufs p) {
                done.tryComplete(Completion.STOPPED, null);
            }
        }, Completion.NO_DEADLINE);
        if (done.detail() != null) {
            throw new IOException(String.valueOf(done.detail()));
        }
    }

    private static IOException icmpError(Completion done) {
        int e = (Integer) done.detail();
        int type = e >>> 8;
        int code = e & 0xFF;
        return type == 3 && code == 3 ? new PortUnreachableException("ICMP Port Unreachable from the peer")
            : new IOException("ICMP error type " + type + " code " + code + " from the path to the peer");
    }

    /** The address of the last datagram's sender. */
    public int sourceAddress() {
        return sourceAddress;
    }

    public int sourcePort() {
        return sourcePort;
    }

    /** Closes the socket on the stack's thread: queued datagrams are freed, waiting receivers fail. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        sockets.closeOnStack(p -> socket.close(p));
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the socket is closed");
        }
    }
}
