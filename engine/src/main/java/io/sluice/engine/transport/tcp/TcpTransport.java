package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.CommandQueue;
import io.sluice.engine.socket.SocketResult;
import io.sluice.engine.socket.StreamHandler;
import io.sluice.engine.socket.StreamListener;
import io.sluice.engine.socket.StreamSocket;
import io.sluice.engine.socket.StreamTransport;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.transport.TransportProtocol;
import io.sluice.engine.wire.Ipv4Header;
import java.util.Map;
import java.util.Objects;

/**
 * TCP under the socket API: a {@link TcpStack} plugged into the plane as a transport protocol, with the socket
 * package's {@link StreamTransport} and {@link StreamSocket} over its connections, and the stack's shared
 * {@link CommandQueue} drained at each tick so that application threads ({@link
 * io.sluice.engine.socket.BlockingSockets}) reach it.
 *
 * <pre>{@code
 * CommandQueue commands = new CommandQueue(1024);
 * UdpProtocol udp = new UdpProtocol(commands);
 * TcpTransport tcp = new TcpTransport(new TcpConfig(), commands);
 * tcp.listen(0, 7, 128, (p, s) -> new TcpEcho.Connection());
 * Forwarder f = Forwarder.builder(config).transport(udp).transport(tcp).start();
 * }</pre>
 *
 * <p>Each {@link TcpHandler} callback becomes the {@link StreamHandler} one, with the stage's toolkit. Receive
 * back-pressure is the engine's: bytes handed to {@link StreamHandler#onData} hold the window shut until the
 * application reports them with {@link StreamSocket#consumed}. One small socket object is made per connection
 * (not per packet); it refuses every call once the connection has ended, so a reference kept too long is
 * harmless.
 */
public final class TcpTransport implements TransportProtocol, StreamTransport {
    private final TcpStack stack;
    private final CommandQueue commands;
    /** The stage's toolkit, as the last call from the plane or the application handed it. */
    private Pbufs p;

    public TcpTransport(TcpStack stack, CommandQueue commands) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    public TcpTransport(TcpConfig config, CommandQueue commands) {
        this(new TcpStack(config), commands);
    }

    public TcpTransport(TcpConfig config) {
        this(config, new CommandQueue(1024));
    }

    public TcpStack stack() {
        return stack;
    }

    /** Where application threads hand work to the stack's thread (shared with UDP). */
    public CommandQueue commands() {
        return commands;
    }

    public TcpCounters counters() {
        return stack.counters();
    }

    // ---------------------------------------------------------------------------------------- the plane's side

    @Override
    public int protocolNumber() {
        return Ipv4Header.PROTOCOL_TCP;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Map<String, Long> nonZeroCounters() {
        return stack.counters().nonZero();
    }

    @Override
    public void attach(IpOutput output) {
        stack.attach(output);
    }

    @Override
    public int deliver(Pbufs p, int packet, int l3Offset, Emitter emitter) {
        this.p = p;
        return stack.deliver(p, packet, l3Offset, emitter);
    }

    @Override
    public int tick(Pbufs p, long nanoTime) {
        this.p = p;
        return stack.tick(p, nanoTime) + commands.drain(p);
    }

    @Override
    public void icmpError(Pbufs p, int packet, int quoteOffset, int type, int code, int rest) {
        this.p = p;
        stack.icmpError(p, packet, quoteOffset, type, code, rest);
    }

    /** Connections close (their handlers hear it), then pending commands fail their callers. */
    @Override
    public void release(Pbufs p) {
        this.p = p;
        stack.release(p);
        commands.close(p);
    }

    // ---------------------------------------------------------------------------------------- the application's side

    @Override
    public AutoCloseable listen(int localAddr, int localPort, int backlog, StreamListener listener) {
        Objects.requireNonNull(listener, "listener");
        TcpListener l = stack.listen(localAddr, localPort, c -> {
            Socket s = new Socket(c);
            StreamHandler h = listener.onAccept(p, s);
            if (h == null) {
                return null;
            }
            s.handler = h;
            return s;
        });
        return l::close;
    }

    @Override
    public StreamSocket connect(Pbufs p, int remoteAddr, int remotePort, StreamHandler handler) {
        Objects.requireNonNull(handler, "handler");
        this.p = p;
        Socket s = new Socket(null);
        s.handler = handler;
        TcpConnection c = stack.connect(p, remoteAddr, remotePort, s);
        if (c == null) {
            return null;
        }
        s.remember(c);
        return s;
    }

    /** One connection as a {@link StreamSocket}, and the engine's callbacks turned into the socket API's. */
    private final class Socket implements StreamSocket, TcpHandler {
        /** The connection; null once it has ended (the engine reuses the object). */
        TcpConnection c;
        StreamHandler handler;
        private int localAddr;
        private int localPort;
        private int remoteAddr;
        private int remotePort;

        Socket(TcpConnection c) {
            if (c != null) {
                remember(c);
            }
        }

        /** Takes the connection and its addresses (kept for after it ends). */
        void remember(TcpConnection c) {
            this.c = c;
            localAddr = c.localAddress();
            localPort = c.localPort();
            remoteAddr = c.remoteAddress();
            remotePort = c.remotePort();
        }

        private TcpConnection conn() {
            return c;
        }

        @Override
        public int localAddress() {
            return c != null ? c.localAddress() : localAddr;
        }

        @Override
        public int localPort() {
            return c != null ? c.localPort() : localPort;
        }

        @Override
        public int remoteAddress() {
            return c != null ? c.remoteAddress() : remoteAddr;
        }

        @Override
        public int remotePort() {
            return c != null ? c.remotePort() : remotePort;
        }

        @Override
        public int send(Pbufs p, int chain) {
            TcpTransport.this.p = p;
            TcpConnection c = conn();
            if (c == null || !c.canQueue()) {
                p.freem(chain);
                return SocketResult.DROPPED;
            }
            int len = p.length(chain);
            if (len > c.sendBuffer) {
                // Refused rather than NO_ROOM: it would never fit, and a caller waiting for room would spin for
                // ever. Refused rather than taken in part: send is all or nothing, sendSome is the partial write.
                return SocketResult.TOO_BIG;
            }
            if (len > c.sendSpace()) {
                c.wantSendSpace = true; // onSendSpace when the peer acknowledges some
                return SocketResult.NO_ROOM;
            }
            int rest = c.send(p, chain);
            if (rest != PbufHandle.NULL) {
                return SocketResult.NO_ROOM; // no pbuf for a cut: nothing was taken
            }
            return SocketResult.SENT;
        }

        @Override
        public int sendSome(Pbufs p, int chain) {
            TcpTransport.this.p = p;
            TcpConnection c = conn();
            return c == null ? chain : c.send(p, chain);
        }

        @Override
        public int sendSpace() {
            TcpConnection c = conn();
            return c == null ? 0 : c.sendSpace();
        }

        @Override
        public void consumed(int bytes) {
            TcpConnection c = conn();
            if (c != null) {
                c.consumed(bytes);
            }
        }

        @Override
        public void requestTick() {
            TcpConnection c = conn();
            if (c != null) {
                c.requestTick();
            }
        }

        @Override
        public void setNoDelay(boolean on) {
            TcpConnection c = conn();
            if (c != null) {
                c.setNoDelay(on);
            }
        }

        @Override
        public void shutdownOutput(Pbufs p) {
            TcpTransport.this.p = p;
            TcpConnection c = conn();
            if (c != null) {
                c.close(); // TCP's CLOSE is a half close: FIN after the data, receiving goes on (RFC 9293 3.10.4)
            }
        }

        @Override
        public void close(Pbufs p) {
            shutdownOutput(p);
        }

        @Override
        public void abort(Pbufs p) {
            TcpTransport.this.p = p;
            TcpConnection c = conn();
            if (c != null) {
                c.abort();
            }
        }

        @Override
        public boolean isClosed() {
            return c == null;
        }

        // ------------------------------------------------------------------------------------ TcpHandler

        @Override
        public void onConnected(TcpConnection c) {
            remember(c);
            handler.onConnected(p, this);
        }

        @Override
        public void onData(TcpConnection c, Pbufs p, int chain) {
            handler.onData(p, this, chain);
        }

        @Override
        public void onSendSpace(TcpConnection c, int space) {
            handler.onSendSpace(p, this, space);
        }

        @Override
        public void onTick(TcpConnection c) {
            handler.onTick(p, this);
        }

        @Override
        public void onPeerClosed(TcpConnection c) {
            handler.onPeerClosed(p, this);
        }

        @Override
        public void onClosed(TcpConnection c, int reason) {
            this.c = null;
            handler.onClosed(p, this, reason);
        }
    }
}
