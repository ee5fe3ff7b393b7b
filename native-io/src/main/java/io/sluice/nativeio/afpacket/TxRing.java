package io.sluice.nativeio.afpacket;

import static io.sluice.nativeio.linux.Linux.TP_STATUS_AVAILABLE;
import static io.sluice.nativeio.linux.Linux.TP_STATUS_SENDING;
import static io.sluice.nativeio.linux.Linux.TP_STATUS_SEND_REQUEST;
import static io.sluice.nativeio.linux.Linux.TP_STATUS_WRONG_FORMAT;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.linux.Structs.Tpacket3Hdr;
import io.sluice.nativeio.linux.VirtioNetHdr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The TPACKET_V3 transmit ring: fixed slots of {@code frameSize} bytes that never straddle a block. User space
 * fills slots in ring order and release-stores TP_STATUS_SEND_REQUEST into each; a {@code sendto} kick makes
 * the kernel send them in the same order (its head walks the ring and stops at the first slot that is not a
 * send request), marking each SENDING and then AVAILABLE when the device has released the skb, or
 * WRONG_FORMAT when it refused it (and then stopping there).
 *
 * <p>Three indices describe the ring: {@code tail} is the oldest slot not yet reclaimed, {@code head} the next
 * slot to fill, and {@code used = head - tail} (mod the ring). Slots in {@code [tail, head)} are, in order,
 * sent (AVAILABLE, waiting to be counted), in flight (SENDING), and still queued (SEND_REQUEST or
 * WRONG_FORMAT): the kernel's head is the first queued slot. Because the kernel touches queued slots only
 * inside a kick, and kicks come only from this thread, the queued suffix can be dropped between kicks by
 * marking it AVAILABLE and moving {@code head} back to the kernel's head ({@link #discardQueued}), which keeps
 * both heads equal.
 *
 * <p>Confined to the transmitting thread. Allocates nothing.
 */
final class TxRing {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfShort SHORT_BE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int NOT_DONE = TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING | TP_STATUS_WRONG_FORMAT;
    private static final int QUEUED = TP_STATUS_SEND_REQUEST | TP_STATUS_WRONG_FORMAT;

    private final MemorySegment ring;
    private final long[] slots;
    private final int capacity;
    /** Bytes of virtio_net_hdr in front of each frame: 0, or 10 on a linear (PACKET_VNET_HDR) socket. */
    private final int vnet;
    private int head;
    private int tail;
    private int used;

    // results of the last reclaim/discard, read by the port right after the call (no allocation)
    private int reclaimedFrames;
    private long reclaimedBytes;
    private int discardedWrongFormat;

    /**
     * @param linear whether the socket has PACKET_VNET_HDR: each frame then starts with a virtio_net_hdr whose
     *               hdr_len is the whole frame, so the kernel copies all of it into the skb's linear area
     */
    TxRing(MemorySegment ring, int blockSize, int blockCount, int frameSize, boolean linear) {
        this.ring = ring;
        this.vnet = linear ? Linux.VIRTIO_NET_HDR_LEN : 0;
        int perBlock = blockSize / frameSize;
        this.slots = new long[perBlock * blockCount];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = (long) (i / perBlock) * blockSize + (long) (i % perBlock) * frameSize;
        }
        this.capacity = frameSize - (int) Tpacket3Hdr.TX_DATA - vnet;
    }

    int frames() {
        return slots.length;
    }

    int free() {
        return slots.length - used;
    }

    int used() {
        return used;
    }

    /**
     * Gathers the chain {@code h} into the next free slot and queues it (TP_STATUS_SEND_REQUEST, release).
     * The caller checked that a slot is free; the chain is left to the caller.
     *
     * @param minLen shortest frame accepted (the link header)
     * @param maxLen longest untagged frame accepted (MTU plus link header); a frame with an 802.1Q or 802.1ad tag
     *               may be 4 bytes longer, as the kernel allows
     * @return the frame length, or -1 when the frame is too long (for the MTU or the slot) or too short
     *         (nothing queued)
     */
    int queue(Pbufs p, int h, int minLen, int maxLen) {
        long slot = slots[head];
        long data = slot + Tpacket3Hdr.TX_DATA + vnet;
        int limit = Math.min(maxLen + Linux.VLAN_HLEN, capacity);
        MemorySegment src = p.segment();
        int len = 0;
        for (int b = h; b != PbufHandle.NULL; b = p.next(b)) {
            int n = p.len(b);
            if (len + n > limit) {
                return -1;
            }
            MemorySegment.copy(src, p.address(b), ring, data + len, n);
            len += n;
        }
        if (len < minLen || len > maxLen && !tagged(data)) {
            return -1;
        }
        if (vnet != 0) {
            // tpacket_snd copies the whole frame into the linear area instead of attaching the ring's page as a
            // zero-copy fragment, which veth would then copy again into a freshly allocated page (skb_copy_ubufs).
            VirtioNetHdr.writeLinear(ring, slot + Tpacket3Hdr.TX_DATA, len);
        }
        ring.set(ValueLayout.JAVA_INT, slot + Tpacket3Hdr.NEXT_OFFSET, 0);
        ring.set(ValueLayout.JAVA_INT, slot + Tpacket3Hdr.LEN, len + vnet);
        ring.set(ValueLayout.JAVA_INT, slot + Tpacket3Hdr.SNAPLEN, len + vnet);
        INT.setRelease(ring, slot + Tpacket3Hdr.STATUS, TP_STATUS_SEND_REQUEST);
        head = head + 1 == slots.length ? 0 : head + 1;
        used++;
        return len;
    }

    private boolean tagged(long frame) {
        int type = Short.toUnsignedInt(ring.get(SHORT_BE, frame + 12));
        return type == Linux.ETH_P_8021Q || type == Linux.ETH_P_8021AD;
    }

    /** Whether the most recently queued slot still waits for the kernel (so a kick has work to do). */
    boolean hasQueued() {
        if (used == 0) {
            return false;
        }
        int last = head == 0 ? slots.length - 1 : head - 1;
        return ((int) INT.getAcquire(ring, slots[last] + Tpacket3Hdr.STATUS) & QUEUED) != 0;
    }

    /**
     * Moves {@code tail} over the slots the kernel is done with; their frames and bytes are then in
     * {@link #reclaimedFrames()} and {@link #reclaimedBytes()}.
     *
     * @return true when it stopped at a WRONG_FORMAT slot (the caller should {@link #discardQueued})
     */
    boolean reclaim() {
        int frames = 0;
        long bytes = 0;
        boolean wrongFormat = false;
        while (used > 0) {
            long slot = slots[tail];
            int status = (int) INT.getAcquire(ring, slot + Tpacket3Hdr.STATUS);
            if ((status & NOT_DONE) != 0) {
                wrongFormat = (status & TP_STATUS_WRONG_FORMAT) != 0;
                break;
            }
            bytes += ring.get(ValueLayout.JAVA_INT, slot + Tpacket3Hdr.LEN) - vnet;
            frames++;
            tail = tail + 1 == slots.length ? 0 : tail + 1;
            used--;
        }
        reclaimedFrames = frames;
        reclaimedBytes = bytes;
        return wrongFormat;
    }

    int reclaimedFrames() {
        return reclaimedFrames;
    }

    long reclaimedBytes() {
        return reclaimedBytes;
    }

    /**
     * Drops every slot still queued for the kernel (SEND_REQUEST or WRONG_FORMAT): marks them AVAILABLE and
     * moves {@code head} back to the first of them, the kernel's head. Call only between kicks.
     *
     * @return slots dropped; how many of them were WRONG_FORMAT is in {@link #discardedWrongFormat()}
     */
    int discardQueued() {
        int i = tail;
        int k = 0;
        while (k < used && ((int) INT.getAcquire(ring, slots[i] + Tpacket3Hdr.STATUS) & QUEUED) == 0) {
            i = i + 1 == slots.length ? 0 : i + 1;
            k++;
        }
        int firstQueued = i;
        int dropped = used - k;
        int wrong = 0;
        for (int d = 0; d < dropped; d++) {
            long status = slots[i] + Tpacket3Hdr.STATUS;
            if (((int) INT.getAcquire(ring, status) & TP_STATUS_WRONG_FORMAT) != 0) {
                wrong++;
            }
            INT.setRelease(ring, status, TP_STATUS_AVAILABLE);
            i = i + 1 == slots.length ? 0 : i + 1;
        }
        head = firstQueued;
        used = k;
        discardedWrongFormat = wrong;
        return dropped;
    }

    int discardedWrongFormat() {
        return discardedWrongFormat;
    }
}
