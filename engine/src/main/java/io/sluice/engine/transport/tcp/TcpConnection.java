package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;

/**
 * One TCP connection: its Transmission Control Block (RFC 9293 3.3.1) and the application's side of it. The
 * stack makes every connection object up front and reuses it; the application must drop its reference once
 * {@link TcpHandler#onClosed} has been called. Everything runs on the stage's thread.
 *
 * <p>Send queue: the bytes from SND.UNA on, acknowledged or not yet sent, as one pbuf chain. Acknowledged
 * bytes are trimmed off its front; each transmission copies its bytes into a new segment, since a pbuf has a
 * single owner and the queue must keep them until they are acknowledged.
 */
public final class TcpConnection {
    final TcpStack stack;
    /** Index in the stack's connection array. */
    final int index;
    final RttEstimator rtt;
    final OutOfOrderQueue ofo;
    final CongestionControl cc;

    int state = TcpState.CLOSED;
    int localAddr;
    int localPort;
    int remoteAddr;
    int remotePort;
    TcpHandler handler;
    /** The listener of a passive open while in SYN-RECEIVED (its backlog counts this connection). */
    TcpListener listener;
    /** Whether the application has seen it (onConnected or onAccept): only then does it hear onClosed. */
    boolean visible;
    /** Closed, waiting to be reaped at the end of the current stack call. */
    boolean dead;

    // Send sequence space (RFC 9293 3.3.1).
    int iss;
    int sndUna;
    int sndNxt;
    /** The highest sequence number sent (BSD's snd_max): SND.NXT goes back to SND.UNA on a timeout. */
    int sndMax;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    /** The largest window the peer offered (RFC 5961 5.2, sender SWS avoidance RFC 9293 3.8.6.2.1). */
    int maxSndWnd;
    /** Shift of the peer's windows and of ours (RFC 7323 2.2); both 0 unless both SYNs carried the option. */
    int sndScale;
    int rcvScale;
    /** Our effective send MSS (RFC 9293 3.7.1). */
    int mss;
    /** The send queue from SND.UNA on; its tail and cursor are {@link SendQueue}'s. */
    int sndQueue = PbufHandle.NULL;
    int sndQueueTail = PbufHandle.NULL;
    int sndCursor = PbufHandle.NULL;
    int sndCursorStart;
    int sndQueueLen;
    int sendBuffer;
    /** The application closed: FIN goes after the queued data. */
    boolean finQueued;
    boolean finAcked;
    /** A send was refused for lack of room: tell the application when there is some. */
    boolean wantSendSpace;
    /** The application asked for {@link TcpHandler#onTick} at the next tick ({@link #requestTick}). */
    boolean wantTick;
    boolean noDelay;

    // Receive sequence space.
    int irs;
    int rcvNxt;
    /** RCV.NXT + the window last advertised: the right edge, which must never move left (RFC 9293 3.8.6). */
    int rcvAdvEdge;
    int receiveBuffer;
    /** Bytes handed to the application and not yet {@link #consumed}. */
    int rcvHeld;
    boolean finReceived;

    // Acknowledgments.
    boolean ackNow;
    /** Full-sized segments received since the last ACK we sent (RFC 1122 4.2.3.2: ACK every second one). */
    int segsSinceAck;

    // Timers: deadline and whether armed.
    long rtxAt;
    boolean rtxOn;
    int retries;
    long persistAt;
    boolean persistOn;
    int persistBackoff;
    long delackAt;
    boolean delackOn;
    long keepAt;
    boolean keepalive;
    int keepProbes;
    long timeWaitAt;

    // RTT measurement (Karn: one timed segment, never a retransmitted one).
    boolean rttTiming;
    int rttSeq;
    long rttStart;

    // Fast retransmit and NewReno (RFC 5681 3.2, RFC 6582).
    int dupAcks;
    boolean inRecovery;
    int recover;

    /** Queued for output at the end of the current stack call. */
    boolean pendingOutput;
    /** The application's own object for this connection (a socket layer's socket), or null. */
    private Object attachment;

    TcpConnection(TcpStack stack, int index, TcpConfig config) {
        this.stack = stack;
        this.index = index;
        this.rtt = new RttEstimator(config.minRto(), config.maxRto(), config.initialRto());
        this.ofo = new OutOfOrderQueue(config.ofoSegments(), config.ofoPbufs());
        this.cc = CongestionControl.create(config.congestion());
    }

    /** Clears the block for a new connection (the queues are already empty). */
    void reset(int localAddr, int localPort, int remoteAddr, int remotePort, TcpConfig config) {
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        state = TcpState.CLOSED;
        handler = null;
        listener = null;
        visible = false;
        dead = false;
        iss = sndUna = sndNxt = sndMax = sndWnd = sndWl1 = sndWl2 = maxSndWnd = 0;
        sndScale = rcvScale = 0;
        mss = 536;
        sndQueue = sndQueueTail = sndCursor = PbufHandle.NULL;
        sndQueueLen = 0;
        sendBuffer = config.sendBuffer();
        finQueued = finAcked = wantSendSpace = wantTick = noDelay = false;
        irs = rcvNxt = rcvAdvEdge = 0;
        receiveBuffer = config.receiveBuffer();
        rcvHeld = 0;
        finReceived = false;
        ackNow = false;
        segsSinceAck = 0;
        rtxOn = persistOn = delackOn = keepalive = false;
        retries = persistBackoff = keepProbes = 0;
        rttTiming = false;
        dupAcks = 0;
        inRecovery = false;
        pendingOutput = false;
        attachment = null;
        rtt.reset();
    }

    // ------------------------------------------------------------------------------------ application API

    /**
     * Queues a chain of data to send, as much as the send buffer has room for.
     *
     * <p>Ownership: takes the bytes it accepts. Returns NULL when it took the whole chain; otherwise the chain
     * was split and the returned remainder (the bytes it did not take) is the caller's: send it again after
     * {@link TcpHandler#onSendSpace}. A connection that can no longer send (closed, or after {@link #close})
     * takes nothing and returns the chain.
     */
    public int send(Pbufs p, int chain) {
        return stack.send(p, this, chain);
    }

    /** Bytes {@link #send} would take now. */
    public int sendSpace() {
        return canQueue() ? Math.max(0, sendBuffer - sndQueueLen) : 0;
    }

    boolean canQueue() {
        return !finQueued && !dead && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
            || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED);
    }

    /**
     * The application is done with {@code bytes} of received data (it freed or passed on the chains): the
     * receive window opens by as much, and the peer hears of it when the opening is worth a segment.
     */
    public void consumed(int bytes) {
        stack.consumed(this, bytes);
    }

    /** Closes the sending side: a FIN follows the queued data (RFC 9293 3.10.4). Receiving goes on. */
    public void close() {
        stack.close(this);
    }

    /** Resets the connection at once (RFC 9293 3.10.5): queued data is dropped, the peer gets a RST. */
    public void abort() {
        stack.abort(this);
    }

    /**
     * Asks for one {@link TcpHandler#onTick} at the stack's next tick. For an application whose pbuf allocation
     * failed while nothing was in flight: no acknowledgment will come to call {@link TcpHandler#onSendSpace},
     * so without this it would wait for ever once the pool refills.
     */
    public void requestTick() {
        wantTick = true;
    }

    /** Disables Nagle's algorithm (RFC 9293 3.7.4): small segments go at once. */
    public void setNoDelay(boolean on) {
        noDelay = on;
    }

    /** Turns keepalive probes on or off (RFC 1122 4.2.3.6; timing from {@link TcpConfig#keepalive}). */
    public void setKeepAlive(boolean on) {
        stack.setKeepAlive(this, on);
    }

    public int state() {
        return state;
    }

    /** The object the application attached, or null; cleared when the connection object is reused. */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object o) {
        attachment = o;
    }

    public int localAddress() {
        return localAddr;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteAddr;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Bytes queued and not yet acknowledged. */
    public int sendQueued() {
        return sndQueueLen;
    }

    /** The window we advertise now: bytes the peer may still send. */
    public int receiveWindow() {
        return Math.max(0, rcvAdvEdge - rcvNxt);
    }

    /** The congestion window in bytes. */
    public int congestionWindow() {
        return cc.cwnd();
    }

    /** The effective send MSS. */
    public int mss() {
        return mss;
    }

    /** The smoothed RTT in nanoseconds, 0 before the first sample. */
    public long srtt() {
        return rtt.srtt();
    }

    @Override
    public String toString() {
        return TcpState.name(state) + " " + localPort + "->" + remotePort + " una=" + sndUna + " nxt=" + sndNxt
            + " max=" + sndMax + " wnd=" + sndWnd + " cwnd=" + cc.cwnd() + " rcvNxt=" + rcvNxt + " queued="
            + sndQueueLen;
    }
}
