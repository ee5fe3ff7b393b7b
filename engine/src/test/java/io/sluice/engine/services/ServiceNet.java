package io.sluice.engine.services;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.CommandQueue;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamSocket;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.LoopbackIpOutput;
import io.sluice.engine.transport.tcp.TcpConfig;
import io.sluice.engine.transport.tcp.TcpTransport;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * A client host and a server host, each a {@link TcpTransport}, on one pool and an in-memory wire, driven in
 * virtual time on the test's thread: deterministic, and allocation-free per round. The pool can be drained (all
 * its free pbufs taken) and refilled, to put a service in front of an empty pool; it must be full again at
 * {@link #close}.
 */
final class ServiceNet implements AutoCloseable {
    static final int CLIENT = 0x0A000001;
    static final int SERVER = 0x0A000002;
    /** Virtual time per round: both ticks, then the wire both ways. */
    static final long ROUND = 100_000L;

    final PbufPool pool;
    final Pbufs p;
    final TcpTransport client = new TcpTransport(config(1), new CommandQueue(64));
    final TcpTransport server = new TcpTransport(config(2), new CommandQueue(64));
    private final LoopbackIpOutput toServer = new LoopbackIpOutput(CLIENT, SERVER, 1500, 1 << 12);
    private final LoopbackIpOutput toClient = new LoopbackIpOutput(SERVER, CLIENT, 1500, 1 << 12);
    private final Emitter emitter = new Emitter(64);
    private final int[] hog;
    private int hogCount;
    long now = 1_000_000_000L;

    ServiceNet(int slots) {
        pool = PbufPool.create(slots);
        p = pool.local();
        hog = new int[slots];
        client.attach(toServer);
        server.attach(toClient);
        client.tick(p, now);
        server.tick(p, now);
    }

    static TcpConfig config(long seed) {
        return new TcpConfig().maxConnections(16).msl(100_000_000L).minRto(20_000_000L).initialRto(200_000_000L)
            .delayedAck(5_000_000L).sendBuffer(64 * 1024).receiveBuffer(64 * 1024).seed(seed);
    }

    /** One round: time moves on, both hosts tick, then what each sent reaches the other. */
    void round() {
        now += ROUND;
        client.tick(p, now);
        server.tick(p, now);
        toServer.deliverTo(server, p, emitter);
        toClient.deliverTo(client, p, emitter);
    }

    /** Rounds until {@code done}, at most {@code max}; whether it came. */
    boolean runUntil(BooleanSupplier done, int max) {
        for (int i = 0; i < max && !done.getAsBoolean(); i++) {
            round();
        }
        return done.getAsBoolean();
    }

    /** Hands the server what the client sent, without a tick (to act between handshake and first data). */
    void deliverToServer() {
        toServer.deliverTo(server, p, emitter);
    }

    /** Hands the client what the server sent, without a tick. */
    void deliverToClient() {
        toClient.deliverTo(client, p, emitter);
    }

    /** Takes every free pbuf but {@code keep} (the pool's reserve stays: receive and ACKs may use it). */
    void drain(int keep) {
        int h;
        while ((h = p.alloc(Layer.RAW, 1)) != PbufHandle.NULL) {
            hog[hogCount++] = h;
        }
        assertTrue(hogCount >= keep, "the pool had " + hogCount + " free pbufs");
        while (keep-- > 0) {
            p.freem(hog[--hogCount]);
        }
    }

    /** Gives back what {@link #drain} took. */
    void refill() {
        while (hogCount > 0) {
            p.freem(hog[--hogCount]);
        }
    }

    /** Connections closed, wires emptied, the pool full again. */
    @Override
    public void close() {
        refill();
        client.release(p);
        server.release(p);
        toServer.free(p);
        toClient.free(p);
        p.close();
        assertEquals(0, pool.stats().inUse(), () -> "every pbuf back: " + pool.leakReport());
        pool.close();
    }

    /**
     * A client: sends {@code request} once connected, then copies what arrives into {@link #got} (as much as
     * fits, counting it all) and gives the window back. Allocation-free.
     */
    static final class Reader implements StreamHandler {
        final byte[] got;
        /** {@link #got} as a segment: Pbufs' byte[] copies wrap the array each call (an allocation). */
        private final MemorySegment gotView;
        long received;
        MemorySegment request;
        StreamSocket socket;
        boolean peerClosed;
        boolean closed;

        Reader(int capacity) {
            got = new byte[capacity];
            gotView = MemorySegment.ofArray(got);
        }

        Reader request(byte[] r) {
            request = MemorySegment.ofArray(r);
            return this;
        }

        @Override
        public void onConnected(Pbufs p, StreamSocket s) {
            socket = s;
            if (request != null) {
                send(p);
            }
        }

        /** Sends the request (again); the test's requests fit the send buffer. */
        void send(Pbufs p) {
            int len = (int) request.byteSize();
            int chain = p.alloc(Layer.RAW, len);
            if (chain == PbufHandle.NULL) {
                throw new AssertionError("no pbufs for the request");
            }
            p.copyback(chain, 0, request, 0, len);
            if (socket.sendSome(p, chain) != PbufHandle.NULL) {
                throw new AssertionError("the request did not fit");
            }
        }

        @Override
        public void onData(Pbufs p, StreamSocket s, int chain) {
            int n = p.length(chain);
            int at = (int) Math.min(received, got.length);
            p.copydata(chain, 0, Math.min(n, got.length - at), gotView, at);
            received += n;
            p.freem(chain);
            s.consumed(n);
        }

        @Override
        public void onPeerClosed(Pbufs p, StreamSocket s) {
            peerClosed = true;
        }

        @Override
        public void onClosed(Pbufs p, StreamSocket s, int reason) {
            closed = true;
        }
    }
}
