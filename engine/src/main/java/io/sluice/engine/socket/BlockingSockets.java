package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The blocking adapter: sockets for plain code on application threads, virtual threads included. Every call
 * becomes a command on the stack's {@link CommandQueue}, run on the stack's thread, and the caller parks on a
 * {@link Completion} until it is done. No lock is taken on the stack's side and no pbuf leaves its thread:
 * data is copied between the caller's arrays and pbufs there.
 *
 * <pre>{@code
 * BlockingSockets sockets = new BlockingSockets(commands, udp);
 * Thread.ofVirtual().start(() -> {
 *     try (BlockingDatagramSocket s = sockets.openDatagram(0, 7)) {
 *         byte[] buf = new byte[2048];
 *         int n = s.receive(buf, 0, buf.length, Completion.NO_DEADLINE);
 *         s.send(buf, 0, n, s.sourceAddress(), s.sourcePort());
 *     }
 * });
 * }</pre>
 *
 * <p>TCP in the same way, over a {@link StreamTransport}:
 * <pre>{@code
 * BlockingSockets sockets = new BlockingSockets(commands, udp, tcp);
 * Thread.ofVirtual().start(() -> {
 *     try (BlockingStreamListener l = sockets.listen(0, 7, 64)) {
 *         while (true) {
 *             BlockingStreamSocket s = l.accept();
 *             Thread.ofVirtual().start(() -> {                       // one virtual thread per connection
 *                 try (s) {
 *                     byte[] buf = new byte[16384];
 *                     for (int n; (n = s.read(buf, 0, buf.length)) > 0; ) {
 *                         s.write(buf, 0, n);
 *                     }
 *                 }
 *             });
 *         }
 *     }
 * });
 * }</pre>
 */
public final class BlockingSockets {
    /** Datagrams a blocking socket's receive queue holds before it drops (counted by the transport). */
    public static final int DEFAULT_QUEUE = 256;
    /** How long a caller backs off when the command queue is full. */
    private static final long FULL_BACKOFF_NANOS = 20_000L;

    private final CommandQueue commands;
    private final DatagramTransport datagrams;
    private final StreamTransport streams;
    /** The stream connections whose pbufs this adapter may hold; the stack's thread only. */
    private final Set<BlockingStreamSocket.State> live = new HashSet<>();

    public BlockingSockets(CommandQueue commands, DatagramTransport datagrams) {
        this(commands, datagrams, null);
    }

    /**
     * @param datagrams UDP, or null
     * @param streams   TCP, or null
     */
    public BlockingSockets(CommandQueue commands, DatagramTransport datagrams, StreamTransport streams) {
        this.commands = commands;
        this.datagrams = datagrams;
        this.streams = streams;
        if (streams != null) {
            // The stack stops: free the data received and not read, which only this adapter knows of.
            commands.onClose(new StackCommand() {
                @Override
                public boolean run(Pbufs p) {
                    return true;
                }

                @Override
                public void stopped(Pbufs p) {
                    for (BlockingStreamSocket.State s : live) {
                        s.freeReceived(p);
                    }
                    live.clear();
                }
            });
        }
    }

    void remember(BlockingStreamSocket.State s) {
        live.add(s);
    }

    void forget(BlockingStreamSocket.State s) {
        live.remove(s);
    }

    /**
     * The stream connections this adapter tracks: opened, and not yet both ended and closed by the application.
     * The stack's thread only.
     */
    public int liveConnections() {
        return live.size();
    }

    /**
     * Listens for stream connections on {@code localAddr:localPort} (0: any address).
     *
     * @param backlog connections completed and not yet accepted it keeps; more are refused with a reset
     * @throws IOException when the port has a listener already, or the stack has stopped
     */
    public BlockingStreamListener listen(int localAddr, int localPort, int backlog) throws IOException {
        StreamTransport t = requireStreams();
        Completion done = new Completion();
        BlockingStreamListener.Side side = new BlockingStreamListener.Side(this, Math.max(1, backlog));
        call(done, new StackCommand() {
            @Override
            public boolean run(Pbufs p) {
                if (!done.claim()) {
                    return true;
                }
                try {
                    side.handle = t.listen(localAddr, localPort, backlog, side);
                    done.complete(0, null);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    done.complete(1, e.getMessage());
                }
                return true;
            }

            @Override
            public void stopped(Pbufs p) {
                done.tryComplete(Completion.STOPPED, null);
            }
        }, Completion.NO_DEADLINE);
        if (side.handle == null) {
            throw new IOException(String.valueOf(done.detail()));
        }
        return new BlockingStreamListener(this, side, localPort);
    }

    /**
     * Opens a stream connection to {@code remoteAddr:remotePort} and waits for the handshake.
     *
     * @param deadline {@link System#nanoTime()} to give up at, or {@link Completion#NO_DEADLINE} (the transport's
     *                 SYN retries then bound the wait)
     * @throws ConnectException         when the peer refused it (a RST to the SYN) or the handshake timed out
     * @throws SocketTimeoutException   when the deadline passed first (the connection is abandoned)
     * @throws NoRouteToHostException   when there is no route, no free connection or no free port
     * @throws IOException              when the stack has stopped
     */
    public BlockingStreamSocket connect(int remoteAddr, int remotePort, long deadline) throws IOException {
        StreamTransport t = requireStreams();
        Completion done = new Completion();
        BlockingStreamSocket.State state = new BlockingStreamSocket.State(this);
        int r = call(done, new StackCommand() {
            @Override
            public boolean run(Pbufs p) {
                if (done.isCancelled()) {
                    return true;
                }
                state.connecting = done;
                remember(state); // before the transport can call back (onClosed forgets it)
                StreamSocket s = t.connect(p, remoteAddr, remotePort, state);
                if (s == null) {
                    state.connecting = null;
                    forget(state);
                    done.tryComplete(BlockingStreamSocket.State.ERROR_NO_ROUTE,
                        "no route, no free connection or no free port for " + (remoteAddr >>> 24) + "."
                            + (remoteAddr >>> 16 & 0xFF) + "." + (remoteAddr >>> 8 & 0xFF) + "." + (remoteAddr & 0xFF));
                    return true;
                }
                state.bind(s);
                return true;
            }

            @Override
            public void stopped(Pbufs p) {
                done.tryComplete(Completion.STOPPED, null);
            }
        }, deadline);
        if (r == 0) {
            return new BlockingStreamSocket(this, state);
        }
        if (r == Completion.TIMED_OUT) {
            throw new SocketTimeoutException("connect timed out");
        }
        if (r == BlockingStreamSocket.State.ERROR_NO_ROUTE) {
            throw new NoRouteToHostException(String.valueOf(done.detail()));
        }
        throw new ConnectException(BlockingStreamSocket.State.closeMessage(BlockingStreamSocket.State.ERROR_BASE - r));
    }

    private StreamTransport requireStreams() {
        if (streams == null) {
            throw new IllegalStateException("these BlockingSockets have no stream transport (TCP)");
        }
        return streams;
    }

    /**
     * Binds a datagram socket ({@link DatagramTransport#bind} with a queue).
     *
     * @throws IOException when the address is taken or invalid, or the stack has stopped
     */
    public BlockingDatagramSocket openDatagram(int localAddr, int localPort) throws IOException {
        return openDatagram(localAddr, localPort, DEFAULT_QUEUE);
    }

    public BlockingDatagramSocket openDatagram(int localAddr, int localPort, int queueCapacity) throws IOException {
        if (datagrams == null) {
            throw new IllegalStateException("these BlockingSockets have no datagram transport (UDP)");
        }
        Completion done = new Completion();
        DatagramSocket[] bound = new DatagramSocket[1];
        call(done, new StackCommand() {
            @Override
            public boolean run(Pbufs p) {
                if (!done.claim()) {
                    return true;
                }
                try {
                    bound[0] = datagrams.bind(localAddr, localPort, null, queueCapacity);
                    done.complete(0, null);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    done.complete(1, e.getMessage());
                }
                return true;
            }

            @Override
            public void stopped(Pbufs p) {
                done.tryComplete(Completion.STOPPED, null);
            }
        }, Completion.NO_DEADLINE);
        if (bound[0] == null) {
            throw new IOException(String.valueOf(done.detail()));
        }
        return new BlockingDatagramSocket(this, bound[0]);
    }

    /**
     * Runs {@code action} on the stack's thread and waits for it, for the closes of the blocking sockets: when the
     * stack has stopped it already released every socket and what it held, so there is nothing left to do.
     */
    void closeOnStack(Consumer<Pbufs> action) {
        Completion done = new Completion();
        try {
            call(done, new StackCommand() {
                @Override
                public boolean run(Pbufs p) {
                    action.accept(p);
                    done.tryComplete(0, null);
                    return true;
                }

                @Override
                public void stopped(Pbufs p) {
                    done.tryComplete(Completion.STOPPED, null);
                }
            }, Completion.NO_DEADLINE);
        } catch (IOException stopped) {
            // The stack has stopped: it released everything.
        }
    }

    /**
     * As {@link #call}, holding {@code lock} meanwhile: it serialises the callers of one socket's operation
     * (accept, read, write), since the stack's side keeps one such operation pending per socket and a second
     * caller must wait for the first to finish rather than replace it there. A virtual thread waiting for the
     * lock unmounts.
     *
     * @return the result, or {@link Completion#TIMED_OUT} (the deadline may pass while waiting for the lock)
     * @throws InterruptedIOException when the thread was interrupted while it waited for the lock (its flag is
     *                                set again)
     */
    int callSerialised(ReentrantLock lock, Completion done, StackCommand command, long deadline) throws IOException {
        try {
            if (deadline == Completion.NO_DEADLINE) {
                lock.lockInterruptibly();
            } else if (!lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                return Completion.TIMED_OUT;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another caller of the socket");
        }
        try {
            return call(done, command, deadline);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Submits {@code command} (waiting while the queue is full) and parks until {@code done} completes.
     *
     * @return the result, or {@link Completion#TIMED_OUT}
     * @throws InterruptedIOException when the thread was interrupted before the stack took the command (its
     *                                interrupt flag stays set)
     * @throws IOException            when the stack stopped
     */
    int call(Completion done, StackCommand command, long deadline) throws IOException {
        while (!commands.submit(command)) {
            if (commands.isClosed()) {
                throw new IOException("the stack has stopped");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while the stack's command queue was full");
            }
            LockSupport.parkNanos(FULL_BACKOFF_NANOS); // bounded queue: back-pressure on the callers
        }
        int r = done.await(deadline, commands);
        if (r == Completion.STOPPED) {
            throw new IOException("the stack has stopped");
        }
        if (r == Completion.INTERRUPTED) {
            throw new InterruptedIOException("interrupted while waiting for the stack");
        }
        return r;
    }
}
