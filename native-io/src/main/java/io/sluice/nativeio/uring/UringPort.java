package io.sluice.nativeio.uring;

import static io.sluice.nativeio.linux.Linux.SOL_PACKET;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCapabilities;
import io.sluice.engine.phy.PortCounters;
import io.sluice.nativeio.NativePort;
import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import io.sluice.nativeio.ffm.NativeException;
import io.sluice.nativeio.linux.InterfaceException;
import io.sluice.nativeio.linux.InterfaceInfo;
import io.sluice.nativeio.linux.Interfaces;
import io.sluice.nativeio.linux.LinkWatch;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.linux.PacketSockets;
import io.sluice.nativeio.uring.Uring.TpacketStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A NIC port on a Linux interface through io_uring: an AF_PACKET SOCK_RAW socket bound to the interface, with
 * receives and sends submitted as io_uring operations into preallocated off-heap buffers. The port has two
 * rings, one per direction, so that the receiving and the transmitting thread each own a ring outright (an
 * io_uring SQ or CQ has a single producer and a single consumer on the user side).
 *
 * <h2>Receive</h2>
 * {@link UringConfig#rxBuffers()} receives stay outstanding, each into its own buffer of
 * {@link UringConfig#bufferSize()} bytes in one segment (RECVMSG with PACKET_AUXDATA, or plain RECV). A
 * {@link #receiveBurst} reaps the completions that are there without a system call, copies each frame into a pbuf
 * chain from {@link Pbufs#allocReceive} (a frame for which the pool has none is dropped as RX_NO_PBUFS, and its
 * buffer is armed again all the same), and re-arms the burst's buffers with one {@code io_uring_enter}: never one
 * per packet. A VLAN tag the kernel stripped is put back (with PACKET_AUXDATA), so the pbuf holds the bytes of
 * the wire; the packet header gets the ifindex ({@code rcvif}), the receive time (the kernel's with
 * {@link UringConfig#kernelTimestamps()}, else the time the burst was reaped) and the VLAN TCI. The receives
 * are armed by the first {@code receiveBurst}, in the receiving thread: io_uring completes an operation in the
 * context of the thread that submitted it. Frames that arrive before then, or while no receive is armed, wait in
 * the socket's receive buffer ({@link UringConfig#socketBuffer()}); the kernel's drops when it is full are read
 * with PACKET_STATISTICS and counted as DEVICE drops. With {@link UringConfig#receiveGso()} (the default) the
 * socket has PACKET_VNET_HDR: each frame comes after a virtio_net_hdr, a segmentation-offload frame becomes one
 * packet per segment ({@link io.sluice.nativeio.linux.GsoSegmenter}), and each frame sent gets a header too.
 *
 * <h2>Transmit</h2>
 * {@link #transmitBurst} reaps the completed sends (recycling their buffers), gathers each chain into a free send
 * buffer, queues one SEND per frame and frees the chain, then submits the burst with one {@code io_uring_enter}.
 * With no free buffer or SQ entry it takes fewer packets (back-pressure): the caller keeps the rest. Frames longer
 * than the MTU allows or shorter than an Ethernet header are taken and dropped (DEVICE,
 * {@link UringStats#txOversize}). A burst of zero packets reaps, and submits whatever a failed call left queued.
 *
 * <h2>Errors on the data path</h2>
 * Nothing is thrown from {@link #receiveBurst} or {@link #transmitBurst}. A completion with {@code res < 0} is
 * counted by errno ({@link UringStats#rxErrors(int)}, {@link UringStats#txErrors(int)}); a failed send is dropped
 * as DEVICE (ENETDOWN when the link is down, ENOBUFS when the carrier is off or the device queue full), a failed
 * receive is armed again. A failed {@code io_uring_enter} is counted and its SQEs stay queued for the next burst.
 * Every {@link UringConfig#statsIntervalMillis()} the port reads PACKET_STATISTICS, the socket error and the
 * interface's flags and MTU. The socket stays bound to the interface's index while the link is down, and the
 * kernel re-attaches it when the link comes back up, so traffic resumes by itself.
 *
 * <h2>Threads</h2>
 * One thread receives and one transmits (they may be the same); each has its own ring, errno capture segment and
 * ioctl buffer, so the data path allocates nothing. {@link #open} creates the socket and rings in the calling
 * thread's network namespace (see {@link io.sluice.nativeio.linux.NetNamespace}); afterwards any thread may use the
 * port. Close it after both have stopped: the close cancels the outstanding operations
 * (IORING_OP_ASYNC_CANCEL) and reaps them, unmaps the rings and closes the rings and the socket.
 */
public final class UringPort implements NativePort {
    /** How long the close waits for the kernel to finish cancelling. */
    private static final long CLOSE_LIMIT_NANOS = 2_000_000_000L;

    private final UringConfig config;
    private final InterfaceInfo info;
    private final int fd;
    private final Arena arena;
    private final PortCapabilities caps;
    private final PortCounters counters = new PortCounters();
    private final UringStats stats = new UringStats();
    private final int maxBurst;
    private final long statsIntervalNanos;

    private final UringReceiver rx;
    private final MemorySegment rxErrno;
    private final MemorySegment kernelStats;
    private final MemorySegment kernelStatsLen;
    private long nextRefresh;

    private final UringSender tx;
    private final MemorySegment txErrno;
    private final MemorySegment txIfreq;

    /** Socket error, link state and MTU, polled with the kernel's statistics. */
    private final LinkWatch link;
    private volatile boolean closed;

    private UringPort(UringConfig config, InterfaceInfo info, int fd, Arena arena, UringReceiver rx,
                      UringSender tx) {
        this.config = config;
        this.info = info;
        this.fd = fd;
        this.arena = arena;
        this.rx = rx;
        this.tx = tx;
        this.maxBurst = config.maxBurst();
        this.link = new LinkWatch(arena, fd, info);
        this.caps = new PortCapabilities(info.mtu(), maxBurst, config.receive(), config.transmit(), 1);
        this.statsIntervalNanos = config.statsIntervalMillis() * 1_000_000L;
        this.nextRefresh = System.nanoTime() + statsIntervalNanos;
        this.rxErrno = Errno.allocate(arena);
        this.kernelStats = arena.allocate(TpacketStats.LAYOUT);
        this.kernelStatsLen = arena.allocate(ValueLayout.JAVA_INT);
        this.txErrno = Errno.allocate(arena);
        this.txIfreq = Interfaces.ifreq(arena, info.name());
    }

    /**
     * Opens a port on {@code config.interfaceName()} in the calling thread's network namespace.
     *
     * @throws InterfaceException        when the interface does not exist, is down, has an MTU below
     *                                   {@link UringConfig#minMtu()} or above what a buffer holds, or the process
     *                                   lacks CAP_NET_RAW; the message names the interface and the fix
     * @throws UringUnavailableException when the kernel has no io_uring or the process may not use it; the
     *                                   message names the cause and the fix
     * @throws NativeException           when the kernel refuses a socket option or a ring
     */
    public static UringPort open(UringConfig config) {
        String name = config.interfaceName();
        MemorySegment errno = Errno.local();
        int fd = PacketSockets.open(name);
        Arena arena = Arena.ofShared();
        IoUring rxRing = null;
        IoUring txRing = null;
        try {
            InterfaceInfo info = Interfaces.query(fd, name);
            check(config, info);
            int flags = Uring.SETUP_SUBMIT_ALL
                | (config.coopTaskrun() ? Uring.SETUP_COOP_TASKRUN | Uring.SETUP_TASKRUN_FLAG : 0);
            if (config.receive()) {
                rxRing = IoUring.open(config.queueDepth(), 0, flags);
            }
            if (config.transmit()) {
                txRing = IoUring.open(config.queueDepth(), 0, flags);
            }
            setUp(config, info, fd);
            UringReceiver rx = rxRing == null ? null : new UringReceiver(rxRing, register(rxRing, fd, config, name),
                config.registerFile(), config.auxdata(), config.rxBuffers(), config.rxBufferSize(),
                config.vnetHeader(), info.index(), arena);
            UringSender tx = txRing == null ? null : new UringSender(txRing, register(txRing, fd, config, name),
                config.registerFile(), config.txBuffers(), config.bufferSize(), config.vnetHeader(), arena);
            return new UringPort(config, info, fd, arena, rx, tx);
        } catch (RuntimeException | Error e) {
            if (rxRing != null) {
                rxRing.close();
            }
            if (txRing != null) {
                txRing.close();
            }
            arena.close();
            Libc.close(errno, fd);
            throw e;
        }
    }

    /** Registers the socket with the ring when asked to. @return what an SQE's fd field names it by */
    private static int register(IoUring ring, int fd, UringConfig c, String name) {
        if (!c.registerFile()) {
            return fd;
        }
        int r = ring.registerFiles(fd);
        if (r < 0) {
            throw new NativeException("io_uring_register(IORING_REGISTER_FILES) of the socket of interface " + name
                + " failed: " + Errno.describe(-r) + ": set uring.registerFile=false", -r);
        }
        return 0; // index 0 of the ring's fixed files
    }

    private static void check(UringConfig c, InterfaceInfo info) {
        String n = info.name();
        PacketSockets.checkUp(info);
        PacketSockets.checkMinMtu(info, c.minMtu(), UringConfig.MIN_MTU_PROP);
        // A send buffer holds the virtio_net_hdr too when the socket has one (receive buffers are 64 KiB then).
        int room = c.bufferSize() - (c.vnetHeader() && c.transmit() ? Linux.VIRTIO_NET_HDR_LEN : 0);
        int frame = info.mtu() + Linux.ETH_HLEN + Linux.VLAN_HLEN;
        if (frame > room) {
            int need = (c.bufferSize() - room + frame + 63) & -64;
            throw new InterfaceException(n, "interface " + n + " has MTU " + info.mtu() + ", but a buffer of "
                + UringConfig.BUFFER_SIZE_PROP + "=" + c.bufferSize() + " holds frames of at most " + room
                + " bytes (MTU, Ethernet header and a VLAN tag): raise " + UringConfig.BUFFER_SIZE_PROP + " to " + need
                + ", or lower the MTU with `" + Interfaces.ip("link set dev " + n + " mtu "
                + (room - Linux.ETH_HLEN - Linux.VLAN_HLEN)) + "`", Errno.EMSGSIZE);
        }
    }

    /** Socket options and the bind. */
    private static void setUp(UringConfig c, InterfaceInfo info, int fd) {
        String n = info.name();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment errno = Errno.local();
            MemorySegment one = tmp.allocate(ValueLayout.JAVA_INT);
            if (c.transmit() && c.qdiscBypass()) {
                PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_QDISC_BYPASS, "PACKET_QDISC_BYPASS", 1, one,
                    n, "set uring.qdiscBypass=false");
            }
            if (c.receive() && c.ignoreOutgoing()) {
                PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_IGNORE_OUTGOING, "PACKET_IGNORE_OUTGOING", 1,
                    one, n, "set uring.ignoreOutgoing=false (the kernel needs Linux 4.20 or later)");
            }
            if (c.receive() && c.auxdata()) {
                PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_AUXDATA, "PACKET_AUXDATA", 1, one, n,
                    "set uring.auxdata=false");
            }
            if (c.receive() && c.kernelTimestamps()) {
                PacketSockets.setInt(errno, fd, Linux.SOL_SOCKET, Linux.SO_TIMESTAMPNS, "SO_TIMESTAMPNS", 1, one, n,
                    "set uring.kernelTimestamps=false");
            }
            if (c.vnetHeader()) {
                PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_VNET_HDR, "PACKET_VNET_HDR", 1, one, n,
                    "set uring.receiveGso=false");
            }
            if (c.receive() && c.socketBuffer() > 0) {
                PacketSockets.receiveBuffer(errno, fd, one, c.socketBuffer());
            }
            if (c.transmit()) {
                // Frames in flight count against the send buffer; let every send buffer be in flight.
                PacketSockets.sendBuffer(errno, fd, one, 4L * c.txBuffers() * c.bufferSize());
            }
            PacketSockets.bind(errno, fd, info, c.receive(), tmp);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // NicPort
    // ------------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public PortCapabilities capabilities() {
        return caps;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    @Override
    public int receiveBurst(Pbufs p, int[] out, int max) {
        if (rx == null || closed) {
            return 0;
        }
        long now = System.nanoTime();
        if (now - nextRefresh >= 0) {
            refresh(now, rxErrno);
        }
        // up to two VLAN tags on top of the MTU and the Ethernet header
        int maxFrame = link.mtu() + Linux.ETH_HLEN + 2 * Linux.VLAN_HLEN;
        int m = Math.min(Math.min(max, out.length), maxBurst);
        // Reap what is there, then one io_uring_enter (re-arms, or completions waiting for this thread), and if
        // the first reap found nothing, reap what that enter completed. One enter site, here, outside the big
        // loops (see UringReceiver.reap).
        int n = rx.reap(p, out, m, maxFrame, counters, stats);
        if (rx.submit(stats) && n == 0) {
            n = rx.reap(p, out, m, maxFrame, counters, stats);
        }
        return n;
    }

    @Override
    public int transmitBurst(Pbufs p, int[] handles, int off, int n) {
        if (tx == null || closed) {
            return 0;
        }
        if (rx == null) {
            long now = System.nanoTime();
            if (now - nextRefresh >= 0) {
                refresh(now, txErrno);
            }
        }
        // Reap and queue (no system call), then one io_uring_enter for the burst, then reap what the enter completed
        // (veth sends complete inside it).
        int k = tx.queue(p, handles, off, Math.min(n, maxBurst), link.mtu() + Linux.ETH_HLEN, counters, stats);
        if (tx.submit(stats)) {
            tx.reap(counters, stats);
        }
        return k;
    }

    /**
     * Reads the kernel's counters (PACKET_STATISTICS, which resets them), the socket error and the link state.
     * The port does this by itself every {@link UringConfig#statsIntervalMillis()}; call it only from the
     * receiving thread (the transmitting thread for a transmit-only port), for example before reading the
     * counters in a test.
     */
    public void refreshStatistics() {
        if (!closed) {
            refresh(System.nanoTime(), rx != null ? rxErrno : txErrno);
        }
    }

    private void refresh(long now, MemorySegment errno) {
        nextRefresh = now + statsIntervalNanos;
        if (rx != null) {
            kernelStatsLen.set(ValueLayout.JAVA_INT, 0, (int) TpacketStats.LAYOUT.byteSize());
            if (Libc.getsockopt(errno, fd, SOL_PACKET, Linux.PACKET_STATISTICS, kernelStats, kernelStatsLen) == 0) {
                long packets = Integer.toUnsignedLong(kernelStats.get(ValueLayout.JAVA_INT, TpacketStats.PACKETS));
                long drops = Integer.toUnsignedLong(kernelStats.get(ValueLayout.JAVA_INT, TpacketStats.DROPS));
                stats.countRxKernel(packets, drops);
                counters.rxDrops(PortCounters.Drop.DEVICE, drops);
            }
        }
        int e = link.takeSocketError(errno);
        if (e != 0) {
            stats.countRxSocketError(e);
        }
        if (link.pollLink(errno)) {
            stats.countRxLinkChange(link.up());
        }
    }

    /**
     * Stops the port: reaps the sends that completed, cancels every receive and send still outstanding
     * (IORING_OP_ASYNC_CANCEL) and reaps their completions (a send cancelled is a PORT_CLOSED drop), reads the
     * kernel's counters a last time, unmaps the rings and closes them and the socket. The port holds no pbufs
     * (frames are copied in both directions), so {@code p} frees nothing and the pool is full afterwards. Call it
     * after the receiving and transmitting threads have stopped. Idempotent.
     */
    @Override
    public void close(Pbufs p) {
        close();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment errno = Errno.local();
        int left = 0;
        try {
            if (tx != null) {
                left += tx.cancelAll(errno, CLOSE_LIMIT_NANOS, counters, stats);
            }
            if (rx != null) {
                left += rx.cancelAll(errno, CLOSE_LIMIT_NANOS, counters, stats);
                refresh(System.nanoTime(), errno);
            }
        } finally {
            if (rx != null) {
                rx.ring().close();
            }
            if (tx != null) {
                tx.ring().close();
            }
            Libc.close(errno, fd);
            if (left == 0) {
                arena.close();
            } else {
                // The kernel still owns some buffers; leave them mapped rather than free memory it may write.
                stats.countCloseLeft(left);
                System.getLogger(UringPort.class.getName()).log(System.Logger.Level.WARNING, "port " + name() + ": "
                    + left + " io_uring operations had not completed " + CLOSE_LIMIT_NANOS / 1_000_000
                    + " ms after their cancel; their buffers stay allocated");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    public UringConfig config() {
        return config;
    }

    /** The interface as it was when the port opened. */
    @Override
    public InterfaceInfo interfaceInfo() {
        return info;
    }

    /** The interface's MTU as last read. */
    public int mtu() {
        return link.mtu();
    }

    /** Whether the interface was up and running at the last refresh. */
    public boolean linkUp() {
        return link.up();
    }

    /** The port's own counters: system calls, completions, errors by errno. */
    public UringStats stats() {
        return stats;
    }

    /** Receives outstanding (0 before the first {@link #receiveBurst} and after the close). */
    public int rxArmed() {
        return rx == null ? 0 : rx.armedCount();
    }

    /** Sends in flight. */
    public int txInFlight() {
        return tx == null ? 0 : tx.inFlight();
    }

    /** The receive ring, or null for a transmit-only port (for inspection). */
    public IoUring rxRing() {
        return rx == null ? null : rx.ring();
    }

    /** The transmit ring, or null for a receive-only port (for inspection). */
    public IoUring txRing() {
        return tx == null ? null : tx.ring();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "UringPort{" + name() + " on " + info + ", " + counters.rxPackets() + " rx, " + counters.txPackets()
            + " tx}";
    }
}
