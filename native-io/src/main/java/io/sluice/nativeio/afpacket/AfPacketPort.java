package io.sluice.nativeio.afpacket;

import static io.sluice.nativeio.linux.Linux.SOL_PACKET;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCapabilities;
import io.sluice.engine.phy.PortCounters;
import io.sluice.nativeio.NativePort;
import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import io.sluice.nativeio.ffm.NativeException;
import io.sluice.nativeio.linux.GsoSegmenter;
import io.sluice.nativeio.linux.InterfaceException;
import io.sluice.nativeio.linux.InterfaceInfo;
import io.sluice.nativeio.linux.Interfaces;
import io.sluice.nativeio.linux.LinkWatch;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.linux.PacketSockets;
import io.sluice.nativeio.linux.ReceivedFrames;
import io.sluice.nativeio.linux.Structs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A NIC port on a Linux interface through AF_PACKET sockets with memory-mapped TPACKET_V3 rings: one socket
 * per port (per queue, with {@link FanoutMode fan-out}) for receive, and, by default, a second, transmit-only
 * one for transmit (see {@link #linearTx}).
 *
 * <h2>Receive</h2>
 * {@link #receiveBurst} walks the receive ring's blocks (see {@link RxRing}) and copies each frame into a pbuf
 * chain from {@link Pbufs#allocReceive} (which may use the pool's reserve); the block goes back to the kernel
 * as soon as its last frame is copied, so the ring never waits for the pipeline. A frame for which the pool
 * has no pbufs is dropped and counted as RX_NO_PBUFS. A VLAN tag the kernel stripped is put back, so the
 * pbuf holds the bytes of the wire; the packet header gets the ifindex ({@code rcvif}), the kernel's receive
 * time ({@code timestamp}, ns since the epoch), its flow hash ({@code hash}) and the VLAN TCI. With
 * {@link AfPacketConfig#receiveGso} (the default) the socket reads a virtio_net_hdr with each frame, and a
 * segmentation-offload frame (a veth peer's TSO/GSO, a NIC's GRO) becomes one packet per segment
 * ({@link GsoSegmenter}).
 *
 * <h2>Transmit</h2>
 * {@link #transmitBurst} first reclaims the slots the kernel has sent (counting them as transmitted), then
 * gathers each chain into a slot of the transmit ring and frees the chain, then kicks the ring with one
 * {@code sendto(MSG_DONTWAIT)} for the whole burst and reclaims again (on veth the slots come back inside the
 * kick). It takes a packet whenever a slot is free; a full ring
 * returns the rest to the caller. Frames longer than the MTU allows or shorter than an Ethernet header are
 * taken and dropped (DEVICE, {@link AfPacketStats#txOversize}). A burst of zero packets is a valid call: it
 * reclaims and re-kicks whatever is still queued.
 *
 * <h2>Errors on the data path</h2>
 * Nothing is thrown from {@link #receiveBurst} or {@link #transmitBurst}. A kick that fails with EAGAIN
 * (socket send buffer full) or ENOBUFS (device queue full, carrier off) leaves the frames queued for the
 * next kick, up to {@link AfPacketConfig#txRetries()} consecutive ENOBUFS; after that, or at once for
 * ENETDOWN, ENXIO and format errors (TP_STATUS_WRONG_FORMAT), the queued frames are dropped as DEVICE. Every
 * failure is counted in {@link #stats()}. Every {@link AfPacketConfig#statsIntervalMillis()} the receive side
 * reads PACKET_STATISTICS (kernel drops become DEVICE drops), the socket error (ENETDOWN after the link went
 * down) and the interface's flags and MTU. The socket stays bound to the interface's index while the link is
 * down, and the kernel re-attaches it when the link comes back up, so traffic resumes by itself.
 *
 * <h2>Threads</h2>
 * One thread receives and one transmits (they may be the same); each uses its own errno capture segment and
 * its own ioctl buffer, so the data path allocates nothing. {@link #open} creates the socket in the calling
 * thread's network namespace (see {@link io.sluice.nativeio.linux.NetNamespace}); afterwards any thread may
 * use the port. Close it after both have stopped.
 */
public final class AfPacketPort implements NativePort {
    private final AfPacketConfig config;
    private final InterfaceInfo info;
    /** The receive socket; the transmit socket too, unless the port has a separate one. */
    private final int fd;
    /** The socket {@link #kick} sends through: {@link #fd}, or a transmit-only socket of its own. */
    private final int txFd;
    private final Arena arena;
    private final PortCapabilities caps;
    private final PortCounters counters = new PortCounters();
    private final AfPacketStats stats = new AfPacketStats();
    private final int maxBurst;
    private final long statsIntervalNanos;

    private final RxRing rx;
    private final MemorySegment rxErrno;
    private final MemorySegment kernelStats;
    private final MemorySegment kernelStatsLen;
    private long nextRefresh;

    private final TxRing tx;
    private final MemorySegment txErrno;
    private final MemorySegment txIfreq;
    private boolean kickPending;
    private int kickFailures;

    /** Socket error, link state and MTU (re-read every stats interval, and after a format error on transmit). */
    private final LinkWatch link;
    private volatile boolean closed;

    private AfPacketPort(AfPacketConfig config, InterfaceInfo info, int fd, int txFd, Arena arena,
                         MemorySegment rxRing, MemorySegment txRing) {
        this.config = config;
        this.info = info;
        this.fd = fd;
        this.txFd = txFd;
        this.arena = arena;
        this.maxBurst = config.maxBurst();
        this.link = new LinkWatch(arena, fd, info);
        this.caps = new PortCapabilities(info.mtu(), maxBurst, config.receive(), config.transmit(), 1);
        this.statsIntervalNanos = config.statsIntervalMillis() * 1_000_000L;
        this.nextRefresh = System.nanoTime() + statsIntervalNanos;

        this.rxErrno = Errno.allocate(arena);
        this.kernelStats = arena.allocate(Structs.TpacketStatsV3.LAYOUT);
        this.kernelStatsLen = arena.allocate(ValueLayout.JAVA_INT);
        this.rx = rxRing == null ? null
            : new RxRing(rxRing, config.rxBlockSize(), config.rxBlockCount(), info.index(), new ReceivedFrames(arena),
                config.receiveGso() ? new GsoSegmenter(arena) : null);

        this.txErrno = Errno.allocate(arena);
        this.txIfreq = Interfaces.ifreq(arena, info.name());
        this.tx = txRing == null ? null
            : new TxRing(txRing, config.txBlockSize(), config.txBlockCount(), config.txFrameSize(), linearTx(config));
    }

    /**
     * Opens a port on {@code config.interfaceName()} in the calling thread's network namespace.
     *
     * @throws InterfaceException when the interface does not exist, is down, has an MTU below
     *                            {@link AfPacketConfig#minMtu()} or above what the rings hold, or the process
     *                            lacks CAP_NET_RAW; the message names the interface and the fix
     * @throws NativeException    when the kernel refuses a ring, the mapping or fan-out (the message names the
     *                            setting to change)
     */
    public static AfPacketPort open(AfPacketConfig config) {
        String name = config.interfaceName();
        MemorySegment errno = Errno.local();
        int fd = PacketSockets.open(name);
        int txFd = -1;
        Arena arena = Arena.ofShared();
        try {
            InterfaceInfo info = Interfaces.query(fd, name);
            check(config, info);
            if (separateTx(config)) {
                // The receive socket keeps the fan-out and promiscuous mode; the transmit one only sends.
                MemorySegment rxRing = setUp(config.toBuilder().transmit(false).build(), info, fd, arena)[0];
                txFd = PacketSockets.open(name);
                AfPacketConfig txOnly = config.toBuilder().receive(false).promiscuous(false)
                    .fanout(FanoutMode.NONE, 0).build();
                MemorySegment txRing = setUp(txOnly, info, txFd, arena)[1];
                return new AfPacketPort(config, info, fd, txFd, arena, rxRing, txRing);
            }
            MemorySegment[] rings = setUp(config, info, fd, arena);
            return new AfPacketPort(config, info, fd, fd, arena, rings[0], rings[1]);
        } catch (RuntimeException | Error e) {
            arena.close();
            Libc.close(errno, fd);
            if (txFd >= 0) {
                Libc.close(errno, txFd);
            }
            throw e;
        }
    }

    /**
     * Opens {@code queues} ports on one interface in fan-out group {@code config.fanoutGroup()}, named
     * {@code NAME.q0}, {@code NAME.q1}, ...; each has its own rings. All or nothing.
     */
    public static List<AfPacketPort> openQueues(AfPacketConfig config, int queues) {
        if (config.fanout() == FanoutMode.NONE || queues < 1) {
            throw new io.sluice.config.ConfigException(AfPacketConfig.FANOUT_PROP + "=" + config.fanout().name()
                .toLowerCase() + " with " + queues + " queues: several queues need a fan-out mode (hash, lb, cpu, qm)");
        }
        List<AfPacketPort> ports = new ArrayList<>(queues);
        try {
            for (int q = 0; q < queues; q++) {
                ports.add(open(config.toBuilder().portName(config.name() + ".q" + q).build()));
            }
        } catch (RuntimeException | Error e) {
            ports.forEach(AfPacketPort::close);
            throw e;
        }
        return ports;
    }

    private static void check(AfPacketConfig c, InterfaceInfo info) {
        String n = info.name();
        PacketSockets.checkUp(info);
        PacketSockets.checkMinMtu(info, c.minMtu(), AfPacketConfig.MIN_MTU_PROP);
        int frame = info.mtu() + Linux.ETH_HLEN + Linux.VLAN_HLEN;
        if (c.transmit() && frame > c.txFrameCapacity()) {
            int need = (int) Structs.align(frame + Structs.Tpacket3Hdr.TX_DATA);
            throw new InterfaceException(n, "interface " + n + " has MTU " + info.mtu() + ", but a transmit slot of "
                + AfPacketConfig.TX_FRAME_SIZE_PROP + "=" + c.txFrameSize() + " holds frames of at most "
                + c.txFrameCapacity() + " bytes: raise " + AfPacketConfig.TX_FRAME_SIZE_PROP + " to " + need
                + " (and " + AfPacketConfig.TX_BLOCK_SIZE_PROP + " to hold it), or lower the MTU with `"
                + Interfaces.ip("link set dev " + n + " mtu " + (c.txFrameCapacity() - Linux.ETH_HLEN
                - Linux.VLAN_HLEN)) + "`", Errno.EMSGSIZE);
        }
        if (c.receive() && frame + 2 * Linux.VLAN_HLEN > c.rxFrameCapacity()) {
            throw new InterfaceException(n, "interface " + n + " has MTU " + info.mtu() + ", but a receive block of "
                + AfPacketConfig.RX_BLOCK_SIZE_PROP + "=" + c.rxBlockSize() + " holds frames of at most "
                + c.rxFrameCapacity() + " bytes: raise " + AfPacketConfig.RX_BLOCK_SIZE_PROP, Errno.EMSGSIZE);
        }
    }

    /**
     * Whether transmitted frames go to the kernel whole in the skb's linear area (PACKET_VNET_HDR with hdr_len =
     * the frame): a transmit-only socket does it. Without it tpacket_snd copies the link header and attaches the
     * rest of the ring frame as a zero-copy page fragment, which a veth (or any device that hands the frame to
     * another socket) must then copy into a newly allocated page: about 10 % of the kernel's time per small frame
     * here (perf: skb_copy_ubufs and the page allocator). The vnet header would change what a receive ring holds,
     * so a port that receives too transmits through a second, transmit-only socket ({@link
     * AfPacketConfig#separateTxSocket}, on by default); with that off it keeps the plain layout on one socket,
     * unless that socket has the vnet header anyway to receive segmentation-offload frames.
     */
    static boolean linearTx(AfPacketConfig c) {
        return c.transmit() && (!c.receive() || c.separateTxSocket() || c.receiveGso());
    }

    /**
     * Whether the socket reads and writes a virtio_net_hdr with every frame: a linear transmit socket, and a
     * receive socket that takes segmentation-offload frames ({@link AfPacketConfig#receiveGso}).
     */
    static boolean vnetHeader(AfPacketConfig c) {
        return linearTx(c) || c.receive() && c.receiveGso();
    }

    /** Whether the port transmits through a socket of its own (it also receives, and the setting is on). */
    static boolean separateTx(AfPacketConfig c) {
        return c.transmit() && c.receive() && c.separateTxSocket();
    }

    /** Socket options, rings, mapping, bind, fan-out. @return {rx ring, tx ring}, either may be null */
    @SuppressWarnings("restricted") // sizing the mapping mmap returned
    private static MemorySegment[] setUp(AfPacketConfig c, InterfaceInfo info, int fd, Arena arena) {
        String n = info.name();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment errno = Errno.local();
            MemorySegment one = tmp.allocate(ValueLayout.JAVA_INT);
            PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_VERSION, "PACKET_VERSION", Linux.TPACKET_V3, one,
                n, "the kernel needs TPACKET_V3 (Linux 3.2 or later)");
            if (c.transmit() && c.qdiscBypass()) {
                PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_QDISC_BYPASS, "PACKET_QDISC_BYPASS", 1, one,
                    n, "set afpacket.qdiscBypass=false");
            }
            if (vnetHeader(c)) {
                PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_VNET_HDR, "PACKET_VNET_HDR", 1, one, n,
                    "the kernel needs PACKET_VNET_HDR with rings (Linux 5.8 or later); set afpacket.receiveGso=false");
            }
            if (c.receive() && c.ignoreOutgoing()) {
                PacketSockets.setInt(errno, fd, SOL_PACKET, Linux.PACKET_IGNORE_OUTGOING, "PACKET_IGNORE_OUTGOING", 1,
                    one, n, "set afpacket.ignoreOutgoing=false (the kernel needs Linux 4.20 or later)");
            }
            MemorySegment req = tmp.allocate(Structs.TpacketReq3.LAYOUT);
            if (c.receive()) {
                req.fill((byte) 0);
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.BLOCK_SIZE, c.rxBlockSize());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.BLOCK_NR, c.rxBlockCount());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.FRAME_SIZE, c.rxFrameSize());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.FRAME_NR, c.rxFramesPerBlock() * c.rxBlockCount());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.RETIRE_BLK_TOV, c.rxRetireTimeoutMillis());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.FEATURE_REQ_WORD, Linux.TP_FT_REQ_FILL_RXHASH);
                if (Libc.setsockopt(errno, fd, SOL_PACKET, Linux.PACKET_RX_RING, req, (int) req.byteSize()) < 0) {
                    throw ringError(errno, "PACKET_RX_RING", n, c.rxBlockCount(), c.rxBlockSize(),
                        AfPacketConfig.RX_BLOCK_COUNT_PROP, AfPacketConfig.RX_BLOCK_SIZE_PROP);
                }
            }
            if (c.transmit()) {
                // V3 transmit: retire_blk_tov, sizeof_priv and feature_req_word must be 0 (PLATFORM.md)
                req.fill((byte) 0);
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.BLOCK_SIZE, c.txBlockSize());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.BLOCK_NR, c.txBlockCount());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.FRAME_SIZE, c.txFrameSize());
                req.set(ValueLayout.JAVA_INT, Structs.TpacketReq3.FRAME_NR, c.txFrames());
                if (Libc.setsockopt(errno, fd, SOL_PACKET, Linux.PACKET_TX_RING, req, (int) req.byteSize()) < 0) {
                    throw ringError(errno, "PACKET_TX_RING", n, c.txBlockCount(), c.txBlockSize(),
                        AfPacketConfig.TX_BLOCK_COUNT_PROP, AfPacketConfig.TX_BLOCK_SIZE_PROP);
                }
            }
            long rxBytes = c.rxRingBytes();
            long total = rxBytes + c.txRingBytes();
            MemorySegment base = Libc.mmap(errno, MemorySegment.NULL, total, Linux.PROT_READ | Linux.PROT_WRITE,
                Linux.MAP_SHARED | Linux.MAP_POPULATE, fd, 0);
            if (base.address() == Libc.MAP_FAILED) {
                int e = Errno.get(errno);
                throw new NativeException("mmap of the " + total + "-byte rings of interface " + n + " failed: "
                    + Errno.describe(e) + ": make the rings smaller (afpacket.rxBlockCount, afpacket.txBlockCount)", e);
            }
            // Closing the port's arena unmaps the rings; any later access fails instead of touching unmapped memory.
            MemorySegment mapping = base.reinterpret(total, arena, s -> Libc.munmap(Errno.local(), s, total));
            MemorySegment rxRing = c.receive() ? mapping.asSlice(0, rxBytes) : null;
            MemorySegment txRing = c.transmit() ? mapping.asSlice(rxBytes, c.txRingBytes()) : null;

            // A transmit-only socket binds with protocol 0: no receive hook, so nothing piles up unread.
            PacketSockets.bind(errno, fd, info, c.receive(), tmp);
            if (c.promiscuous()) {
                MemorySegment mreq = tmp.allocate(Structs.PacketMreq.LAYOUT);
                mreq.set(ValueLayout.JAVA_INT, Structs.PacketMreq.IFINDEX, info.index());
                mreq.set(ValueLayout.JAVA_SHORT, Structs.PacketMreq.TYPE, (short) Linux.PACKET_MR_PROMISC);
                if (Libc.setsockopt(errno, fd, SOL_PACKET, Linux.PACKET_ADD_MEMBERSHIP, mreq,
                    (int) mreq.byteSize()) < 0) {
                    int e = Errno.get(errno);
                    throw new InterfaceException(n, "promiscuous mode on interface " + n + " failed: "
                        + Errno.describe(e) + ": set afpacket.promiscuous=false", e);
                }
            }
            if (c.fanout() != FanoutMode.NONE) {
                one.set(ValueLayout.JAVA_INT, 0, c.fanoutGroup() | c.fanout().kernelValue() << 16);
                if (Libc.setsockopt(errno, fd, SOL_PACKET, Linux.PACKET_FANOUT, one, 4) < 0) {
                    int e = Errno.get(errno);
                    throw new NativeException("PACKET_FANOUT group " + c.fanoutGroup() + " ("
                        + c.fanout().name().toLowerCase() + ") on interface " + n + " failed: " + Errno.describe(e)
                        + ": the group may exist in this network namespace with another mode or interface, or be "
                        + "full; pick another " + AfPacketConfig.FANOUT_GROUP_PROP, e);
                }
            }
            if (c.transmit()) {
                // Frames in flight count against the send buffer; let the whole ring be in flight. Best effort:
                // SO_SNDBUFFORCE needs CAP_NET_ADMIN, SO_SNDBUF is capped by net.core.wmem_max.
                PacketSockets.sendBuffer(errno, fd, one, c.txRingBytes());
            }
            return new MemorySegment[] {rxRing, txRing};
        }
    }

    private static NativeException ringError(MemorySegment errno, String option, String ifname, int blocks,
                                             int blockSize, String countProp, String sizeProp) {
        int e = Errno.get(errno);
        String hint = e == Errno.ENOMEM
            ? "the kernel could not allocate " + blocks + " blocks of " + blockSize + " bytes; lower " + countProp
                + " or " + sizeProp
            : "the kernel refused the geometry " + countProp + "=" + blocks + " " + sizeProp + "=" + blockSize;
        return new NativeException("setsockopt(" + option + ") for interface " + ifname + " failed: "
            + Errno.describe(e) + ": " + hint, e);
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
        return rx.receive(p, out, Math.min(max, maxBurst), maxFrame, counters, stats);
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
        reclaim();
        int max = Math.min(n, maxBurst);
        int maxFrame = link.mtu() + Linux.ETH_HLEN;
        int k = 0;
        boolean queued = false;
        while (k < max) {
            if (tx.free() == 0) {
                reclaim();
                if (tx.free() == 0) {
                    stats.countTxRingFull();
                    break;
                }
            }
            int h = handles[off + k];
            if (tx.queue(p, h, Linux.ETH_HLEN, maxFrame) < 0) {
                stats.countTxOversize();
                counters.txDrop(PortCounters.Drop.DEVICE);
            } else {
                queued = true;
            }
            p.freem(h);
            k++;
        }
        if (queued || kickPending) {
            kick(txErrno);
            reclaim(); // a device that completes at once (veth) has the slots back already
        }
        return k;
    }

    private void reclaim() {
        boolean wrongFormat = tx.reclaim();
        if (tx.reclaimedFrames() > 0) {
            counters.transmitted(tx.reclaimedFrames(), tx.reclaimedBytes());
        }
        if (wrongFormat) {
            discard(PortCounters.Drop.DEVICE, txErrno);
        }
    }

    /** One {@code sendto} for everything queued; failures are counted, retried or end in drops. */
    private void kick(MemorySegment errno) {
        stats.countTxKick();
        long r = Libc.sendto(errno, txFd, MemorySegment.NULL, 0, Linux.MSG_DONTWAIT, MemorySegment.NULL, 0);
        if (r >= 0) {
            kickFailures = 0;
            kickPending = tx.hasQueued(); // the send buffer may have stopped the kernel part-way
            return;
        }
        int e = Errno.get(errno);
        stats.countTxKickError(e);
        if (e == Errno.EAGAIN || e == Errno.EINTR || (e == Errno.ENOBUFS && ++kickFailures <= config.txRetries())) {
            // EAGAIN: the send buffer is full of frames in flight; they complete without us. ENOBUFS: the device
            // queue was full or the carrier is off; the kernel put the frame back, try again with the next kick.
            stats.countTxRetried();
            kickPending = true;
            return;
        }
        kickFailures = 0;
        kickPending = false;
        discard(PortCounters.Drop.DEVICE, errno);
    }

    /** Drops the frames still queued for the kernel (between kicks only). */
    private void discard(PortCounters.Drop reason, MemorySegment errno) {
        int dropped = tx.discardQueued();
        int wrong = tx.discardedWrongFormat();
        for (int i = 0; i < dropped; i++) {
            counters.txDrop(reason);
        }
        for (int i = 0; i < wrong; i++) {
            stats.countTxWrongFormat();
        }
        stats.countTxDiscarded(dropped);
        if (wrong > 0) {
            int m = Interfaces.mtu(errno, txFd, txIfreq); // the MTU may have shrunk under us
            if (m > 0) {
                link.mtu(m);
            }
        }
    }

    /**
     * Reads the kernel's counters (PACKET_STATISTICS, which resets them), the socket error and the link
     * state. The port does this by itself every {@link AfPacketConfig#statsIntervalMillis()}; call it only
     * from the receiving thread (the transmitting thread for a transmit-only port), for example before reading
     * the counters in a test.
     */
    public void refreshStatistics() {
        if (!closed) {
            refresh(System.nanoTime(), rx != null ? rxErrno : txErrno);
        }
    }

    private void refresh(long now, MemorySegment errno) {
        nextRefresh = now + statsIntervalNanos;
        if (rx != null) {
            kernelStatsLen.set(ValueLayout.JAVA_INT, 0, (int) Structs.TpacketStatsV3.LAYOUT.byteSize());
            if (Libc.getsockopt(errno, fd, SOL_PACKET, Linux.PACKET_STATISTICS, kernelStats, kernelStatsLen) == 0) {
                long packets = Integer.toUnsignedLong(kernelStats.get(ValueLayout.JAVA_INT,
                    Structs.TpacketStatsV3.PACKETS));
                long drops = Integer.toUnsignedLong(kernelStats.get(ValueLayout.JAVA_INT, Structs.TpacketStatsV3.DROPS));
                long freezes = Integer.toUnsignedLong(kernelStats.get(ValueLayout.JAVA_INT,
                    Structs.TpacketStatsV3.FREEZE_Q_CNT));
                stats.countRxKernel(packets, drops, freezes);
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
     * Stops the port: sends what the transmit ring still holds (one last kick), counts what could not go as
     * PORT_CLOSED, reads the kernel's counters a last time, unmaps the rings and closes the socket. The port
     * holds no pbufs (frames are copied in both directions), so {@code p} frees nothing. Call it after the
     * receiving and transmitting threads have stopped. Idempotent.
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
        MemorySegment errno = Errno.local();
        try {
            if (tx != null) {
                reclaim();
                if (tx.hasQueued()) {
                    kick(errno);
                    reclaim();
                }
                discard(PortCounters.Drop.PORT_CLOSED, errno);
            }
            if (rx != null) {
                refresh(System.nanoTime(), errno);
                rx.releaseHeld();
            }
        } finally {
            closed = true;
            arena.close();
            Libc.close(errno, fd);
            if (txFd != fd) {
                Libc.close(errno, txFd);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------

    public AfPacketConfig config() {
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

    /** The port's own counters: ring, kernel and error events. */
    public AfPacketStats stats() {
        return stats;
    }

    /** Transmit slots in the ring (0 without a transmit ring). */
    public int txFrames() {
        return tx == null ? 0 : tx.frames();
    }

    /** Transmit slots not yet back from the kernel (queued or in flight). */
    public int txInFlight() {
        return tx == null ? 0 : tx.used();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "AfPacketPort{" + name() + " on " + info + ", " + counters.rxPackets() + " rx, " + counters.txPackets()
            + " tx}";
    }
}
