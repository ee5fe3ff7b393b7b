package io.sluice.nativeio.uring;

import io.sluice.config.ConfigException;
import io.sluice.nativeio.linux.InterfaceException;
import io.sluice.nativeio.linux.Interfaces;
import io.sluice.nativeio.linux.Linux;

/**
 * Settings of an {@link UringPort}, validated as a whole when built: a bad value throws a
 * {@link ConfigException} naming it as {@code uring.NAME=VALUE} and the allowed range.
 *
 * <h2>The defaults, and why</h2>
 * Measured on the project's machine (2 vCPUs, kernel 6.18) with {@code AfPacketVsUringRate}, one thread sending
 * 60-byte frames on a veth end and receiving them on the other, CPU time per frame in one sweep: 1136, 1147, 1186,
 * 1288 and 1518 ns with 8, 16, 32, 64 and 128 receives outstanding (AF_PACKET: 794 ns).
 * <ul>
 *   <li><b>queueDepth 128</b>: SQ entries of each of the port's two rings (receive and transmit); the CQ gets
 *       twice as many. An operation holds its SQ entry only until the kernel consumes it, so the SQ needs room
 *       for what one burst prepares; the CQ, for a completion of every operation in flight and the close's
 *       cancel, hence {@code rxBuffers} and {@code txBuffers} at most {@code queueDepth}. 8 KiB of SQEs per
 *       ring.</li>
 *   <li><b>rxBuffers 32</b>: receives kept outstanding, one 2 KiB buffer each. Every frame that arrives while
 *       receives wait wakes all of them, and all but one fail and wait again (a thundering herd: about 3.5 ns
 *       per armed receive per frame above), so fewer is cheaper; but a burst receives at most this many frames
 *       and re-arms them with one {@code io_uring_enter}, so fewer also means more system calls under load. 32
 *       is within 5 % of the cheapest and needs one enter per 32 frames at most. Frames that arrive while no
 *       receive is armed wait in the socket's receive buffer ({@link #socketBuffer}), not on the floor.</li>
 *   <li><b>txBuffers 128</b>: send buffers, one per SEND in flight. On veth a SEND completes inside the
 *       {@code io_uring_enter} that submits it, so 64 (one burst) would do; 128 lets a device that completes
 *       later keep one burst in flight while the next is gathered. When all are in flight the port takes fewer
 *       packets (back-pressure).</li>
 *   <li><b>bufferSize 2048</b>: bytes per buffer, a multiple of 64 (cache lines never shared between two
 *       buffers); it must hold the MTU plus the Ethernet header plus a VLAN tag (1518 bytes at MTU 1500).</li>
 *   <li><b>maxBurst 64</b>: packets per {@code receiveBurst}/{@code transmitBurst}, and so per
 *       {@code io_uring_enter}: a system call costs about 200 ns here plus the kernel's work per operation.</li>
 *   <li><b>auxdata true</b>: receive with RECVMSG and PACKET_AUXDATA, which gives each frame's VLAN tag (the
 *       kernel takes it out of the frame before AF_PACKET sees it; the port puts it back, as the AF_PACKET port
 *       does). False: plain RECV, cheaper per frame, but a tag the kernel stripped is lost.</li>
 *   <li><b>kernelTimestamps false</b>: true asks for SO_TIMESTAMPNS, the kernel's receive time of each frame, in
 *       a second control message (needs {@code auxdata}); it cost 86 to 120 ns per frame above. False: a
 *       packet's receive time is the time its burst was reaped.</li>
 *   <li><b>coopTaskrun true</b>: IORING_SETUP_COOP_TASKRUN with TASKRUN_FLAG. A receive that completes when a
 *       frame arrives finishes in the receiving thread's context; by default the kernel interrupts the thread
 *       (an inter-processor interrupt) to do so. Cooperative mode waits for the thread's next system call; the
 *       port makes one when the kernel flags completions as waiting, batching them.</li>
 *   <li><b>registerFile true</b>: register the socket with the ring (IORING_REGISTER_FILES), so each operation
 *       skips the file look-up and its reference count.</li>
 *   <li><b>socketBuffer 4 MiB</b>: SO_RCVBUF of the socket: frames wait there when no receive is armed.</li>
 *   <li><b>receiveGso true</b>: a Linux peer on a veth sends TCP in 64 KiB TSO/GSO frames unless its offloads are
 *       turned off; with this the port reads each frame's virtio_net_hdr and cuts such frames into segments, at
 *       the cost of 64 KiB receive buffers (2 MiB for 32) and a 10-byte header in front of every frame sent.</li>
 * </ul>
 *
 * @param interfaceName       the interface ({@code uring.interface})
 * @param portName            the port's name in the pipeline, null for the interface name
 * @param receive             receive (false: a transmit-only port)
 * @param transmit            transmit (false: a receive-only port)
 * @param queueDepth          SQ entries of each ring, a power of two
 * @param rxBuffers           receives kept outstanding, one buffer each
 * @param txBuffers           send buffers, one per SEND in flight
 * @param bufferSize          bytes per receive or send buffer
 * @param maxBurst            most packets one receive or transmit call moves
 * @param auxdata             receive with RECVMSG and PACKET_AUXDATA (VLAN tags)
 * @param kernelTimestamps    the kernel's receive time of each frame (SO_TIMESTAMPNS; needs {@code auxdata})
 * @param coopTaskrun         IORING_SETUP_COOP_TASKRUN and TASKRUN_FLAG
 * @param registerFile        register the socket as a fixed file
 * @param qdiscBypass         PACKET_QDISC_BYPASS: hand frames straight to the driver
 * @param ignoreOutgoing      PACKET_IGNORE_OUTGOING: do not receive the frames this host sends
 * @param receiveGso          take segmentation-offload super-frames (a veth peer's TSO/GSO, a NIC's GRO) and cut
 *                            them into wire-sized frames: PACKET_VNET_HDR on the socket tells their segment size,
 *                            and receive buffers grow to {@link #GSO_BUFFER_SIZE} (see {@link #rxBufferSize})
 * @param socketBuffer        SO_RCVBUF of a receiving socket in bytes, 0 for the kernel's default
 * @param minMtu              the smallest interface MTU the port accepts
 * @param statsIntervalMillis how often the port reads PACKET_STATISTICS, the socket error and the link state
 */
public record UringConfig(
    String interfaceName,
    String portName,
    boolean receive,
    boolean transmit,
    int queueDepth,
    int rxBuffers,
    int txBuffers,
    int bufferSize,
    int maxBurst,
    boolean auxdata,
    boolean kernelTimestamps,
    boolean coopTaskrun,
    boolean registerFile,
    boolean qdiscBypass,
    boolean ignoreOutgoing,
    boolean receiveGso,
    int socketBuffer,
    int minMtu,
    int statsIntervalMillis) {

    public static final String INTERFACE_PROP = "uring.interface";
    public static final String PORT_NAME_PROP = "uring.portName";
    public static final String QUEUE_DEPTH_PROP = "uring.queueDepth";
    public static final String RX_BUFFERS_PROP = "uring.rxBuffers";
    public static final String TX_BUFFERS_PROP = "uring.txBuffers";
    public static final String BUFFER_SIZE_PROP = "uring.bufferSize";
    public static final String MAX_BURST_PROP = "uring.maxBurst";
    public static final String AUXDATA_PROP = "uring.auxdata";
    public static final String KERNEL_TIMESTAMPS_PROP = "uring.kernelTimestamps";
    public static final String SOCKET_BUFFER_PROP = "uring.socketBuffer";
    public static final String MIN_MTU_PROP = "uring.minMtu";
    public static final String STATS_INTERVAL_PROP = "uring.statsIntervalMillis";
    /**
     * Bytes of a receive buffer that takes segmentation-offload frames: the virtio_net_hdr and a 64 KiB IPv4
     * datagram with its link header and two VLAN tags, rounded up to a cache line.
     */
    public static final int GSO_BUFFER_SIZE = (Linux.VIRTIO_NET_HDR_LEN + 0xFFFF + 14 + 2 * 4 + 63) & -64;

    public static final int QUEUE_DEPTH_DEFAULT = 128;
    public static final int RX_BUFFERS_DEFAULT = 32;
    public static final int TX_BUFFERS_DEFAULT = 128;
    public static final int BUFFER_SIZE_DEFAULT = 2048;
    public static final int MAX_BURST_DEFAULT = 64;
    public static final int SOCKET_BUFFER_DEFAULT = 4 << 20;
    /** IPv4's minimum datagram every host must take; below it the engine's stack cannot work. */
    public static final int MIN_MTU_DEFAULT = 576;
    public static final int STATS_INTERVAL_DEFAULT = 100;

    /** Largest queue depth accepted (the kernel allows 32768; more than this only wastes memory here). */
    public static final int MAX_QUEUE_DEPTH = 4096;
    public static final int MIN_BUFFER_SIZE = 128;
    public static final int MAX_BUFFER_SIZE = 65536;
    public static final int MAX_SOCKET_BUFFER = 1 << 30;

    public UringConfig {
        try {
            Interfaces.checkName(interfaceName);
        } catch (InterfaceException e) {
            throw new ConfigException(INTERFACE_PROP + "=" + interfaceName + " is not valid: an interface name takes"
                + " 1 to 15 bytes without '/', ':' or white space");
        }
        if (portName != null && portName.isBlank()) {
            throw new ConfigException(PORT_NAME_PROP + "=" + portName + " must not be blank (null means the "
                + "interface name)");
        }
        if (!receive && !transmit) {
            throw new ConfigException("uring.receive=false and uring.transmit=false: a port needs at least one "
                + "direction");
        }
        if (queueDepth < 2 || queueDepth > MAX_QUEUE_DEPTH || Integer.bitCount(queueDepth) != 1) {
            throw new ConfigException(QUEUE_DEPTH_PROP + "=" + queueDepth + " must be a power of two in 2.."
                + MAX_QUEUE_DEPTH);
        }
        if (receive && (rxBuffers < 1 || rxBuffers > queueDepth)) {
            throw new ConfigException(RX_BUFFERS_PROP + "=" + rxBuffers + " must be in 1.." + queueDepth + " ("
                + QUEUE_DEPTH_PROP + "): every outstanding receive takes an SQ entry");
        }
        if (transmit && (txBuffers < 1 || txBuffers > queueDepth)) {
            throw new ConfigException(TX_BUFFERS_PROP + "=" + txBuffers + " must be in 1.." + queueDepth + " ("
                + QUEUE_DEPTH_PROP + "): every send in flight takes an SQ entry");
        }
        if (bufferSize < MIN_BUFFER_SIZE || bufferSize > MAX_BUFFER_SIZE || bufferSize % 64 != 0) {
            throw new ConfigException(BUFFER_SIZE_PROP + "=" + bufferSize + " must be a multiple of 64 in "
                + MIN_BUFFER_SIZE + ".." + MAX_BUFFER_SIZE);
        }
        if (kernelTimestamps && receive && !auxdata) {
            throw new ConfigException(KERNEL_TIMESTAMPS_PROP + "=true needs " + AUXDATA_PROP + "=true: the receive "
                + "time comes in a control message, which only RECVMSG returns");
        }
        if (maxBurst < 1 || maxBurst > 4096) {
            throw new ConfigException(MAX_BURST_PROP + "=" + maxBurst + " must be in 1..4096");
        }
        if (socketBuffer < 0 || socketBuffer > MAX_SOCKET_BUFFER) {
            throw new ConfigException(SOCKET_BUFFER_PROP + "=" + socketBuffer + " must be in 0.." + MAX_SOCKET_BUFFER
                + " (bytes; 0 keeps the kernel's default)");
        }
        if (minMtu < 68 || minMtu > 65535) {
            throw new ConfigException(MIN_MTU_PROP + "=" + minMtu + " must be in 68..65535");
        }
        if (statsIntervalMillis < 1 || statsIntervalMillis > 600_000) {
            throw new ConfigException(STATS_INTERVAL_PROP + "=" + statsIntervalMillis + " must be in 1..600000");
        }
    }

    /**
     * Bytes per receive buffer: {@link #bufferSize}, or {@link #GSO_BUFFER_SIZE} when it is larger and the port
     * takes segmentation-offload frames ({@code rxBuffers} of them: 2 MiB at the default 32).
     */
    public int rxBufferSize() {
        return receiveGso ? Math.max(bufferSize, GSO_BUFFER_SIZE) : bufferSize;
    }

    /** Whether the socket reads and writes a virtio_net_hdr with every frame (a receiving port with receiveGso). */
    public boolean vnetHeader() {
        return receive && receiveGso;
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
    public static UringConfig defaults(String interfaceName) {
        return builder(interfaceName).build();
    }

    /** The port's name: {@link #portName} or else the interface name. */
    public String name() {
        return portName != null ? portName : interfaceName;
    }

    /** Mutable settings for a {@link UringConfig}; {@link #build} validates them all at once. */
    public static final class Builder {
        private String interfaceName;
        private String portName;
        private boolean receive = true;
        private boolean transmit = true;
        private int queueDepth = QUEUE_DEPTH_DEFAULT;
        private int rxBuffers = RX_BUFFERS_DEFAULT;
        private int txBuffers = TX_BUFFERS_DEFAULT;
        private int bufferSize = BUFFER_SIZE_DEFAULT;
        private int maxBurst = MAX_BURST_DEFAULT;
        private boolean auxdata = true;
        private boolean kernelTimestamps;
        private boolean coopTaskrun = true;
        private boolean registerFile = true;
        private boolean qdiscBypass = true;
        private boolean ignoreOutgoing = true;
        private boolean receiveGso = true;
        private int socketBuffer = SOCKET_BUFFER_DEFAULT;
        private int minMtu = MIN_MTU_DEFAULT;
        private int statsIntervalMillis = STATS_INTERVAL_DEFAULT;

        private Builder(String interfaceName) {
            this.interfaceName = interfaceName;
        }

        private Builder(UringConfig c) {
            interfaceName = c.interfaceName;
            portName = c.portName;
            receive = c.receive;
            transmit = c.transmit;
            queueDepth = c.queueDepth;
            rxBuffers = c.rxBuffers;
            txBuffers = c.txBuffers;
            bufferSize = c.bufferSize;
            maxBurst = c.maxBurst;
            auxdata = c.auxdata;
            kernelTimestamps = c.kernelTimestamps;
            coopTaskrun = c.coopTaskrun;
            registerFile = c.registerFile;
            qdiscBypass = c.qdiscBypass;
            ignoreOutgoing = c.ignoreOutgoing;
            receiveGso = c.receiveGso;
            socketBuffer = c.socketBuffer;
            minMtu = c.minMtu;
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

        public Builder queueDepth(int v) {
            queueDepth = v;
            return this;
        }

        public Builder rxBuffers(int v) {
            rxBuffers = v;
            return this;
        }

        public Builder txBuffers(int v) {
            txBuffers = v;
            return this;
        }

        public Builder bufferSize(int v) {
            bufferSize = v;
            return this;
        }

        public Builder maxBurst(int v) {
            maxBurst = v;
            return this;
        }

        public Builder auxdata(boolean v) {
            auxdata = v;
            return this;
        }

        public Builder kernelTimestamps(boolean v) {
            kernelTimestamps = v;
            return this;
        }

        public Builder coopTaskrun(boolean v) {
            coopTaskrun = v;
            return this;
        }

        public Builder registerFile(boolean v) {
            registerFile = v;
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

        public Builder receiveGso(boolean v) {
            receiveGso = v;
            return this;
        }

        public Builder socketBuffer(int v) {
            socketBuffer = v;
            return this;
        }

        public Builder minMtu(int v) {
            minMtu = v;
            return this;
        }

        public Builder statsIntervalMillis(int v) {
            statsIntervalMillis = v;
            return this;
        }

        /** @throws ConfigException naming the first bad setting as {@code uring.NAME=VALUE} */
        public UringConfig build() {
            return new UringConfig(interfaceName, portName, receive, transmit, queueDepth, rxBuffers, txBuffers,
                bufferSize, maxBurst, auxdata, kernelTimestamps, coopTaskrun, registerFile, qdiscBypass, ignoreOutgoing,
                receiveGso, socketBuffer, minMtu, statsIntervalMillis);
        }
    }
}
