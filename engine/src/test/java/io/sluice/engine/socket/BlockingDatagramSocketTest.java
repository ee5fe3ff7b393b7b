package io.sluice.engine.socket;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The blocking datagram socket over a socket of the test's own, with a stack's thread that only drains the
 * command queue: it lets the test hold the stack at the moment a datagram is handed over.
 */
class BlockingDatagramSocketTest {
    private static final long MILLI = 1_000_000L;

    /**
     * One queued datagram whose hand-over waits until the receiver has given up (or 300 ms): the moment a
     * receive's deadline passes as the stack takes the datagram for it.
     */
    static final class SlowSocket implements DatagramSocket {
        int chain = PbufHandle.NULL;
        volatile CompletableFuture<Integer> receiver;
        boolean closed;

        @Override
        public int poll(Pbufs p, DatagramHandler handler, int max) {
            if (chain == PbufHandle.NULL) {
                return 0;
            }
            long until = System.nanoTime() + 300 * MILLI;
            while (System.nanoTime() < until && (receiver == null || !receiver.isDone())) {
                Thread.onSpinWait();
            }
            int c = chain;
            chain = PbufHandle.NULL;
            handler.onDatagram(p, this, c, 0x0a000001, 4000);
            return 1;
        }

        @Override
        public int queued() {
            return chain == PbufHandle.NULL ? 0 : 1;
        }

        @Override
        public void close(Pbufs p) {
            p.freem(chain);
            chain = PbufHandle.NULL;
            closed = true;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public int localAddress() {
            return 0;
        }

        @Override
        public int localPort() {
            return 9;
        }

        @Override
        public int sendTo(Pbufs p, int chain, int dstAddr, int dstPort) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int send(Pbufs p, int chain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void connect(int peerAddr, int peerPort) {
        }

        @Override
        public void handler(DatagramHandler handler) {
        }

        @Override
        public int takeError() {
            return 0;
        }
    }

    @Test
    void aReceiveThatGivesUpAsADatagramIsHandedOverLosesNothing() throws Exception {
        try (PbufPool pool = PbufPool.create(64)) {
            CommandQueue commands = new CommandQueue(64);
            SlowSocket socket = new SlowSocket();
            BlockingSockets sockets = new BlockingSockets(commands, (addr, port, handler, capacity) -> socket);
            CompletableFuture<Void> stack = new CompletableFuture<>();
            Thread.ofPlatform().name("stack").start(() -> {
                try (Pbufs p = pool.local()) {
                    int c = p.alloc(Layer.TRANSPORT, 3);
                    p.copyback(c, 0, new byte[] {1, 2, 3}, 0, 3);
                    socket.chain = c;
                    while (!commands.isClosed()) {
                        commands.drain(p);
                        Thread.onSpinWait();
                    }
                    socket.close(p);
                    stack.complete(null);
                } catch (Throwable t) {
                    stack.completeExceptionally(t);
                }
            });
            BlockingDatagramSocket s = sockets.openDatagram(0, 9);
            byte[] buf = new byte[10];
            CompletableFuture<Integer> first = new CompletableFuture<>();
            socket.receiver = first;
            Thread.ofVirtual().start(() -> {
                try {
                    first.complete(s.receive(buf, 0, buf.length, System.nanoTime() + 50 * MILLI));
                } catch (Throwable t) {
                    first.completeExceptionally(t);
                }
            });
            int r = first.get(5, TimeUnit.SECONDS);
            if (r == Completion.TIMED_OUT) {
                // It gave up first: the datagram must still be there for the next receive.
                r = s.receive(buf, 0, buf.length, System.nanoTime() + 1000 * MILLI);
            }
            assertEquals(3, r, "the datagram reached a receiver");
            assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(buf, 3));
            assertEquals(0x0a000001, s.sourceAddress());
            s.close();
            assertTrue(commands.submit(p -> {
                commands.close(p);
                return true;
            }));
            stack.get(5, TimeUnit.SECONDS);
            assertEquals(0, pool.stats().inUse(), () -> "every pbuf back: " + pool.leakReport());
        }
    }
}
