package io.sluice.engine.transport.tcp;

/**
 * Settings of a {@link TcpStack}. Each has a {@code *_DEFAULT}; the setters override them and {@link #conclude}
 * validates the whole, with {@code name=value} messages, before a stack is built from it. Times are in
 * nanoseconds, so that a simulation's virtual clock and the stage's {@link System#nanoTime} mean the same.
 */
public final class TcpConfig {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    /** Connections (every state but LISTEN) the stack holds at most; their objects are made up front. */
    public static final int MAX_CONNECTIONS_DEFAULT = 4096;
    /**
     * Bytes the application may queue for sending per connection, which bounds the bytes in flight. 1 MiB: an
     * AF_PACKET port hands small frames (ACKs) over when its 1 ms block retirement fires, so a round trip through a
     * veth is about 1.3 ms, and 256 KiB in flight held one connection to 1.6 Gbit/s (`./sluice bench tcp-bulk`;
     * 2.4 Gbit/s with 1 MiB). A limit, not a reservation: pbufs are taken as data is queued.
     */
    public static final int SEND_BUFFER_DEFAULT = 1024 * 1024;
    /** Receive window per connection: bytes the application may hold before the window closes. */
    public static final int RECEIVE_BUFFER_DEFAULT = 256 * 1024;
    /** Maximum segment lifetime; TIME-WAIT lasts twice this (RFC 9293 3.4.2: 2 minutes, which is long). */
    public static final long MSL_DEFAULT = 30 * S;
    /** RFC 6298 2.4 says 1 s; 200 ms is what Linux and most stacks use. */
    public static final long MIN_RTO_DEFAULT = 200 * MS;
    /** RFC 6298 2.5: at least 60 s. */
    public static final long MAX_RTO_DEFAULT = 60 * S;
    /** RFC 6298 2.1: 1 s before the first RTT sample. */
    public static final long INITIAL_RTO_DEFAULT = S;
    /** SYN (or SYN-ACK) transmissions before the attempt fails. */
    public static final int SYN_RETRIES_DEFAULT = 6;
    /** Retransmissions of one segment before the connection is dropped (RFC 1122 4.2.3.5, R2). */
    public static final int MAX_RETRIES_DEFAULT = 15;
    /** RFC 1122 4.2.3.2: less than 0.5 s; 40 ms as Linux's minimum. */
    public static final long DELAYED_ACK_DEFAULT = 40 * MS;
    /** Half-open connections (SYN-RECEIVED) per listener before SYN cookies (or drops). */
    public static final int SYN_BACKLOG_DEFAULT = 128;
    /** Segments held out of order per connection. */
    public static final int OFO_SEGMENTS_DEFAULT = 256;
    /** Pbufs held out of order per connection. */
    public static final int OFO_PBUFS_DEFAULT = 1024;
    /** RFC 1122 4.2.3.6: keepalive idle time, no less than two hours by default. */
    public static final long KEEPALIVE_IDLE_DEFAULT = 2 * 3600 * S;
    public static final long KEEPALIVE_INTERVAL_DEFAULT = 75 * S;
    public static final int KEEPALIVE_PROBES_DEFAULT = 9;
    /** RFC 5961 7: challenge ACKs the stack sends per second, at most. */
    public static final int CHALLENGE_ACKS_PER_SECOND_DEFAULT = 1000;
    /** RFC 6928: an initial window of 10 segments. */
    public static final int INITIAL_WINDOW_DEFAULT = 10;
    public static final String CONGESTION_DEFAULT = "cubic";

    private int maxConnections = MAX_CONNECTIONS_DEFAULT;
    private int sendBuffer = SEND_BUFFER_DEFAULT;
    private int receiveBuffer = RECEIVE_BUFFER_DEFAULT;
    private long msl = MSL_DEFAULT;
    private long minRto = MIN_RTO_DEFAULT;
    private long maxRto = MAX_RTO_DEFAULT;
    private long initialRto = INITIAL_RTO_DEFAULT;
    private int synRetries = SYN_RETRIES_DEFAULT;
    private int maxRetries = MAX_RETRIES_DEFAULT;
    private long delayedAck = DELAYED_ACK_DEFAULT;
    private int synBacklog = SYN_BACKLOG_DEFAULT;
    private boolean synCookies = true;
    private int ofoSegments = OFO_SEGMENTS_DEFAULT;
    private int ofoPbufs = OFO_PBUFS_DEFAULT;
    private long keepaliveIdle = KEEPALIVE_IDLE_DEFAULT;
    private long keepaliveInterval = KEEPALIVE_INTERVAL_DEFAULT;
    private int keepaliveProbes = KEEPALIVE_PROBES_DEFAULT;
    private int challengeAcksPerSecond = CHALLENGE_ACKS_PER_SECOND_DEFAULT;
    private int initialWindow = INITIAL_WINDOW_DEFAULT;
    private String congestion = CONGESTION_DEFAULT;
    /** 0: keys from SecureRandom; otherwise a fixed seed, for simulations that must repeat. */
    private long seed;

    public TcpConfig maxConnections(int v) {
        maxConnections = v;
        return this;
    }

    public TcpConfig sendBuffer(int v) {
        sendBuffer = v;
        return this;
    }

    public TcpConfig receiveBuffer(int v) {
        receiveBuffer = v;
        return this;
    }

    public TcpConfig msl(long nanos) {
        msl = nanos;
        return this;
    }

    public TcpConfig minRto(long nanos) {
        minRto = nanos;
        return this;
    }

    public TcpConfig maxRto(long nanos) {
        maxRto = nanos;
        return this;
    }

    public TcpConfig initialRto(long nanos) {
        initialRto = nanos;
        return this;
    }

    public TcpConfig synRetries(int v) {
        synRetries = v;
        return this;
    }

    public TcpConfig maxRetries(int v) {
        maxRetries = v;
        return this;
    }

    public TcpConfig delayedAck(long nanos) {
        delayedAck = nanos;
        return this;
    }

    public TcpConfig synBacklog(int v) {
        synBacklog = v;
        return this;
    }

    public TcpConfig synCookies(boolean v) {
        synCookies = v;
        return this;
    }

    public TcpConfig ofoSegments(int v) {
        ofoSegments = v;
        return this;
    }

    public TcpConfig ofoPbufs(int v) {
        ofoPbufs = v;
        return this;
    }

    public TcpConfig keepalive(long idleNanos, long intervalNanos, int probes) {
        keepaliveIdle = idleNanos;
        keepaliveInterval = intervalNanos;
        keepaliveProbes = probes;
        return this;
    }

    public TcpConfig challengeAcksPerSecond(int v) {
        challengeAcksPerSecond = v;
        return this;
    }

    public TcpConfig initialWindow(int segments) {
        initialWindow = segments;
        return this;
    }

    /** "reno" or "cubic". */
    public TcpConfig congestion(String name) {
        congestion = name;
        return this;
    }

    public TcpConfig seed(long v) {
        seed = v;
        return this;
    }

    /**
     * Validates every setting.
     *
     * @throws IllegalArgumentException naming the first bad setting as {@code name=value}
     */
    public TcpConfig conclude() {
        require(maxConnections >= 1 && maxConnections <= 1 << 24, "maxConnections", maxConnections);
        require(sendBuffer >= 1 && sendBuffer <= 1 << 30, "sendBuffer", sendBuffer);
        require(receiveBuffer >= 1 && receiveBuffer <= 1 << 30, "receiveBuffer", receiveBuffer);
        require(msl > 0, "msl", msl);
        require(minRto > 0, "minRto", minRto);
        require(maxRto >= minRto, "maxRto", maxRto);
        require(initialRto >= minRto && initialRto <= maxRto, "initialRto", initialRto);
        require(synRetries >= 1, "synRetries", synRetries);
        require(maxRetries >= 1, "maxRetries", maxRetries);
        require(delayedAck > 0 && delayedAck < 500 * MS, "delayedAck", delayedAck);
        require(synBacklog >= 1, "synBacklog", synBacklog);
        require(ofoSegments >= 0, "ofoSegments", ofoSegments);
        require(ofoPbufs >= 0, "ofoPbufs", ofoPbufs);
        require(keepaliveIdle > 0 && keepaliveInterval > 0 && keepaliveProbes >= 1, "keepaliveProbes",
            keepaliveProbes);
        require(challengeAcksPerSecond >= 0, "challengeAcksPerSecond", challengeAcksPerSecond);
        require(initialWindow >= 1 && initialWindow <= 64, "initialWindow", initialWindow);
        require(congestion.equals("reno") || congestion.equals("cubic"), "congestion", congestion);
        return this;
    }

    private static void require(boolean ok, String name, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("bad TCP setting: " + name + "=" + value);
        }
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int sendBuffer() {
        return sendBuffer;
    }

    public int receiveBuffer() {
        return receiveBuffer;
    }

    public long msl() {
        return msl;
    }

    public long minRto() {
        return minRto;
    }

    public long maxRto() {
        return maxRto;
    }

    public long initialRto() {
        return initialRto;
    }

    public int synRetries() {
        return synRetries;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public long delayedAck() {
        return delayedAck;
    }

    public int synBacklog() {
        return synBacklog;
    }

    public boolean synCookies() {
        return synCookies;
    }

    public int ofoSegments() {
        return ofoSegments;
    }

    public int ofoPbufs() {
        return ofoPbufs;
    }

    public long keepaliveIdle() {
        return keepaliveIdle;
    }

    public long keepaliveInterval() {
        return keepaliveInterval;
    }

    public int keepaliveProbes() {
        return keepaliveProbes;
    }

    public int challengeAcksPerSecond() {
        return challengeAcksPerSecond;
    }

    public int initialWindow() {
        return initialWindow;
    }

    public String congestion() {
        return congestion;
    }

    public long seed() {
        return seed;
    }
}
