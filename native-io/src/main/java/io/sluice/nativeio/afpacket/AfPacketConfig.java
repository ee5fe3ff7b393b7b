package io.sluice.nativeio.afpacket;

import io.sluice.config.ConfigException;
import io.sluice.nativeio.ffm.Libc;
import io.sluice.nativeio.linux.InterfaceException;
import io.sluice.nativeio.linux.Interfaces;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.linux.Structs;
import java.util.Objects;

/**
 * Settings of an {@link AfPacketPort}: the interface, the geometry of its TPACKET_V3 receive and transmit
 * rings, the socket options and fan-out. Every instance is valid: the constructor checks each setting and
 * throws a {@link ConfigException} naming the first bad one as {@code afpacket.NAME=VALUE}. Build one with
 * {@link #builder(String)}.
 *
 * <h2>Ring geometry (the defaults and why)</h2>
 * <ul>
 *   <li><b>Receive: 256 blocks of 128 KiB (32 MiB), retired after 1 ms.</b> A V3 block packs frames of any
 *       size back to back (a 60-byte frame takes 144 bytes of ring, a 1514-byte one 1600), so 32 MiB holds
 *       about 20,000 full-size or 230,000 minimum-size frames. The kernel hands over a block when it is full or
 *       when {@code rxRetireTimeoutMillis} passed since it was opened, so 1 ms bounds the added latency at low
 *       rates; 0 is refused, as a partly filled block would then wait for the kernel's own timeout. But at low
 *       rates every block leaves after 1 ms with few frames in it (this kernel retires them with an hrtimer, so
 *       1 ms is 1 ms), and the ring then holds only block-count milliseconds: the engine losing its core for
 *       longer (a JIT compiler's round-robin slice when it runs real time, the kernel's fair server, the receive
 *       softirq on its core) overflowed it. Measured (bench forward, receive work on the engine's core, 64-byte
 *       frames, same session, 2026-12-07): NDR 58,506 pps with 64 blocks of 256 KiB, 113,671 with 128 of 128
 *       KiB, 203,725 with 256 of 128 KiB. Smaller blocks also fill sooner at high rates, which shortens the wait
 *       of a frame for its block: one TCP connection from a Linux sender with TSO went from 1.97 to 4.65 Gbit/s
 *       (bench tcp-bulk, same day). 128 KiB is the smallest block that still holds a 64 KiB segmentation-offload
 *       frame ({@link #receiveGso}), an order-5 allocation. {@code rxFrameSize} only sets the frame count the
 *       kernel checks; V3 frames are variable-sized and may be as large as a block.</li>
 *   <li><b>Transmit: 16 blocks of 64 KiB with 2048-byte frames (512 frames, 1 MiB).</b> A 2048-byte slot
 *       holds a 1514-byte frame plus a VLAN tag after the 48-byte header. Frames come back to user space as
 *       soon as the device has the skb (on veth inside the kick itself), so 512 frames are eight bursts of 64
 *       in flight: enough to keep the device busy while the next burst is gathered, and few enough that a
 *       stalled device pushes back quickly instead of queueing stale frames.</li>
 *   <li><b>maxBurst 64</b>: frames per {@code receiveBurst}/{@code transmitBurst} call, and so per
 *       {@code sendto} kick: a kick costs about 200 ns plus the kernel's per-frame work, so 64 frames make the
 *       call's share small while keeping a burst within the L1/L2 working set.</li>
 * </ul>
 *
 * @param interfaceName         the interface ({@code afpacket.interface})
 * @param portName              the port's name in the pipeline, null for the interface name
 * @param receive               set up a receive ring (false: a transmit-only port that receives nothing)
 * @param transmit              set up a transmit ring
 * @param rxBlockSize           bytes per receive block: a power of two, a multiple of the page size
 * @param rxBlockCount          receive blocks
 * @param rxFrameSize           nominal receive frame size (a multiple of 16); only the kernel's frame count uses it
 * @param rxRetireTimeoutMillis {@code retire_blk_tov}: a partly filled block is handed over after this long
 * @param txBlockSize           bytes per transmit block: a power of two, a multiple of the page size
 * @param txBlockCount          transmit blocks
 * @param txFrameSize           bytes per transmit slot (a multiple of 16): 48 bytes of header, then the frame
 * @param maxBurst              most frames one receive or transmit call moves
 * @param qdiscBypass           PACKET_QDISC_BYPASS: hand frames straight to the driver, skipping the qdisc
 * @param ignoreOutgoing        PACKET_IGNORE_OUTGOING: do not receive the frames this host sends
 * @param separateTxSocket      a port that receives and transmits sends through a second, transmit-only socket,
 *                              so that its frames reach the kernel linear (see {@link AfPacketPort})
 * @param receiveGso            take segmentation-offload super-frames (a veth peer's TSO/GSO, a NIC's GRO) and cut
 *                              them into wire-sized frames: PACKET_VNET_HDR on the receive socket tells their
 *                              segment size. Off, such frames are dropped as oversize unless the sender's offloads
 *                              are turned off
 * @param promiscuous           put the interface in promiscuous mode for as long as the socket is open
 * @param fanout                PACKET_FANOUT mode, {@link FanoutMode#NONE} for none
 * @param fanoutGroup           fan-out group id (0..65535), shared by the queues of one interface
 * @param minMtu                the smallest interface MTU the port accepts
 * @param txRetries             consecutive kicks failing with ENOBUFS before the queued frames are dropped
 * @param statsIntervalMillis   how often the receive side reads PACKET_STATISTICS, the socket error and the
 *                              link state
 */
public record AfPacketConfig(
    String interfaceName,
    String portName,
    boolean receive,
    boolean transmit,
    int rxBlockSize,
    int rxBlockCount,
    int rxFrameSize,
    int rxRetireTimeoutMillis,
    int txBlockSize,
    int txBlockCount,
    int txFrameSize,
    int maxBurst,
    boolean qdiscBypass,
    boolean ignoreOutgoing,
    boolean separateTxSocket,
    boolean receiveGso,
    boolean promiscuous,
    FanoutMode fanout,
    int fanoutGroup,
    int minMtu,
    int txRetries,
    int statsIntervalMillis) {

    public static final String INTERFACE_PROP = "afpacket.interface";
    public static final String RX_BLOCK_SIZE_PROP = "afpacket.rxBlockSize";
    public static final String RX_BLOCK_COUNT_PROP = "afpacket.rxBlockCount";
    public static final String RX_FRAME_SIZE_PROP = "afpacket.rxFrameSize";
    public static final String RX_RETIRE_PROP = "afpacket.rxRetireTimeoutMillis";
    public static final String TX_BLOCK_SIZE_PROP = "afpacket.txBlockSize";
    public static final String TX_BLOCK_COUNT_PROP = "afpacket.txBlockCount";
    public static final String TX_FRAME_SIZE_PROP = "afpacket.txFrameSize";
    public static final String MAX_BURST_PROP = "afpacket.maxBurst";
    public static final String FANOUT_PROP = "afpacket.fanout";
    public static final String FANOUT_GROUP_PROP = "afpacket.fanoutGroup";
    public static final String MIN_MTU_PROP = "afpacket.minMtu";
    public static final String TX_RETRIES_PROP = "afpacket.txRetries";
    public static final String STATS_INTERVAL_PROP = "afpacket.statsIntervalMillis";

    public static final int RX_BLOCK_SIZE_DEFAULT = 128 * 1024;
    /** Longest segmentation-offload frame: a 64 KiB IPv4 datagram, its link header and two VLAN tags. */
    public static final int GSO_FRAME_MAX = 0xFFFF + 14 + 2 * 4;
    public static final int RX_BLOCK_COUNT_DEFAULT = 256;
    public static final int RX_FRAME_SIZE_DEFAULT = 2048;
    public static final int RX_RETIRE_DEFAULT = 1;
    public static final int TX_BLOCK_SIZE_DEFAULT = 64 * 1024;
    public static final int TX_BLOCK_COUNT_DEFAULT = 16;
    public static final int TX_FRAME_SIZE_DEFAULT = 2048;
    public static final int MAX_BURST_DEFAULT = 64;
    /** IPv4's minimum datagram every host must take; below it the engine's stack cannot work. */
    public static final int MIN_MTU_DEFAULT = 576;
    public static final int TX_RETRIES_DEFAULT = 8;
    public static final int STATS_INTERVAL_DEFAULT = 100;

    /** Largest ring (receive or transmit) accepted: 1 GiB. */
    public static final long MAX_RING_BYTES = 1L << 30;
    private static final int MIN_FRAME_SIZE = 128;

    public AfPacketConfig {
        try {
            Interfaces.checkName(interfaceName);
        } catch (InterfaceException e) {
            throw new ConfigException(INTERFACE_PROP + "=" + interfaceName + " is not valid: an interface name takes"
                + " 1 to 15 bytes without '/', ':' or white space");
        }
        if (portName != null && portName.isBlank()) {
            throw new ConfigException("afpacket.portName=" + portName + " must not be blank (null means the "
                + "interface name)");
        }
        if (!receive && !transmit) {
            throw new ConfigException("afpacket.receive=false and afpacket.transmit=false: a port needs at least "
                + "one direction");
        }
        if (receive) {
            checkRing(RX_BLOCK_SIZE_PROP, rxBlockSize, RX_BLOCK_COUNT_PROP, rxBlockCount, RX_FRAME_SIZE_PROP,
                rxFrameSize);
            // (the record's fields are not set yet in this compact constructor: use the parameters)
            if (receiveGso && rxFrameCapacity(rxBlockSize, true) < GSO_FRAME_MAX) {
                throw new ConfigException(RX_BLOCK_SIZE_PROP + "=" + rxBlockSize + " holds frames of at most "
                    + rxFrameCapacity(rxBlockSize, true) + " bytes, but a segmentation-offload frame (afpacket.receiveGso=true) may "
                    + "take " + GSO_FRAME_MAX + ": raise " + RX_BLOCK_SIZE_PROP + " to 131072 or more, or set "
                    + "afpacket.receiveGso=false");
            }
            if (rxRetireTimeoutMillis < 1 || rxRetireTimeoutMillis > 60_000) {
                throw new ConfigException(RX_RETIRE_PROP + "=" + rxRetireTimeoutMillis + " must be in 1..60000 "
                    + "(milliseconds after which a partly filled receive block is handed over)");
            }
        }
        if (transmit) {
            checkRing(TX_BLOCK_SIZE_PROP, txBlockSize, TX_BLOCK_COUNT_PROP, txBlockCount, TX_FRAME_SIZE_PROP,
                txFrameSize);
        }
        if (maxBurst < 1 || maxBurst > 4096) {
            throw new ConfigException(MAX_BURST_PROP + "=" + maxBurst + " must be in 1..4096");
        }
        Objects.requireNonNull(fanout, FANOUT_PROP);
        if (fanoutGroup < 0 || fanoutGroup > 0xFFFF) {
            throw new ConfigException(FANOUT_GROUP_PROP + "=" + fanoutGroup + " must be in 0..65535");
        }
        if (fanout != FanoutMode.NONE && !receive) {
            throw new ConfigException(FANOUT_PROP + "=" + fanout.name().toLowerCase() + " needs afpacket.receive=true:"
                + " fan-out spreads received frames");
        }
        if (minMtu < 68 || minMtu > 65535) {
            throw new ConfigException(MIN_MTU_PROP + "=" + minMtu + " must be in 68..65535");
        }
        if (txRetries < 0 || txRetries > 1_000_000) {
            throw new ConfigException(TX_RETRIES_PROP + "=" + txRetries + " must be in 0..1000000");
        }
        if (statsIntervalMillis < 1 || statsIntervalMillis > 600_000) {
            throw new ConfigException(STATS_INTERVAL_PROP + "=" + statsIntervalMillis + " must be in 1..600000");
        }
    }

    private static void checkRing(String blockProp, int blockSize, String countProp, int count, String frameProp,
                                  int frameSize) {
        int page = Libc.pageSize();
        if (blockSize < page || Integer.bitCount(blockSize) != 1) {
            throw new ConfigException(blockProp + "=" + blockSize + " must be a power of two and at least the page "
                + "size (" + page + ")");
        }
        if (count < 1) {
            throw new ConfigException(countProp + "=" + count + " must be at least 1");
        }
        if ((long) blockSize * count > MAX_RING_BYTES) {
            throw new ConfigException(blockProp + "=" + blockSize + " times " + countProp + "=" + count + " is "
                + (long) blockSize * count + " bytes, more than the " + MAX_RING_BYTES + " a ring may take");
        }
        if (frameSize < MIN_FRAME_SIZE || frameSize % 16 != 0 || frameSize > blockSize) {
            throw new ConfigException(frameProp + "=" + frameSize + " must be a multiple of 16 in " + MIN_FRAME_SIZE
                + ".." + blockSize + " (" + blockProp + ")");
        }
    }

    /** A builder with every setting at its default, for {@code interfaceName}. */
    public static Builder builder(String interfaceName) {
        return new Builder(interfaceName);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The defaults for {@code interfaceName}. */
    public static AfPacketConfig defaults(String interfaceName) {
        return builder(interfaceName).build();
    }

    /** The port's name: {@link #portName} or else the interface name. */
    public String name() {
        return portName != null ? portName : interfaceName;
    }

    public int rxFramesPerBlock() {
        return rxBlockSize / rxFrameSize;
    }

    public long rxRingBytes() {
        return receive ? (long) rxBlockSize * rxBlockCount : 0;
    }

    public int txFramesPerBlock() {
        return txBlockSize / txFrameSize;
    }

    public int txFrames() {
        return transmit ? txFramesPerBlock() * txBlockCount : 0;
    }

    public long txRingBytes() {
        return transmit ? (long) txBlockSize * txBlockCount : 0;
    }

    /** Largest frame (link header included) a transmit slot holds. */
    public int txFrameCapacity() {
        return txFrameSize - (int) Structs.Tpacket3Hdr.TX_DATA;
    }

    /**
     * Largest frame (link header included) a receive block holds: the block minus its descriptor and the
     * frame's header and alignment gap (the kernel truncates larger ones).
     */
    public int rxFrameCapacity() {
        return rxFrameCapacity(rxBlockSize, receiveGso);
    }

    private static int rxFrameCapacity(int blockSize, boolean vnet) {
        // tpacket_rcv puts the virtio_net_hdr between the frame header and the link header (PACKET_VNET_HDR).
        long macOffset = Structs.align(Structs.Tpacket3Hdr.HDRLEN + 16) - 14 + (vnet ? Linux.VIRTIO_NET_HDR_LEN : 0);
        return blockSize - (int) Structs.align(Structs.TpacketBlockDesc.LAYOUT.byteSize()) - (int) macOffset;
    }

    /** Mutable settings for an {@link AfPacketConfig}; {@link #build} validates them all at once. */
    public static final class Builder {
        private String interfaceName;
        private String portName;
        private boolean receive = true;
        private boolean transmit = true;
        private int rxBlockSize = RX_BLOCK_SIZE_DEFAULT;
        private int rxBlockCount = RX_BLOCK_COUNT_DEFAULT;
        private int rxFrameSize = RX_FRAME_SIZE_DEFAULT;
        private int rxRetireTimeoutMillis = RX_RETIRE_DEFAULT;
        private int txBlockSize = TX_BLOCK_SIZE_DEFAULT;
        private int txBlockCount = TX_BLOCK_COUNT_DEFAULT;
        private int txFrameSize = TX_FRAME_SIZE_DEFAULT;
        private int maxBurst = MAX_BURST_DEFAULT;
        private boolean qdiscBypass = true;
        private boolean ignoreOutgoing = true;
        private boolean separateTxSocket = true;
        private boolean receiveGso = true;
        private boolean promiscuous;
        private FanoutMode fanout = FanoutMode.NONE;
        private int fanoutGroup;
        private int minMtu = MIN_MTU_DEFAULT;
        private int txRetries = TX_RETRIES_DEFAULT;
        private int statsIntervalMillis = STATS_INTERVAL_DEFAULT;

        private Builder(String interfaceName) {
            this.interfaceName = interfaceName;
        }

        private Builder(AfPacketConfig c) {
            interfaceName = c.interfaceName;
            portName = c.portName;
            receive = c.receive;
            transmit = c.transmit;
            rxBlockSize = c.rxBlockSize;
            rxBlockCount = c.rxBlockCount;
            rxFrameSize = c.rxFrameSize;
            rxRetireTimeoutMillis = c.rxRetireTimeoutMillis;
            txBlockSize = c.txBlockSize;
            txBlockCount = c.txBlockCount;
            txFrameSize = c.txFrameSize;
            maxBurst = c.maxBurst;
            qdiscBypass = c.qdiscBypass;
            ignoreOutgoing = c.ignoreOutgoing;
            separateTxSocket = c.separateTxSocket;
            receiveGso = c.receiveGso;
            promiscuous = c.promiscuous;
            fanout = c.fanout;
            fanoutGroup = c.fanoutGroup;
            minMtu = c.minMtu;
            txRetries = c.txRetries;
            statsIntervalMillis = c.statsIntervalMillis;
        }

        public Builder interfaceName(String v) {
            interfaceName = v;
            return this;
        }

        public Builder portName(String v) {
            portName = v;
            return this;
        }

        public Builder receive(boolean v) {
            receive = v;
            return this;
        }

        public Builder transmit(boolean v) {
            transmit = v;
            return this;
        }

        public Builder rxBlockSize(int v) {
            rxBlockSize = v;
            return this;
        }

        public Builder rxBlockCount(int v) {
            rxBlockCount = v;
            return this;
        }

        public Builder rxFrameSize(int v) {
            rxFrameSize = v;
            return this;
        }

        public Builder rxRetireTimeoutMillis(int v) {
            rxRetireTimeoutMillis = v;
            return this;
        }

        public Builder txBlockSize(int v) {
            txBlockSize = v;
            return this;
        }

        public Builder txBlockCount(int v) {
            txBlockCount = v;
            return this;
        }

        public Builder txFrameSize(int v) {
            txFrameSize = v;
            return this;
        }

        public Builder maxBurst(int v) {
            maxBurst = v;
            return this;
        }

        public Builder qdiscBypass(boolean v) {
            qdiscBypass = v;
            return this;
        }

        public Builder ignoreOutgoing(boolean v) {
            ignoreOutgoing = v;
            return this;
        }

        public Builder separateTxSocket(boolean v) {
            separateTxSocket = v;
            return this;
        }

        public Builder receiveGso(boolean v) {
            receiveGso = v;
            return this;
        }

        public Builder promiscuous(boolean v) {
            promiscuous = v;
            return this;
        }

        public Builder fanout(FanoutMode mode, int group) {
            fanout = mode;
            fanoutGroup = group;
            return this;
        }

        public Builder minMtu(int v) {
            minMtu = v;
            return this;
        }

        public Builder txRetries(int v) {
            txRetries = v;
            return this;
        }

        public Builder statsIntervalMillis(int v) {
            statsIntervalMillis = v;
            return this;
        }

        /** @throws ConfigException naming the first bad setting as {@code afpacket.NAME=VALUE} */
        public AfPacketConfig build() {
            return new AfPacketConfig(interfaceName, portName, receive, transmit, rxBlockSize, rxBlockCount,
                rxFrameSize, rxRetireTimeoutMillis, txBlockSize, txBlockCount, txFrameSize, maxBurst, qdiscBypass,
                ignoreOutgoing, separateTxSocket, receiveGso, promiscuous, fanout, fanoutGroup, minMtu, txRetries,
                statsIntervalMillis);
        }
    }
}
