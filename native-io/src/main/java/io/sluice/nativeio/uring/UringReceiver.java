package io.sluice.nativeio.uring;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters;
import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.linux.GsoSegmenter;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.linux.ReceivedFrames;
import io.sluice.nativeio.linux.VirtioNetHdr;
import io.sluice.nativeio.uring.Uring.Cmsghdr;
import io.sluice.nativeio.uring.Uring.Iovec;
import io.sluice.nativeio.uring.Uring.Msghdr;
import io.sluice.nativeio.uring.Uring.TpacketAuxdata;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The receive side of an {@link UringPort}: its own ring, {@code count} buffers of {@code bufferSize} bytes in one
 * segment, and one receive (RECVMSG with PACKET_AUXDATA, or RECV) outstanding per buffer; {@code user_data} is the
 * buffer's index.
 *
 * <p>A burst reaps the CQEs that are there (no system call), copies each frame into a pbuf chain, puts the buffer
 * on the idle stack whatever happened to the frame, fills an SQE for every idle buffer, and submits them with one
 * {@code io_uring_enter} (the first burst arms every buffer that way). When there was nothing to reap, that enter
 * (with COOP_TASKRUN it also runs the completions the kernel flagged as waiting for this thread) is followed by a
 * second reap, whose buffers the next burst submits. A burst makes at most one system call, and none when every
 * buffer is armed and nothing completed.
 *
 * <p>The receives belong to the thread that submitted them: if it ends, the kernel cancels them (-ECANCELED) and
 * the next burst arms them again from its own thread. Confined to the receiving thread; {@link #cancelAll} runs
 * at close, after it stopped. Allocates nothing per frame.
 */
final class UringReceiver {
    /** {@code user_data} of the close's cancel; buffers use their index. */
    private static final long CANCEL = 1L << 32;
    /** Per buffer: msghdr at 0, iovec at {@link #IOV}, control messages at {@link #CONTROL}. */
    static final int META_SIZE = 256;
    private static final int IOV = 64;
    private static final int CONTROL = 128;
    /** Room for PACKET_AUXDATA (40 bytes) and SCM_TIMESTAMPNS (32 bytes), with some to spare. */
    static final int CONTROL_SIZE = META_SIZE - CONTROL;

    private final IoUring ring;
    private final SqRing sq;
    private final CqRing cq;
    private final int fd;
    private final int sqeFlags;
    private final boolean coop;
    private final boolean auxdata;
    private final int count;
    private final int bufferSize;
    private final MemorySegment bufs;
    private final MemorySegment meta;
    private final int ifindex;
    private final MemorySegment errno;
    private final ReceivedFrames frames;
    /** Bytes of virtio_net_hdr in front of each frame: 0, or 10 when the socket has PACKET_VNET_HDR. */
    private final int vnet;
    /** Cuts segmentation-offload frames; null without the virtio_net_hdr. */
    private final GsoSegmenter gso;
    /** The buffer of a super-frame whose segments did not all fit the last burst, or -1. */
    private int held = -1;
    /** The receive time of that frame, for its remaining segments. */
    private long heldStamp;
    /** {@code currentTimeMillis} minus {@code nanoTime}, in ns: the receive time without SO_TIMESTAMPNS. */
    private final long epochOffset;

    private final int[] idle;
    private int idleCount;
    private final boolean[] armed;
    private int armedCount;

    UringReceiver(IoUring ring, int fd, boolean fixedFile, boolean auxdata, int count, int bufferSize,
                  boolean vnetHeader, int ifindex, Arena arena) {
        this.ring = ring;
        this.sq = ring.sq();
        this.cq = ring.cq();
        this.fd = fd;
        this.sqeFlags = fixedFile ? Uring.SQE_FIXED_FILE : 0;
        this.coop = ring.coopTaskrun();
        this.auxdata = auxdata;
        this.count = count;
        this.bufferSize = bufferSize;
        this.bufs = arena.allocate((long) count * bufferSize, 4096);
        this.meta = auxdata ? arena.allocate((long) count * META_SIZE, 64) : null;
        this.ifindex = ifindex;
        this.errno = Errno.allocate(arena);
        this.frames = new ReceivedFrames(arena);
        this.vnet = vnetHeader ? VirtioNetHdr.LENGTH : 0;
        this.gso = vnetHeader ? new GsoSegmenter(arena) : null;
        this.epochOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        this.idle = new int[count];
        this.armed = new boolean[count];
        for (int b = count - 1; b >= 0; b--) {
            idle[idleCount++] = b;
        }
        if (auxdata) {
            for (int b = 0; b < count; b++) {
                long m = (long) b * META_SIZE;
                meta.set(ValueLayout.ADDRESS, m + Msghdr.NAME, MemorySegment.NULL);
                meta.set(ValueLayout.ADDRESS, m + Msghdr.IOV, meta.asSlice(m + IOV));
                meta.set(ValueLayout.JAVA_LONG, m + Msghdr.IOVLEN, 1);
                meta.set(ValueLayout.ADDRESS, m + Msghdr.CONTROL, meta.asSlice(m + CONTROL));
                meta.set(ValueLayout.ADDRESS, m + IOV + Iovec.BASE, bufs.asSlice((long) b * bufferSize));
                meta.set(ValueLayout.JAVA_LONG, m + IOV + Iovec.LEN, bufferSize);
            }
        }
    }

    IoUring ring() {
        return ring;
    }

    int armedCount() {
        return armedCount;
    }

    /**
     * Reaps up to {@code max} completions that are there (no system call), copies their frames into
     * {@code out[0..)}, and fills an SQE for every idle buffer; {@link #submit} then sends those to the kernel.
     * The port calls {@code reap}, {@code submit} and, when the first {@code reap} found nothing and the
     * {@code submit} entered the kernel, {@code reap} again (whose buffers the next burst's {@code submit} arms):
     * one system call per burst at most. The system call stays out of this method, whose inlined graph is large:
     * with a single call site outside the loops the JIT's inlining budget is not spent on it twice (see also
     * {@code Libc}'s non-constant handles, which keep the downcall allocation-free whatever the caller).
     *
     * @param maxFrame frames longer than this (link header and VLAN tags included) are dropped as RX_OVERSIZE
     * @return frames delivered
     */
    int reap(Pbufs p, int[] out, int max, int maxFrame, PortCounters counters, UringStats stats) {
        int n = 0;
        if (held >= 0) {
            n = cut(p, out, n, max, heldStamp, counters); // the rest of the last burst's super-frame first
            if (!gso.pending()) {
                idle[idleCount++] = held;
                held = -1;
            }
        }
        int ready = held >= 0 ? 0 : cq.ready();
        if (ready > 0) {
            long now = System.nanoTime() + epochOffset; // replaced by SO_TIMESTAMPNS when the kernel sends one
            int k = 0;
            while (k < ready && n < max) {
                long ud = cq.userData(k);
                int res = cq.res(k);
                k++;
                if (ud < 0 || ud >= count) {
                    continue; // a cancel's own completion
                }
                int b = (int) ud;
                armed[b] = false;
                armedCount--;
                if (res >= 0) {
                    int h = copy(p, b, res, maxFrame, now, counters, stats);
                    if (h != PbufHandle.NULL) {
                        out[n++] = h;
                    }
                    if (gso != null && gso.pending()) {
                        n = cut(p, out, n, max, heldStamp, counters);
                        if (gso.pending()) {
                            held = b; // out is full: the buffer stays out of the kernel's hands until it is cut
                            break;
                        }
                    }
                } else if (res == -Errno.ECANCELED) {
                    stats.countRxRearmedAfterCancel(); // the thread that armed it ended; arm it again from this one
                } else {
                    stats.countRxError(-res);
                }
                idle[idleCount++] = b;
            }
            cq.advance(k);
            stats.countRxCompletions(k);
        }
        if (n > 0) {
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                bytes += p.pktLen(out[i]);
            }
            counters.received(n, bytes);
        }
        if (idleCount > 0) {
            arm(stats);
        }
        stats.setRxArmed(armedCount);
        return n;
    }

    /**
     * Submits the filled SQEs with one {@code io_uring_enter}, if there are any, or, with COOP_TASKRUN, if the
     * kernel flagged completions as waiting for this thread (GETEVENTS, no minimum, runs them). Allocates nothing.
     *
     * @return whether it entered the kernel
     */
    boolean submit(UringStats stats) {
        boolean pending = sq.pending() > 0;
        if (!pending && !(coop && ring.taskrunPending())) {
            return false; // everything armed, nothing completed: no system call
        }
        if (!pending) {
            stats.countRxTaskrunEnter();
        }
        int r = ring.submit(errno, coop ? Uring.ENTER_GETEVENTS : 0);
        stats.countRxEnter(r); // on failure the SQEs stay in the ring; the next burst submits them again
        return true;
    }

    /** Fills an SQE for every idle buffer the SQ has room for (published by the next enter). */
    private void arm(UringStats stats) {
        int room = sq.free();
        if (room < idleCount) {
            stats.countRxSqFull();
        }
        int k = Math.min(room, idleCount);
        for (int i = 0; i < k; i++) {
            int b = idle[--idleCount];
            long sqe = sq.next();
            if (auxdata) {
                long m = (long) b * META_SIZE;
                // the kernel wrote back the length it used and the flags
                meta.set(ValueLayout.JAVA_LONG, m + Msghdr.CONTROLLEN, CONTROL_SIZE);
                meta.set(ValueLayout.JAVA_INT, m + Msghdr.FLAGS, 0);
                sq.prep(sqe, Uring.OP_RECVMSG, sqeFlags, fd, meta.address() + m, 1, Linux.MSG_TRUNC, b);
            } else {
                sq.prep(sqe, Uring.OP_RECV, sqeFlags, fd, bufs.address() + (long) b * bufferSize, bufferSize,
                    Linux.MSG_TRUNC, b);
            }
            armed[b] = true;
            armedCount++;
        }
    }

    /**
     * One frame from buffer {@code b} into a pbuf chain.
     *
     * @param res the frame's length (MSG_TRUNC: before truncation, without a tag the kernel stripped), plus the
     *            virtio_net_hdr's in front of it when the socket has one
     */
    private int copy(Pbufs p, int b, int res, int maxFrame, long now, PortCounters counters, UringStats stats) {
        if (res > bufferSize || res < vnet) {
            stats.countRxTruncated();
            counters.rxDrop(PortCounters.Drop.RX_OVERSIZE);
            return PbufHandle.NULL;
        }
        long data = (long) b * bufferSize + vnet;
        int frameLen = res - vnet;
        long stamp = now;
        int tci = ReceivedFrames.NO_VLAN;
        int tpid = Linux.ETH_P_8021Q;
        int flags = 0;
        if (auxdata) {
            long m = (long) b * META_SIZE;
            long c = m + CONTROL;
            long end = c + Math.min(meta.get(ValueLayout.JAVA_LONG, m + Msghdr.CONTROLLEN), CONTROL_SIZE);
            while (c + Cmsghdr.DATA <= end) {
                long len = meta.get(ValueLayout.JAVA_LONG, c + Cmsghdr.LEN);
                if (len < Cmsghdr.DATA || c + len > end) {
                    break;
                }
                int level = meta.get(ValueLayout.JAVA_INT, c + Cmsghdr.LEVEL);
                int type = meta.get(ValueLayout.JAVA_INT, c + Cmsghdr.TYPE);
                long d = c + Cmsghdr.DATA;
                if (level == Linux.SOL_PACKET && type == Linux.PACKET_AUXDATA) {
                    int status = meta.get(ValueLayout.JAVA_INT, d + TpacketAuxdata.STATUS);
                    flags = ReceivedFrames.checksumFlags(status);
                    if ((status & Linux.TP_STATUS_VLAN_VALID) != 0) {
                        tci = Short.toUnsignedInt(meta.get(ValueLayout.JAVA_SHORT, d + TpacketAuxdata.VLAN_TCI));
                        if ((status & Linux.TP_STATUS_VLAN_TPID_VALID) != 0) {
                            tpid = Short.toUnsignedInt(meta.get(ValueLayout.JAVA_SHORT,
                                d + TpacketAuxdata.VLAN_TPID));
                        }
                    }
                } else if (level == Linux.SOL_SOCKET && type == Linux.SCM_TIMESTAMPNS) {
                    // struct timespec: tv_sec, tv_nsec
                    stamp = meta.get(ValueLayout.JAVA_LONG, d) * 1_000_000_000L
                        + meta.get(ValueLayout.JAVA_LONG, d + 8);
                }
                c += Cmsghdr.align(len);
            }
        }
        int taken = gso == null ? GsoSegmenter.PLAIN : gso.take(bufs, data, frameLen, tpid, tci, maxFrame, counters);
        if (taken != GsoSegmenter.PLAIN) {
            if (taken == GsoSegmenter.CUT) {
                stats.countRxGsoFrame();
                heldStamp = stamp;
                if (ReceivedFrames.restoresTag(frameLen, tci)) {
                    stats.countRxVlanRestored();
                }
            }
            return PbufHandle.NULL;
        }
        int h = frames.copy(p, bufs, data, frameLen, tpid, tci, maxFrame, counters);
        if (h == PbufHandle.NULL) {
            return h;
        }
        if (ReceivedFrames.restoresTag(frameLen, tci)) {
            stats.countRxVlanRestored();
        }
        p.setRcvif(h, ifindex);
        p.setPktFlags(h, flags);
        p.setTimestamp(h, stamp);
        return h;
    }

    /** Segments of the frame being cut into {@code out[n..max)}, with the port's packet header fields. */
    private int cut(Pbufs p, int[] out, int n, int max, long stamp, PortCounters counters) {
        int from = n;
        n = gso.emit(p, out, n, max, counters);
        for (int i = from; i < n; i++) {
            p.setRcvif(out[i], ifindex);
            p.setTimestamp(out[i], stamp);
        }
        return n;
    }

    /**
     * Cancels every receive still armed (IORING_OP_ASYNC_CANCEL, all of them at once) and reaps the completions,
     * waiting at most {@code limitNanos}. Control path, after the receiving thread stopped.
     *
     * @return receives that had still not completed (their buffers must not be freed)
     */
    int cancelAll(MemorySegment errno, long limitNanos, PortCounters counters, UringStats stats) {
        long deadline = System.nanoTime() + limitNanos;
        if (held >= 0) {
            gso.reset(); // the rest of a super-frame that was being cut goes with the port
            idle[idleCount++] = held;
            held = -1;
        }
        reapQuietly(counters, stats);
        if (armedCount == 0 && sq.pending() == 0) {
            return 0;
        }
        if (sq.free() > 0) {
            long sqe = sq.next();
            sq.prep(sqe, Uring.OP_ASYNC_CANCEL, 0, -1, 0, 0, Uring.ASYNC_CANCEL_ALL | Uring.ASYNC_CANCEL_ANY,
                CANCEL);
        }
        boolean oneByOne = false;
        while (armedCount > 0 && System.nanoTime() - deadline < 0) {
            ring.await(errno, 1, Math.min(10_000_000L, Math.max(1, deadline - System.nanoTime())));
            if (reapQuietly(counters, stats) && !oneByOne) {
                oneByOne = true; // a kernel before 5.19 knows no IORING_ASYNC_CANCEL_ANY: cancel each receive
                for (int b = 0; b < count && sq.free() > 0; b++) {
                    if (armed[b]) {
                        sq.prep(sq.next(), Uring.OP_ASYNC_CANCEL, 0, -1, b, 0, 0, CANCEL);
                    }
                }
            }
        }
        stats.setRxArmed(armedCount);
        return armedCount;
    }

    /** @return whether a cancel failed with EINVAL */
    private boolean reapQuietly(PortCounters counters, UringStats stats) {
        boolean invalid = false;
        int ready = cq.ready();
        for (int k = 0; k < ready; k++) {
            long ud = cq.userData(k);
            int res = cq.res(k);
            if (ud == CANCEL) {
                if (res > 0) {
                    stats.countCloseCancelled(res);
                }
                invalid |= res == -Errno.EINVAL;
            } else if (ud >= 0 && ud < count && armed[(int) ud]) {
                armed[(int) ud] = false;
                armedCount--;
                idle[idleCount++] = (int) ud;
                if (res >= 0) {
                    counters.rxDrop(PortCounters.Drop.PORT_CLOSED); // a frame that arrived during the close
                } else if (res != -Errno.ECANCELED) {
                    stats.countRxError(-res);
                }
            }
        }
        cq.advance(ready);
        return invalid;
    }
}
