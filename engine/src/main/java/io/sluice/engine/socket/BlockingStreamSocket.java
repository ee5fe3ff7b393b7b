package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream (TCP) socket for plain code ({@link BlockingSockets#connect}, {@link BlockingStreamListener#accept}):
 * read, write, shutdownOutput and close block the calling thread, virtual or not, until the stack's thread has
 * done them. Any number of threads may read, and write, at once: readers take turns (the stack's side keeps one
 * read pending), and so do writers (a write's bytes are never interleaved with another's); a reader and a writer
 * go on side by side.
 *
 * <p>Received data waits on the stack's side, in the pbufs it arrived in, until {@link #read} copies it out;
 * only then is it reported {@link StreamSocket#consumed}, so a reader that does not keep up closes the window and
 * the peer waits. {@link #write} copies the caller's bytes into pbufs as the send buffer makes room, and returns
 * when all of them are queued.
 */
public final class BlockingStreamSocket implements AutoCloseable {
    /** Bytes one write step copies into one chain at most. */
    private static final int WRITE_CHUNK = 64 * 1024;

    private final BlockingSockets sockets;
    final State state;
    private final int localAddress;
    private final int localPort;
    private final int remoteAddress;
    private final int remotePort;
    /** One read at a time: {@link State#pendingRead} is a single slot. */
    private final ReentrantLock readLock = new ReentrantLock();
    /** One write at a time, so that concurrent writes queue their bytes whole, one after the other. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    BlockingStreamSocket(BlockingSockets sockets, State state) {
        this.sockets = sockets;
        this.state = state;
        // Written on the stack's thread before the completion that handed the state over (a release store).
        this.localAddress = state.localAddress;
        this.localPort = state.localPort;
        this.remoteAddress = state.remoteAddress;
        this.remotePort = state.remotePort;
    }

    public int localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteAddress;
    }

    public int remotePort() {
        return remotePort;
    }

    // ---------------------------------------------------------------------------------------- read

    /** As {@link #read(byte[], int, int, long)} without a deadline. */
    public int read(byte[] buf, int off, int len) throws IOException {
        return read(buf, off, len, Completion.NO_DEADLINE);
    }

    /**
     * Reads what has arrived, up to {@code len} bytes, waiting until something has.
     *
     * @param deadline {@link System#nanoTime()} to give up at, or {@link Completion#NO_DEADLINE}
     * @return the bytes copied (at least 1 when {@code len > 0}), or -1 at the end of the stream (the peer closed)
     * @throws SocketTimeoutException when the deadline passed first (the socket stays usable)
     * @throws SocketException        when the connection was reset or timed out, or this socket is closed
     * @throws java.io.InterruptedIOException when the thread was interrupted while another read went on
     * @throws IOException            when the stack stopped
     */
    public int read(byte[] buf, int off, int len, long deadline) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        Completion done = new Completion();
        int r = sockets.callSerialised(readLock, done, new ReadCommand(state, done, buf, off, len), deadline);
        if (r == Completion.TIMED_OUT) {
            throw new SocketTimeoutException("read timed out");
        }
        if (r == State.EOF) {
            return -1;
        }
        if (r <= State.ERROR_BASE) {
            throw state.failure(r, done);
        }
        return r;
    }

    /** Run on the stack's thread: copies out what is there, or waits in the socket for data, FIN or the end. */
    static final class ReadCommand implements StackCommand {
        private final State state;
        private final Completion done;
        private final byte[] buf;
        private final int off;
        private final int len;

        ReadCommand(State state, Completion done, byte[] buf, int off, int len) {
            this.state = state;
            this.done = done;
            this.buf = buf;
            this.off = off;
            this.len = len;
        }

        @Override
        public boolean run(Pbufs p) {
            if (!attempt(p)) {
                state.pendingRead = this; // onData, onPeerClosed or onClosed completes it
            }
            return true;
        }

        /** @return whether the command is finished (completed, or its waiter gave up) */
        boolean attempt(Pbufs p) {
            if (done.isCancelled()) {
                return true;
            }
            if (!state.readable()) {
                return false;
            }
            if (!done.claim()) {
                return true;
            }
            done.complete(state.readInto(p, buf, off, len), null);
            return true;
        }

        @Override
        public void stopped(Pbufs p) {
            done.tryComplete(Completion.STOPPED, null);
        }
    }

    // ---------------------------------------------------------------------------------------- write

    /**
     * Writes {@code data[off, off + len)}: returns once every byte is in the send buffer, waiting while it is full
     * (the peer's window and the congestion window drain it).
     *
     * @throws SocketException when the connection ended or its output was shut down, or this socket is closed
     * @throws java.io.InterruptedIOException when the thread was interrupted while another write went on, or
     *                                        before the stack took this one (a write it took goes out whole: the
     *                                        thread waits for it, its interrupt flag kept)
     * @throws IOException     when the stack stopped
     */
    public void write(byte[] data, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        ensureOpen();
        if (len == 0) {
            return;
        }
        Completion done = new Completion();
        int r = sockets.callSerialised(writeLock, done, new WriteCommand(state, done, data, off, len),
            Completion.NO_DEADLINE);
        if (r != len) {
            throw state.failure(r, done);
        }
    }

    /**
     * Run on the stack's thread at each tick until every byte is queued: as many as the send buffer takes, in
     * chains of the pool's pbufs (a dry pool or a full buffer: again at the next tick).
     */
    static final class WriteCommand implements StackCommand {
        private final State state;
        private final Completion done;
        private final byte[] data;
        private final int off;
        private final int len;
        private int written;
        private boolean claimed;

        WriteCommand(State state, Completion done, byte[] data, int off, int len) {
            this.state = state;
            this.done = done;
            this.data = data;
            this.off = off;
            this.len = len;
        }

        @Override
        public boolean run(Pbufs p) {
            if (!claimed) {
                // Taken before its first byte, so that an interrupt of the writer cannot cancel it halfway and
                // leave part of it in the stream unreported: the writer then waits for it to finish.
                if (!done.claim()) {
                    return true;
                }
                claimed = true;
            }
            int error = state.writeError();
            if (error != 0) {
                done.complete(error, null);
                return true;
            }
            StreamSocket s = state.socket;
            while (written < len) {
                int n = Math.min(Math.min(len - written, s.sendSpace()), WRITE_CHUNK);
                if (n <= 0) {
                    return false;
                }
                int chain = p.alloc(Layer.RAW, n); // never from the receive reserve
                if (chain == PbufHandle.NULL) {
                    return false;
                }
                p.copyback(chain, 0, data, off + written, n);
                int r = s.send(p, chain);
                if (r == SocketResult.NO_ROOM) {
                    p.freem(chain);
                    return false;
                }
                if (r != SocketResult.SENT) {
                    done.complete(State.ERROR_OUTPUT_SHUT, null);
                    return true;
                }
                written += n;
            }
            done.complete(written, null);
            return true;
        }

        @Override
        public void stopped(Pbufs p) {
            if (claimed) {
                done.complete(Completion.STOPPED, null);
            } else {
                done.tryComplete(Completion.STOPPED, null);
            }
        }
    }

    // ---------------------------------------------------------------------------------------- shutdown and close

    /** Sends FIN after the data written so far (a half close); reading goes on until the peer closes. */
    public void shutdownOutput() throws IOException {
        ensureOpen();
        Completion done = new Completion();
        sockets.call(done, new StackCommand() {
            @Override
            public boolean run(Pbufs p) {
                if (done.claim()) {
                    state.outputShut = true;
                    if (state.socket != null && !state.socket.isClosed()) {
                        state.socket.shutdownOutput(p);
                    }
                    done.complete(0, null);
                }
                return true;
            }

            @Override
            public void stopped(Pbufs p) {
                done.tryComplete(Completion.STOPPED, null);
            }
        }, Completion.NO_DEADLINE);
    }

    /**
     * Closes the socket without waiting for the peer: FIN after the data written, as Linux's close; received
     * data not read yet is freed, and then (as Linux does) the connection is reset instead, since the peer's
     * data was lost. A read waiting on another thread fails.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        sockets.closeOnStack(p -> state.appClose(p));
    }

    /** The socket as an {@link InputStream} (reads block without a deadline). */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return BlockingStreamSocket.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return BlockingStreamSocket.this.read(b, off, len);
            }
        };
    }

    /** The socket as an {@link OutputStream}; its close shuts the output down. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                BlockingStreamSocket.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                BlockingStreamSocket.this.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                shutdownOutput();
            }
        };
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new SocketException("the socket is closed");
        }
    }

    /**
     * The stack's side of one blocking connection: its {@link StreamHandler}, the data received and not read
     * yet (one chain), and the read waiting for more. The stack's thread only.
     */
    static final class State implements StreamHandler {
        static final int EOF = -3;
        static final int ERROR_BASE = -100;
        /** The connection ended abnormally: {@code ERROR_BASE - reason}. */
        static final int ERROR_CLOSED = -101;
        static final int ERROR_OUTPUT_SHUT = -200;
        static final int ERROR_APP_CLOSED = -201;
        static final int ERROR_NO_ROUTE = -202;

        final BlockingSockets owner;
        StreamSocket socket;
        int localAddress;
        int localPort;
        int remoteAddress;
        int remotePort;
        private int rx = PbufHandle.NULL;
        private int rxLen;
        private boolean peerClosed;
        /** The transport's reason once the connection has ended; -1 while it lives. */
        int closedReason = -1;
        boolean appClosed;
        boolean outputShut;
        ReadCommand pendingRead;
        /** A connect waiting for the handshake. */
        Completion connecting;

        State(BlockingSockets owner) {
            this.owner = owner;
        }

        void bind(StreamSocket s) {
            socket = s;
            localAddress = s.localAddress();
            localPort = s.localPort();
            remoteAddress = s.remoteAddress();
            remotePort = s.remotePort();
        }

        boolean readable() {
            return rxLen > 0 || peerClosed || closedReason >= 0 || appClosed;
        }

        /** Copies out up to {@code len} bytes; the window opens by as many. */
        int readInto(Pbufs p, byte[] buf, int off, int len) {
            if (rxLen > 0) {
                int n = Math.min(len, rxLen);
                p.copydata(rx, 0, n, buf, off);
                if (n == rxLen) {
                    p.freem(rx);
                    rx = PbufHandle.NULL;
                } else {
                    rx = p.adj(rx, n);
                }
                rxLen -= n;
                socket.consumed(n);
                return n;
            }
            if (appClosed) {
                return ERROR_APP_CLOSED;
            }
            if (peerClosed || closedReason == 0) {
                return EOF;
            }
            return ERROR_BASE - closedReason;
        }

        int writeError() {
            if (appClosed) {
                return ERROR_APP_CLOSED;
            }
            if (closedReason >= 0) {
                return ERROR_BASE - closedReason;
            }
            return outputShut ? ERROR_OUTPUT_SHUT : 0;
        }

        private void wakeReader(Pbufs p) {
            ReadCommand r = pendingRead;
            if (r != null && r.attempt(p)) {
                pendingRead = null;
            }
        }

        void freeReceived(Pbufs p) {
            p.freem(rx);
            rx = PbufHandle.NULL;
            rxLen = 0;
        }

        void appClose(Pbufs p) {
            if (appClosed) {
                return;
            }
            boolean unread = rxLen > 0;
            freeReceived(p);
            appClosed = true;
            wakeReader(p);
            if (socket != null && !socket.isClosed()) {
                if (unread) {
                    socket.abort(p); // RFC 2525 2.17, as Linux: data the application never read is lost
                } else {
                    socket.close(p);
                }
            }
            finish();
        }

        private void finish() {
            if (appClosed && closedReason >= 0) {
                owner.forget(this);
            }
        }

        IOException failure(int r, Completion done) {
            if (r == ERROR_APP_CLOSED) {
                return new SocketException("the socket is closed");
            }
            if (r == ERROR_OUTPUT_SHUT) {
                return new SocketException("the output is shut down");
            }
            if (r == ERROR_NO_ROUTE) {
                return new java.net.NoRouteToHostException(String.valueOf(done.detail()));
            }
            if (r <= ERROR_BASE) {
                return new SocketException(closeMessage(ERROR_BASE - r));
            }
            return new IOException("unexpected result " + r);
        }

        static String closeMessage(int reason) {
            return switch (reason) {
                case 1 -> "Connection reset by the peer";
                case 2 -> "Connection timed out";
                case 3 -> "Connection aborted";
                case 4 -> "Connection refused";
                case 5 -> "the stack has stopped";
                default -> "the connection ended (reason " + reason + ")";
            };
        }

        // ------------------------------------------------------------------------------------ StreamHandler

        @Override
        public void onConnected(Pbufs p, StreamSocket s) {
            bind(s);
            Completion c = connecting;
            if (c != null) {
                connecting = null;
                if (!c.tryComplete(0, null)) {
                    appClosed = true; // the caller gave up waiting: nobody will use it
                    s.abort(p);
                }
            }
        }

        @Override
        public void onData(Pbufs p, StreamSocket s, int chain) {
            int n = p.length(chain);
            if (appClosed) {
                p.freem(chain);
                s.consumed(n);
                return;
            }
            if (rx == PbufHandle.NULL) {
                rx = chain;
            } else {
                p.cat(rx, chain);
            }
            rxLen += n;
            wakeReader(p);
        }

        @Override
        public void onPeerClosed(Pbufs p, StreamSocket s) {
            peerClosed = true;
            wakeReader(p);
        }

        @Override
        public void onClosed(Pbufs p, StreamSocket s, int reason) {
            closedReason = reason;
            if (reason != 0) {
                freeReceived(p); // reset or timed out: what was not read is lost, as on Linux
            }
            Completion c = connecting;
            if (c != null) {
                // The handshake failed (refused, timed out): no application socket was made, so none will close
                // it; mark it closed here, or the adapter would track it for ever.
                connecting = null;
                appClosed = true;
                c.tryComplete(ERROR_BASE - reason, null);
            }
            wakeReader(p);
            finish();
        }
    }
}
