package io.sluice.engine.transport.tcp;

import io.sluice.engine.inet.IcmpRateLimiter;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.transport.TransportProtocol;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.TcpHeader;
import java.security.SecureRandom;
import java.util.Random;

/**
 * TCP (RFC 9293) as a transport protocol of the plane: the connection table (a hash on the 4-tuple, then the
 * listen table), the application's calls, and the timers. Segment processing is {@link TcpInput}'s, segment
 * building {@link TcpOutput}'s.
 *
 * <p>Single-threaded: everything, the application's callbacks and calls included, runs on the stage's thread.
 * Connection objects are made up front ({@link TcpConfig#maxConnections}) and reused; the data path allocates
 * nothing. Work an application asks for outside a stack call (a send from the stage's {@code execute}) goes out at
 * once; inside one (from a callback) it goes out when the call returns.
 */
public final class TcpStack implements TransportProtocol {
    private static final int EPHEMERAL_FIRST = 49_152;
    private static final int EPHEMERAL_COUNT = 65_536 - EPHEMERAL_FIRST;

    final TcpConfig config;
    final TcpCounters counters = new TcpCounters();
    final TcpOutput out;
    private final TcpInput in;
    final KeyedHash hash;
    final IcmpRateLimiter challengeAcks;
    private final TcpConnection[] conns;
    private final int[] free;
    private int freeCount;
    /** Connections in use, densely, for the timer scan; {@code activeAt[index]} is each one's position. */
    private final int[] active;
    private final int[] activeAt;
    private int activeCount;
    private final ConnectionTable table;
    private final TcpListener[] listeners = new TcpListener[65_536];
    private final int[] dead;
    private int deadCount;
    private final int[] pending;
    private int pendingCount;
    private int ephemeralNext;
    /** Nesting of stack calls: output and reaping wait for the outermost to end. */
    private int depth;
    /** The toolkit of the stage's thread, as the last stack call was handed it. */
    private Pbufs p;
    long now;
    private boolean pruned;
    private long prunedAt;

    public TcpStack(TcpConfig config) {
        this.config = config.conclude();
        Random keys = config.seed() == 0 ? new SecureRandom() : new Random(config.seed());
        this.hash = new KeyedHash(keys.nextLong(), keys.nextLong());
        this.table = new ConnectionTable(config.maxConnections(), keys.nextLong());
        this.ephemeralNext = keys.nextInt(EPHEMERAL_COUNT);
        this.challengeAcks = new IcmpRateLimiter(config.challengeAcksPerSecond());
        int n = config.maxConnections();
        this.conns = new TcpConnection[n];
        this.free = new int[n];
        this.active = new int[n];
        this.activeAt = new int[n];
        this.dead = new int[n];
        this.pending = new int[n];
        for (int i = 0; i < n; i++) {
            conns[i] = new TcpConnection(this, i, config);
            free[i] = n - 1 - i;
        }
        freeCount = n;
        this.out = new TcpOutput(this, counters);
        this.in = new TcpInput(this, counters);
    }

    @Override
    public int protocolNumber() {
        return Ipv4Header.PROTOCOL_TCP;
    }

    @Override
    public void attach(IpOutput output) {
        out.attach(output);
    }

    public TcpCounters counters() {
        return counters;
    }

    public TcpConfig config() {
        return config;
    }

    /** Connections in use (every state but LISTEN, TIME-WAIT included). */
    public int connections() {
        return activeCount;
    }

    /** MIB-2 tcpCurrEstab: connections in ESTABLISHED or CLOSE-WAIT (a scan: for reports, off the data path). */
    public int currentEstablished() {
        int n = 0;
        for (int k = 0; k < activeCount; k++) {
            int st = conns[active[k]].state;
            if (st == TcpState.ESTABLISHED || st == TcpState.CLOSE_WAIT) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------- the plane's side

    @Override
    public int deliver(Pbufs p, int packet, int l3Offset, Emitter emitter) {
        enter(p);
        in.segment(p, packet, l3Offset);
        leave();
        return TAKEN;
    }

    @Override
    public int tick(Pbufs p, long nanoTime) {
        now = nanoTime;
        enter(p);
        int work = 0;
        for (int k = 0; k < activeCount; k++) {
            TcpConnection c = conns[active[k]];
            if (!c.dead) {
                work += timers(p, c, nanoTime);
            }
        }
        leave();
        return work;
    }

    @Override
    public void release(Pbufs p) {
        enter(p);
        for (int k = 0; k < activeCount; k++) {
            TcpConnection c = conns[active[k]];
            if (!c.dead) {
                closeConnection(c, TcpCloseReason.RELEASED);
            }
        }
        leave();
    }

    private void enter(Pbufs p) {
        this.p = p;
        depth++;
    }

    private void leave() {
        if (--depth > 0) {
            return;
        }
        depth++; // output and callbacks below may queue more work: it is taken in this loop
        for (int k = 0; k < pendingCount; k++) {
            TcpConnection c = conns[pending[k]];
            c.pendingOutput = false;
            if (!c.dead) {
                out.output(p, c, now, false);
            }
        }
        pendingCount = 0;
        for (int k = 0; k < deadCount; k++) {
            reap(p, conns[dead[k]]);
        }
        deadCount = 0;
        depth--;
    }

    /** Sends the connection's output at the end of the stack call, or now when there is none. */
    void schedule(TcpConnection c) {
        if (depth == 0 && p != null) {
            out.output(p, c, now, false);
            return;
        }
        if (!c.pendingOutput) {
            c.pendingOutput = true;
            pending[pendingCount++] = c.index;
        }
    }

    // ---------------------------------------------------------------------------------------- timers

    private int timers(Pbufs p, TcpConnection c, long now) {
        int work = 0;
        if (c.state == TcpState.TIME_WAIT) {
            if (now - c.timeWaitAt >= 0) {
                closeConnection(c, TcpCloseReason.NORMAL); // 2 MSL passed (RFC 9293 3.10.8)
                return 1;
            }
            return 0;
        }
        if (c.rtxOn && now - c.rtxAt >= 0) {
            retransmitTimeout(p, c, now);
            work++;
            if (c.dead) {
                return work;
            }
        }
        if (c.persistOn && now - c.persistAt >= 0) {
            // RFC 9293 3.8.6.1: probe the zero window. The persist timer stays on (and the retransmission timer
            // off) until a window opens: probes that the peer does not take are not losses, and never time
            // the connection out while the peer answers them.
            counters.inc(TcpMib.tcpWindowProbes);
            c.sndNxt = c.sndUna; // the earlier probe byte, if any, goes again
            out.output(p, c, now, true);
            c.persistBackoff = Math.min(c.persistBackoff + 1, 16);
            armPersist(c, now);
            work++;
        }
        if (c.delackOn && now - c.delackAt >= 0) {
            c.delackOn = false;
            c.ackNow = true;
            counters.inc(TcpMib.tcpDelayedAcks);
        }
        if (c.keepalive && c.state == TcpState.ESTABLISHED && now - c.keepAt >= 0) {
            if (c.keepProbes >= config.keepaliveProbes()) {
                resetAndClose(p, c, TcpCloseReason.TIMEOUT);
                return work + 1;
            }
            // RFC 1122 4.2.3.6: a probe with SEG.SEQ = SND.NXT - 1 and no data draws an ACK.
            out.segment(p, c, c.sndUna - 1, 0, TcpHeader.ACK);
            counters.inc(TcpMib.tcpKeepaliveProbes);
            c.keepProbes++;
            c.keepAt = now + config.keepaliveInterval();
            work++;
        }
        if (c.wantTick) {
            // Not counted as work: a handler that finds the pool dry tick after tick must not keep the stage
            // from idling. It asks again each time.
            c.wantTick = false;
            if (c.handler != null && c.visible) {
                c.handler.onTick(c);
                if (c.dead) {
                    return work;
                }
            }
        }
        if (c.ackNow || c.pendingOutput) {
            c.pendingOutput = false; // output sets it again if the path below is still full
            work += out.output(p, c, now, false);
        }
        return work;
    }

    /**
     * The pool is dry even for a segment without data (the reserve too): free every out-of-order queue, once per
     * tick at most. Their data is the peers' to send again; without this, pbufs held out of order could wait for
     * a retransmission, or an ACK, that has no pbuf to go in (Linux prunes its out-of-order queues likewise).
     */
    void pressure(Pbufs p) {
        if (pruned && prunedAt == now) {
            return;
        }
        pruned = true;
        prunedAt = now;
        for (int k = 0; k < activeCount; k++) {
            TcpConnection c = conns[active[k]];
            if (!c.ofo.isEmpty()) {
                c.ofo.clear(p);
                counters.inc(TcpMib.tcpOfoPruned);
            }
        }
    }

    void armRetransmit(TcpConnection c, long now) {
        c.rtxOn = true;
        c.rtxAt = now + c.rtt.rto();
    }

    void armPersist(TcpConnection c, long now) {
        long base = Math.max(c.rtt.rto(), config.minRto());
        c.persistOn = true;
        c.persistAt = now + Math.min(base << c.persistBackoff, config.maxRto());
    }

    void armDelayedAck(TcpConnection c, long now) {
        if (!c.delackOn) {
            c.delackOn = true;
            c.delackAt = now + config.delayedAck();
        }
    }

    void touchKeepalive(TcpConnection c, long now) {
        if (c.keepalive) {
            c.keepAt = now + config.keepaliveIdle();
            c.keepProbes = 0;
        }
    }

    /** RFC 6298 5.4 to 5.7, with RFC 5681 3.1's loss window and go-back-N from SND.UNA. */
    private void retransmitTimeout(Pbufs p, TcpConnection c, long now) {
        c.rtxOn = false;
        c.retries++;
        c.rtt.backOff();
        c.rttTiming = false;
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            if (c.retries >= config.synRetries()) {
                counters.inc(TcpMib.tcpAttemptFails);
                closeConnection(c, TcpCloseReason.TIMEOUT);
                return;
            }
            counters.inc(TcpMib.tcpTimeouts);
            out.sendSyn(p, c, c.state == TcpState.SYN_RECEIVED, c.state == TcpState.SYN_SENT || c.rcvScale > 0
                || c.sndScale > 0);
            armRetransmit(c, now);
            return;
        }
        if (c.retries > config.maxRetries()) {
            resetAndClose(p, c, TcpCloseReason.TIMEOUT);
            return;
        }
        if (c.sndMax == c.sndUna) {
            return; // nothing outstanding after all
        }
        counters.inc(TcpMib.tcpTimeouts);
        c.cc.onTimeout(c.sndMax - c.sndUna, now);
        c.inRecovery = false;
        c.dupAcks = 0;
        c.recover = c.sndMax; // RFC 6582 3.2 step 4
        c.sndNxt = c.sndUna;
        out.output(p, c, now, c.sndWnd == 0);
        if (!c.rtxOn) {
            armRetransmit(c, now);
        }
    }

    // ---------------------------------------------------------------------------------------- application API

    /**
     * Listens on {@code port} (RFC 9293 3.10.1, passive open).
     *
     * @param localAddr one of the host's addresses, or 0 for any
     * @throws IllegalStateException when the port already has a listener
     */
    public TcpListener listen(int localAddr, int port, TcpAcceptor acceptor) {
        if (port <= 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port=" + port);
        }
        if (listeners[port] != null) {
            throw new IllegalStateException("port " + port + " already has a listener");
        }
        TcpListener l = new TcpListener(this, localAddr, port, acceptor, config.synBacklog());
        listeners[port] = l;
        return l;
    }

    void unlisten(TcpListener l) {
        if (listeners[l.localPort] == l) {
            listeners[l.localPort] = null;
        }
        l.open = false;
        for (int k = 0; k < activeCount; k++) {
            TcpConnection c = conns[active[k]];
            if (!c.dead && c.listener == l) {
                resetAndClose(p, c, TcpCloseReason.ABORTED);
            }
        }
    }

    TcpListener listener(int port, int localAddr) {
        TcpListener l = listeners[port];
        return l != null && (l.localAddr == 0 || l.localAddr == localAddr) ? l : null;
    }

    /**
     * Opens a connection to {@code dst:dstPort} (RFC 9293 3.10.1, active open): the SYN goes now, and the
     * handler hears {@link TcpHandler#onConnected} or {@link TcpHandler#onClosed}.
     *
     * @return the connection, or null when there is no route, no free connection or no free port
     */
    public TcpConnection connect(Pbufs p, int dst, int dstPort, TcpHandler handler) {
        return connect(p, 0, dst, dstPort, handler);
    }

    /**
     * As {@link #connect(Pbufs, int, int, TcpHandler)} from a chosen local port (a socket bound before it
     * connects), or an ephemeral one when {@code localPort} is 0.
     *
     * @return the connection, or null when there is no route, no free connection, or the 4-tuple is in use
     */
    public TcpConnection connect(Pbufs p, int localPort, int dst, int dstPort, TcpHandler handler) {
        enter(p);
        try {
            int src = out.ip().sourceFor(dst);
            if (src == 0) {
                return null;
            }
            int port = localPort != 0 ? localPort : ephemeralPort(src, dst, dstPort);
            if (port == 0 || table.find(src, port, dst, dstPort) >= 0) {
                return null;
            }
            TcpConnection c = allocate(p, src, port, dst, dstPort);
            if (c == null) {
                return null;
            }
            c.handler = handler;
            c.visible = true;
            c.state = TcpState.SYN_SENT;
            c.iss = isn(src, port, dst, dstPort);
            c.sndUna = c.iss;
            c.sndNxt = c.iss + 1;
            c.sndMax = c.iss + 1;
            c.recover = c.iss;
            c.rcvScale = windowShift(c.receiveBuffer);
            c.mss = out.ourMss(dst);
            counters.inc(TcpMib.tcpActiveOpens);
            out.sendSyn(p, c, false, true);
            c.rttTiming = true;
            c.rttSeq = c.iss;
            c.rttStart = now;
            armRetransmit(c, now);
            return c;
        } finally {
            leave();
        }
    }

    int send(Pbufs p, TcpConnection c, int chain) {
        if (!c.canQueue()) {
            return chain;
        }
        int len = p.length(chain);
        int space = c.sendBuffer - c.sndQueueLen;
        if (space <= 0) {
            c.wantSendSpace = true;
            return chain;
        }
        int rest = PbufHandle.NULL;
        if (len > space) {
            rest = p.split(chain, space);
            if (rest == PbufHandle.NULL) {
                counters.drop(TcpDrop.NO_BUFFERS);
                c.wantSendSpace = true;
                return chain; // no pbuf for the cut: take nothing
            }
            len = space;
            c.wantSendSpace = true;
        }
        SendQueue.append(p, c, chain, len);
        if (this.p == null) {
            this.p = p;
        }
        if (TcpState.canSend(c.state)) {
            schedule(c);
        }
        return rest;
    }

    void consumed(TcpConnection c, int bytes) {
        if (bytes <= 0 || c.dead) {
            return;
        }
        c.rcvHeld = Math.max(0, c.rcvHeld - bytes);
        int free = c.receiveBuffer - c.rcvHeld;
        int cur = Math.max(0, c.rcvAdvEdge - c.rcvNxt);
        // RFC 9293 3.8.6.2.2: a window update when the edge would move by min(buffer / 2, MSS) or more, and
        // (as Linux does) only when the window at least doubles: an application that consumes as data comes
        // would otherwise draw an ACK per segment, defeating delayed ACKs; the data's own ACKs carry the edge.
        if (TcpState.isSynchronized(c.state) && !c.finReceived
            && free - cur >= Math.min(c.receiveBuffer / 2, c.mss) && free >= 2 * cur) {
            c.ackNow = true;
            schedule(c);
        }
    }

    void close(TcpConnection c) {
        if (c.dead || c.finQueued) {
            return;
        }
        switch (c.state) {
            case TcpState.SYN_SENT -> closeConnection(c, TcpCloseReason.NORMAL); // RFC 9293 3.10.4
            case TcpState.SYN_RECEIVED, TcpState.ESTABLISHED -> {
                c.finQueued = true;
                if (c.state == TcpState.ESTABLISHED) {
                    c.state = TcpState.FIN_WAIT_1;
                    schedule(c);
                }
            }
            case TcpState.CLOSE_WAIT -> {
                c.finQueued = true;
                c.state = TcpState.LAST_ACK;
                schedule(c);
            }
            default -> {
            }
        }
        if (depth == 0 && p != null) {
            flushDead();
        }
    }

    void abort(TcpConnection c) {
        if (c.dead) {
            return;
        }
        if (p == null) {
            closeConnection(c, TcpCloseReason.ABORTED);
            return;
        }
        resetAndClose(p, c, TcpCloseReason.ABORTED);
        if (depth == 0) {
            flushDead();
        }
    }

    void setKeepAlive(TcpConnection c, boolean on) {
        c.keepalive = on;
        touchKeepalive(c, now);
    }

    private void flushDead() {
        enter(p);
        leave();
    }

    // ---------------------------------------------------------------------------------------- connections

    /**
     * A free connection entered in the table, or null (table full, counted). With none free, the TIME-WAIT
     * connection nearest its end gives its block up first, as Linux does when its time-wait buckets run out: a
     * server that closes first (HTTP without keep-alive) holds every connection for 2 MSL, and would otherwise stop
     * taking connections after {@link TcpConfig#maxConnections} of them in a minute. The hazard TIME-WAIT guards
     * against (an old duplicate segment taken into a new connection of the same tuple, RFC 1337) is the price;
     * counted as {@link TcpMib#tcpTimeWaitRecycled}.
     */
    TcpConnection allocate(Pbufs p, int localAddr, int localPort, int remoteAddr, int remotePort) {
        if (freeCount == 0 && !recycleTimeWait(p)) {
            counters.drop(TcpDrop.TABLE_FULL);
            return null;
        }
        TcpConnection c = conns[free[--freeCount]];
        c.reset(localAddr, localPort, remoteAddr, remotePort, config);
        table.put(localAddr, localPort, remoteAddr, remotePort, c.index);
        activeAt[c.index] = activeCount;
        active[activeCount++] = c.index;
        return c;
    }

    TcpConnection find(int localAddr, int localPort, int remoteAddr, int remotePort) {
        int i = table.find(localAddr, localPort, remoteAddr, remotePort);
        return i < 0 ? null : conns[i];
    }

    /** Whether the stack could take one more connection now (a TIME-WAIT one may give its block up). */
    boolean hasFreeConnection() {
        return freeCount > 0 || oldestTimeWait() >= 0;
    }

    /** A TIME-WAIT connection whose tuple a new SYN takes over (RFC 1122 4.2.2.13): reaped now. */
    void reuseTimeWait(Pbufs p, TcpConnection c) {
        counters.inc(TcpMib.tcpTimeWaitReused);
        reap(p, c);
    }

    /** Reaps the TIME-WAIT connection nearest its end. @return false when none is in TIME-WAIT */
    private boolean recycleTimeWait(Pbufs p) {
        int i = oldestTimeWait();
        if (i < 0) {
            return false;
        }
        counters.inc(TcpMib.tcpTimeWaitRecycled);
        reap(p, conns[i]);
        return true;
    }

    /** The index of the TIME-WAIT connection whose 2 MSL end first, or -1. A scan, only when the table is full. */
    private int oldestTimeWait() {
        int best = -1;
        long bestAt = 0;
        for (int k = 0; k < activeCount; k++) {
            TcpConnection c = conns[active[k]];
            if (c.state == TcpState.TIME_WAIT && !c.dead && (best < 0 || c.timeWaitAt - bestAt < 0)) {
                best = c.index;
                bestAt = c.timeWaitAt;
            }
        }
        return best;
    }

    /** Sends a RST for the connection (RFC 9293 3.10.5: SEQ = SND.NXT) and closes it. */
    void resetAndClose(Pbufs p, TcpConnection c, int reason) {
        if (TcpState.isSynchronized(c.state) || c.state == TcpState.SYN_RECEIVED) {
            out.sendReset(p, c.localAddr, c.localPort, c.remoteAddr, c.remotePort, c.sndNxt, c.rcvNxt, true);
        }
        closeConnection(c, reason);
    }

    /**
     * Ends the connection: CLOSED, the application told once (if it ever saw the connection), the block reaped
     * at the end of the stack call.
     */
    void closeConnection(TcpConnection c, int reason) {
        if (c.dead) {
            return;
        }
        if (c.state == TcpState.SYN_RECEIVED && c.listener != null) {
            c.listener.backlog--;
            c.listener = null;
        }
        c.state = TcpState.CLOSED;
        c.dead = true;
        c.rtxOn = c.persistOn = c.delackOn = false;
        dead[deadCount++] = c.index;
        notifyClosed(c, reason);
    }

    /** TIME-WAIT (RFC 9293 3.10.7.4): the application is done with it; the tuple is held for 2 MSL. */
    void enterTimeWait(TcpConnection c, long now) {
        c.state = TcpState.TIME_WAIT;
        c.timeWaitAt = now + 2 * config.msl();
        c.rtxOn = c.persistOn = c.delackOn = false;
        c.keepalive = false;
        notifyClosed(c, TcpCloseReason.NORMAL);
    }

    private void notifyClosed(TcpConnection c, int reason) {
        if (c.visible) {
            c.visible = false;
            TcpHandler h = c.handler;
            if (h != null) {
                h.onClosed(c, reason);
            }
        }
    }

    private void reap(Pbufs p, TcpConnection c) {
        table.remove(c.localAddr, c.localPort, c.remoteAddr, c.remotePort);
        SendQueue.clear(p, c);
        c.ofo.clear(p);
        c.handler = null;
        int at = activeAt[c.index];
        int last = active[--activeCount];
        active[at] = last;
        activeAt[last] = at;
        free[freeCount++] = c.index;
    }

    /** RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4-microsecond clock. */
    int isn(int localAddr, int localPort, int remoteAddr, int remotePort) {
        return (int) (now / 4_000) + (int) hash.tuple(localAddr, localPort, remoteAddr, remotePort, 0);
    }

    /** RFC 6056 algorithm 3: a keyed per-destination offset into the ephemeral range, then a counter. */
    private int ephemeralPort(int src, int dst, int dstPort) {
        int offset = (int) ((hash.tuple(src, 0, dst, dstPort, 1) & 0x7FFF_FFFF) % EPHEMERAL_COUNT);
        for (int k = 0; k < EPHEMERAL_COUNT; k++) {
            int port = EPHEMERAL_FIRST + (offset + ephemeralNext + k) % EPHEMERAL_COUNT;
            if (listeners[port] == null && table.find(src, port, dst, dstPort) < 0) {
                ephemeralNext += k + 1;
                return port;
            }
        }
        return 0;
    }

    /** The window scale that lets a 16-bit field carry the buffer (RFC 7323 2.3). */
    static int windowShift(int buffer) {
        int shift = 0;
        while (shift < 14 && (buffer >>> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }
}
