package io.sluice.nativeio.afpacket;

import static io.sluice.nativeio.linux.Linux.TP_STATUS_KERNEL;
import static io.sluice.nativeio.linux.Linux.TP_STATUS_USER;
import static io.sluice.nativeio.linux.Linux.TP_STATUS_VLAN_TPID_VALID;
import static io.sluice.nativeio.linux.Linux.TP_STATUS_VLAN_VALID;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters;
import io.sluice.nativeio.linux.GsoSegmenter;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.linux.ReceivedFrames;
import io.sluice.nativeio.linux.Structs.Tpacket3Hdr;
import io.sluice.nativeio.linux.Structs.TpacketBlockDesc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The TPACKET_V3 receive ring: {@code blockCount} blocks of {@code blockSize} bytes, each owned by the kernel
 * or by user space according to its {@code block_status}. The walker takes the current block when its status
 * has TP_STATUS_USER (acquire load, so the frames the kernel wrote are visible), copies its frames into pbuf
 * chains, and hands it back with TP_STATUS_KERNEL (release store, after the last read). A burst may stop in
 * the middle of a block; the next one continues there.
 *
 * <p>With a {@link GsoSegmenter} (the socket has PACKET_VNET_HDR), the kernel writes a virtio_net_hdr in front of
 * each frame; a segmentation-offload frame becomes one packet per segment, and a burst may also stop in the middle
 * of such a frame.
 *
 * <p>Confined to the receiving thread. Allocates nothing.
 */
final class RxRing {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final int blockSize;
    private final int blockCount;
    private final int ifindex;
    private final ReceivedFrames frames;
    /** Cuts segmentation-offload frames; null when the socket has no virtio_net_hdr. */
    private final GsoSegmenter gso;

    private int block;
    private long blockBase;
    /** Frames left in the held block, -1 when no block is held. */
    private int left = -1;
    private long frame;

    RxRing(MemorySegment ring, int blockSize, int blockCount, int ifindex, ReceivedFrames frames, GsoSegmenter gso) {
        this.ring = ring;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.ifindex = ifindex;
        this.frames = frames;
        this.gso = gso;
    }

    /**
     * Copies up to {@code max} frames into pbuf chains, {@code out[0..)}.
     *
     * @param maxFrame frames longer than this (link header and VLAN tags included) are dropped as RX_OVERSIZE
     * @return frames delivered
     */
    int receive(Pbufs p, int[] out, int max, int maxFrame, PortCounters counters, AfPacketStats stats) {
        int n = 0;
        while (n < max) {
            if (left < 0) {
                int status = (int) INT.getAcquire(ring, blockBase + TpacketBlockDesc.BLOCK_STATUS);
                if ((status & TP_STATUS_USER) == 0) {
                    break;
                }
                left = ring.get(ValueLayout.JAVA_INT, blockBase + TpacketBlockDesc.NUM_PKTS);
                frame = blockBase + Integer.toUnsignedLong(
                    ring.get(ValueLayout.JAVA_INT, blockBase + TpacketBlockDesc.OFFSET_TO_FIRST_PKT));
                stats.countRxBlock();
            }
            if (left == 0) {
                releaseBlock();
                continue;
            }
            if (gso != null && gso.pending()) {
                int from = n;
                n = gso.emit(p, out, n, max, counters);
                for (int i = from; i < n; i++) {
                    stamp(p, out[i], frame, p.pktFlags(out[i]));
                }
                if (gso.pending()) {
                    break; // out is full; the next burst cuts the rest of this frame
                }
            } else {
                int h = copyFrame(p, frame, maxFrame, counters, stats);
                if (h != PbufHandle.NULL) {
                    out[n++] = h;
                }
                if (gso != null && gso.pending()) {
                    continue; // the frame's segments come next, from the same place in the block
                }
            }
            frame += Integer.toUnsignedLong(ring.get(ValueLayout.JAVA_INT, frame + Tpacket3Hdr.NEXT_OFFSET));
            left--;
        }
        if (left == 0) {
            releaseBlock(); // do not keep a finished block from the kernel until the next burst
        }
        if (n > 0) {
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                bytes += p.pktLen(out[i]);
            }
            counters.received(n, bytes);
        }
        return n;
    }

    private void releaseBlock() {
        INT.setRelease(ring, blockBase + TpacketBlockDesc.BLOCK_STATUS, TP_STATUS_KERNEL);
        block = block + 1 == blockCount ? 0 : block + 1;
        blockBase = (long) block * blockSize;
        left = -1;
    }

    private int copyFrame(Pbufs p, long f, int maxFrame, PortCounters counters, AfPacketStats stats) {
        int snap = ring.get(ValueLayout.JAVA_INT, f + Tpacket3Hdr.SNAPLEN);
        int len = ring.get(ValueLayout.JAVA_INT, f + Tpacket3Hdr.LEN);
        int status = ring.get(ValueLayout.JAVA_INT, f + Tpacket3Hdr.STATUS);
        long data = f + Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, f + Tpacket3Hdr.MAC));
        if (snap != len) {
            stats.countRxTruncated();
            counters.rxDrop(PortCounters.Drop.RX_OVERSIZE);
            return PbufHandle.NULL;
        }
        int tci = ReceivedFrames.NO_VLAN;
        int tpid = Linux.ETH_P_8021Q;
        if ((status & TP_STATUS_VLAN_VALID) != 0) {
            tci = ring.get(ValueLayout.JAVA_INT, f + Tpacket3Hdr.VLAN_TCI) & 0xFFFF;
            if ((status & TP_STATUS_VLAN_TPID_VALID) != 0) {
                tpid = Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, f + Tpacket3Hdr.VLAN_TPID));
            }
        }
        boolean restored = ReceivedFrames.restoresTag(snap, tci);
        int taken = gso == null ? GsoSegmenter.PLAIN : gso.take(ring, data, snap, tpid, tci, maxFrame, counters);
        if (taken != GsoSegmenter.PLAIN) {
            if (taken == GsoSegmenter.CUT) {
                stats.countRxGsoFrame();
                if (restored) {
                    stats.countRxVlanRestored();
                }
            }
            return PbufHandle.NULL;
        }
        int h = frames.copy(p, ring, data, snap, tpid, tci, maxFrame, counters);
        if (h == PbufHandle.NULL) {
            return h;
        }
        if (restored) {
            stats.countRxVlanRestored();
        }
        stamp(p, h, f, ReceivedFrames.checksumFlags(status));
        return h;
    }

    /** The packet header fields every packet from frame {@code f} gets. */
    private void stamp(Pbufs p, int h, long f, int flags) {
        p.setRcvif(h, ifindex);
        p.setPktFlags(h, flags);
        p.setTimestamp(h, Integer.toUnsignedLong(ring.get(ValueLayout.JAVA_INT, f + Tpacket3Hdr.SEC)) * 1_000_000_000L
            + ring.get(ValueLayout.JAVA_INT, f + Tpacket3Hdr.NSEC));
        p.setFlowHash(h, ring.get(ValueLayout.JAVA_INT, f + Tpacket3Hdr.RXHASH));
    }

    /** Hands the held block back, if any (on close). */
    void releaseHeld() {
        if (gso != null) {
            gso.reset();
        }
        if (left >= 0) {
            releaseBlock();
        }
    }
}
