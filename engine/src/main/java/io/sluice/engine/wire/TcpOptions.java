package io.sluice.engine.wire;

/**
 * The options of one received TCP header, as {@link TcpHeader#parseOptions} found them. A reusable holder: the
 * receive path keeps one and refills it per segment, so parsing allocates nothing.
 */
public final class TcpOptions {
    /** No MSS option: the sender's MSS is then 536 (RFC 9293 3.7.1, MUST-15). */
    public static final int NO_MSS = -1;
    /** No window scale option: neither side scales (RFC 7323 2.2). */
    public static final int NO_WSCALE = -1;

    public int mss;
    public int windowScale;
    public boolean sackPermitted;
    public boolean timestamps;
    public int tsVal;
    public int tsEcr;

    public TcpOptions() {
        reset();
    }

    public void reset() {
        mss = NO_MSS;
        windowScale = NO_WSCALE;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
    }
}
