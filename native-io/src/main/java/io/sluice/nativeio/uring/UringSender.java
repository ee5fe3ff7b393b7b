package io.sluice.nativeio.uring;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters;
import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.linux.VirtioNetHdr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The transmit side of an {@link UringPort}: its own ring and {@code count} send buffers of {@code bufferSize}
 * bytes in one segment, each either free or carrying one SEND in flight ({@code user_data} is the buffer's index).
 *
 * <p>A burst ({@link #queue}, {@link #submit}, {@link #reap}) reaps the completed sends (buffers back on the free
 * stack; transmitted frames and bytes counted, errors counted by errno and dropped as DEVICE), gathers each chain
 * into a free buffer, queues a SEND SQE for it and frees the chain, and submits them all with one
 * {@code io_uring_enter}; then it reaps again, since a device that completes at once (veth) has finished them
 * inside that call. Without a free buffer or SQ entry it stops:
 * the caller keeps the rest of the burst (back-pressure).
 *
 * <p>Confined to the transmitting thread; {@link #cancelAll} runs at close, after it stopped. Allocates nothing.
 */
final class UringSender {
    private static final long CANCEL = 1L << 32;
    private static final ValueLayout.OfShort SHORT_BE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final IoUring ring;
    private final SqRing sq;
    private final CqRing cq;
    private final int fd;
    private final int sqeFlags;
    private final boolean coop;
    private final int count;
    private final int bufferSize;
    /** Bytes of virtio_net_hdr in front of each frame: 0, or 10 when the socket has PACKET_VNET_HDR. */
    private final int vnet;
    private final MemorySegment bufs;
    private final MemorySegment errno;

    private final int[] free;
    private int freeCount;
    private final boolean[] inFlight;
    private int inFlightCount;
    private boolean closing;

    UringSender(IoUring ring, int fd, boolean fixedFile, int count, int bufferSize, boolean vnetHeader, Arena arena) {
        this.ring = ring;
        this.sq = ring.sq();
        this.cq = ring.cq();
        this.fd = fd;
        this.sqeFlags = fixedFile ? Uring.SQE_FIXED_FILE : 0;
        this.coop = ring.coopTaskrun();
        this.count = count;
        this.bufferSize = bufferSize;
        this.vnet = vnetHeader ? VirtioNetHdr.LENGTH : 0;
        this.bufs = arena.allocate((long) count * bufferSize, 4096);
        this.errno = Errno.allocate(arena);
        this.free = new int[count];
        this.inFlight = new boolean[count];
        for (int b = count - 1; b >= 0; b--) {
            free[freeCount++] = b;
        }
    }

    IoUring ring() {
        return ring;
    }

    int inFlight() {
        return inFlightCount;
    }

    int buffers() {
        return count;
    }

    /**
     * Reaps the completed sends, then takes packets from the front of {@code handles[off .. off + n)}: gathers
     * each into a free buffer and fills a SEND SQE for it (no system call; {@link #submit} sends them).
     *
     * @param maxLen longest untagged frame accepted (MTU plus link header); a tagged one may be 4 bytes longer
     * @return packets taken (queued or dropped, and freed)
     */
    int queue(Pbufs p, int[] handles, int off, int n, int maxLen, PortCounters counters, UringStats stats) {
        reap(counters, stats);
        int k = 0;
        while (k < n) {
            if (freeCount == 0) {
                stats.countTxNoBuffer();
                break;
            }
            if (sq.free() == 0) {
                stats.countTxSqFull();
                break;
            }
            int h = handles[off + k];
            int b = free[freeCount - 1];
            int len = gather(p, h, b, maxLen);
            if (len < 0) {
                stats.countTxOversize();
                counters.txDrop(PortCounters.Drop.DEVICE);
            } else {
                freeCount--;
                inFlight[b] = true;
                inFlightCount++;
                sq.prep(sq.next(), Uring.OP_SEND, sqeFlags, fd, bufs.address() + (long) b * bufferSize, len + vnet,
                    0, b);
            }
            p.freem(h);
            k++;
        }
        stats.setTxInFlight(inFlightCount);
        return k;
    }

    /**
     * One system call for the burst: the SENDs queued (and any a failed call left behind), or, with sends in flight
     * and COOP_TASKRUN, running the completions the kernel flagged as waiting for this thread. Allocates nothing.
     *
     * @return whether it entered the kernel
     */
    boolean submit(UringStats stats) {
        if (sq.pending() == 0 && !(coop && inFlightCount > 0 && ring.taskrunPending())) {
            return false;
        }
        int r = ring.submit(errno, coop ? Uring.ENTER_GETEVENTS : 0);
        stats.countTxEnter(r); // on failure the SQEs stay in the ring; the next burst submits them again
        return true;
    }

    /** Gathers chain {@code h} into buffer {@code b}. @return the frame length, or -1 when too long or short */
    private int gather(Pbufs p, int h, int b, int maxLen) {
        long dst = (long) b * bufferSize + vnet;
        int limit = Math.min(maxLen + Linux.VLAN_HLEN, bufferSize - vnet);
        MemorySegment src = p.segment();
        int len = 0;
        for (int x = h; x != PbufHandle.NULL; x = p.next(x)) {
            int l = p.len(x);
            if (len + l > limit) {
                return -1;
            }
            MemorySegment.copy(src, p.address(x), bufs, dst + len, l);
            len += l;
        }
        if (len < Linux.ETH_HLEN || len > maxLen && !tagged(dst)) {
            return -1;
        }
        if (vnet != 0) {
            VirtioNetHdr.writeLinear(bufs, dst - vnet, len);
        }
        return len;
    }

    private boolean tagged(long frame) {
        int type = Short.toUnsignedInt(bufs.get(SHORT_BE, frame + 12));
        return type == Linux.ETH_P_8021Q || type == Linux.ETH_P_8021AD;
    }

    /** Takes the completed sends: buffers back, frames and bytes counted, errors counted by errno. */
    void reap(PortCounters counters, UringStats stats) {
        int ready = cq.ready();
        if (ready == 0) {
            return;
        }
        int frames = 0;
        long bytes = 0;
        for (int k = 0; k < ready; k++) {
            long ud = cq.userData(k);
            int res = cq.res(k);
            if (ud < 0 || ud >= count || !inFlight[(int) ud]) {
                continue; // a cancel's own completion
            }
            int b = (int) ud;
            inFlight[b] = false;
            inFlightCount--;
            free[freeCount++] = b;
            if (res >= 0) {
                frames++;
                bytes += res - vnet;
            } else if (closing && res == -Errno.ECANCELED) {
                counters.txDrop(PortCounters.Drop.PORT_CLOSED);
            } else {
                stats.countTxError(-res);
                counters.txDrop(PortCounters.Drop.DEVICE);
            }
        }
        cq.advance(ready);
        stats.countTxCompletions(ready);
        if (frames > 0) {
            counters.transmitted(frames, bytes);
        }
        stats.setTxInFlight(inFlightCount);
    }

    /**
     * Submits what is still queued, cancels the sends still in flight (IORING_OP_ASYNC_CANCEL, all at once) and
     * reaps them, waiting at most {@code limitNanos}. Control path, after the transmitting thread stopped.
     *
     * @return sends that had still not completed (their buffers must not be freed)
     */
    int cancelAll(MemorySegment errno, long limitNanos, PortCounters counters, UringStats stats) {
        long deadline = System.nanoTime() + limitNanos;
        closing = true;
        reap(counters, stats);
        if (inFlightCount == 0) {
            return 0;
        }
        // Sends are given a moment to finish (a device that completes at once has done so), then cancelled.
        ring.await(errno, 0, 1_000_000L);
        reap(counters, stats);
        if (inFlightCount > 0 && sq.free() > 0) {
            sq.prep(sq.next(), Uring.OP_ASYNC_CANCEL, 0, -1, 0, 0, Uring.ASYNC_CANCEL_ALL | Uring.ASYNC_CANCEL_ANY,
                CANCEL);
        }
        boolean oneByOne = false;
        while (inFlightCount > 0 && System.nanoTime() - deadline < 0) {
            ring.await(errno, 1, Math.min(10_000_000L, Math.max(1, deadline - System.nanoTime())));
            boolean invalid = cancelRefused();
            reap(counters, stats);
            if (invalid && !oneByOne) {
                oneByOne = true; // before Linux 5.19: no IORING_ASYNC_CANCEL_ANY, cancel each send
                for (int b = 0; b < count && sq.free() > 0; b++) {
                    if (inFlight[b]) {
                        sq.prep(sq.next(), Uring.OP_ASYNC_CANCEL, 0, -1, b, 0, 0, CANCEL);
                    }
                }
            }
        }
        stats.setTxInFlight(inFlightCount);
        return inFlightCount;
    }

    private boolean cancelRefused() {
        int ready = cq.ready();
        for (int k = 0; k < ready; k++) {
            if (cq.userData(k) == CANCEL && cq.res(k) == -Errno.EINVAL) {
                return true;
            }
        }
        return false;
    }
}
