package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

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
 * <p>TCP will add {@code connect} and {@code listen} here over a {@link StreamTransport}, in the same way.
 */
public final class BlockingSockets {
    /** Datagrams a blocking socket's receive queue holds before it drops (counted by the transport). */
    public static final int DEFAULT_QUEUE = 256;
    /** How long a caller backs off when the command queue is full. */
    private static final long FULL_BACKOFF_NANOS = 20_000L;

    private final CommandQueue commands;
    private final DatagramTransport datagrams;

    public BlockingSockets(CommandQueue commands, DatagramTransport datagrams) {
        this.commands = commands;
        this.datagrams = datagrams;
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
     * Submits {@code command} (waiting while the queue is full) and parks until {@code done} completes.
     *
     * @return the result, or {@link Completion#TIMED_OUT}
     * @throws IOException when the stack stopped
     */
    int call(Completion done, StackCommand command, long deadline) throws IOException {
        while (!commands.submit(command)) {
            if (commands.isClosed()) {
                throw new IOException("the stack has stopped");
            }
            LockSupport.parkNanos(FULL_BACKOFF_NANOS); // bounded queue: back-pressure on the callers
        }
        int r = done.await(deadline, commands);
        if (r == Completion.STOPPED) {
            throw new IOException("the stack has stopped");
        }
        return r;
    }
}
