package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening stream (TCP) socket for plain code ({@link BlockingSockets#listen}): connections whose handshake
 * completed wait on the stack's side, up to the backlog (beyond it they are refused with a reset), until
 * {@link #accept} takes them. Any number of threads may accept at once: they take turns (the stack's side keeps
 * one accept pending), each getting a connection of its own.
 */
public final class BlockingStreamListener implements AutoCloseable {
    private final BlockingSockets sockets;
    private final Side side;
    private final int localPort;
    /** One accept at a time: {@link Side#pendingAccept} is a single slot. */
    private final ReentrantLock acceptLock = new ReentrantLock();
    private volatile boolean closed;

    BlockingStreamListener(BlockingSockets sockets, Side side, int localPort) {
        this.sockets = sockets;
        this.side = side;
        this.localPort = localPort;
    }

    public int localPort() {
        return localPort;
    }

    /** As {@link #accept(long)} without a deadline. */
    public BlockingStreamSocket accept() throws IOException {
        BlockingStreamSocket s = accept(Completion.NO_DEADLINE);
        if (s == null) {
            throw new IllegalStateException("no deadline, yet timed out");
        }
        return s;
    }

    /**
     * Takes the oldest connection completed, waiting for one.
     *
     * @param deadline {@link System#nanoTime()} to give up at, or {@link Completion#NO_DEADLINE}
     * @return the connection, or null when the deadline passed
     * @throws SocketException when the listener is closed; InterruptedIOException when the thread was interrupted
     *                         while another accept went on; IOException when the stack stopped
     */
    public BlockingStreamSocket accept(long deadline) throws IOException {
        if (closed) {
            throw new SocketException("the listener is closed");
        }
        Completion done = new Completion();
        int r = sockets.callSerialised(acceptLock, done, new AcceptCommand(side, done), deadline);
        if (r == Completion.TIMED_OUT) {
            return null;
        }
        if (r != 0) {
            throw new SocketException("the listener is closed");
        }
        return new BlockingStreamSocket(sockets, (BlockingStreamSocket.State) done.detail());
    }

    static final class AcceptCommand implements StackCommand {
        private final Side side;
        private final Completion done;

        AcceptCommand(Side side, Completion done) {
            this.side = side;
            this.done = done;
        }

        @Override
        public boolean run(Pbufs p) {
            if (!attempt()) {
                side.pendingAccept = this;
            }
            return true;
        }

        boolean attempt() {
            if (done.isCancelled()) {
                return true;
            }
            if (side.ready.isEmpty() && !side.closed) {
                return false;
            }
            if (!done.claim()) {
                return true;
            }
            if (side.closed) {
                done.complete(1, null);
            } else {
                done.complete(0, side.ready.poll());
            }
            return true;
        }

        @Override
        public void stopped(Pbufs p) {
            done.tryComplete(Completion.STOPPED, null);
        }
    }

    /** Stops listening; connections completed and not accepted are reset. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        sockets.closeOnStack(p -> side.close(p));
    }

    /** The stack's side: the transport's listener and the connections waiting to be accepted. */
    static final class Side implements StreamListener {
        final BlockingSockets owner;
        final int backlog;
        final ArrayDeque<BlockingStreamSocket.State> ready = new ArrayDeque<>();
        AutoCloseable handle;
        AcceptCommand pendingAccept;
        boolean closed;

        Side(BlockingSockets owner, int backlog) {
            this.owner = owner;
            this.backlog = backlog;
        }

        @Override
        public StreamHandler onAccept(Pbufs p, StreamSocket connection) {
            if (closed || ready.size() >= backlog) {
                return null; // refused: the transport resets it
            }
            BlockingStreamSocket.State s = new BlockingStreamSocket.State(owner);
            s.bind(connection);
            owner.remember(s);
            ready.add(s);
            AcceptCommand a = pendingAccept;
            if (a != null && a.attempt()) {
                pendingAccept = null;
            }
            return s;
        }

        void close(Pbufs p) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                handle.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (BlockingStreamSocket.State s; (s = ready.poll()) != null; ) {
                s.freeReceived(p);
                if (s.socket != null && !s.socket.isClosed()) {
                    s.socket.abort(p);
                }
                s.appClosed = true;
                owner.forget(s);
            }
            AcceptCommand a = pendingAccept;
            pendingAccept = null;
            if (a != null) {
                a.attempt();
            }
        }
    }
}
