package io.sluice.nativeio.linux;

import io.sluice.engine.pbuf.PacketFlags;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Copies a frame the kernel handed to a packet socket into a new pbuf chain, putting back the 802.1Q tag
 * the kernel strips before packet sockets see the frame, so that the pbuf holds the bytes on the wire. One
 * per receiving thread (it keeps a 4-byte scratch tag); nothing is allocated per frame.
 */
public final class ReceivedFrames {
    /** The tag argument when the kernel reported none. */
    public static final int NO_VLAN = -1;
    /** Bytes of the destination and source MACs, in front of which a stripped VLAN tag goes back. */
    private static final int MACS = 12;
    private static final ValueLayout.OfShort SHORT_BE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Four bytes for the tag taken out of a frame (TPID, TCI; big-endian). */
    private final MemorySegment tag;

    public ReceivedFrames(Arena arena) {
        this.tag = arena.allocate(Linux.VLAN_HLEN);
    }

    /** Whether {@link #copy} puts a tag back into a frame of {@code len} bytes reported with {@code tci}. */
    public static boolean restoresTag(int len, int tci) {
        return tci != NO_VLAN && len >= MACS;
    }

    /**
     * The {@link PacketFlags} checksum bits for a frame whose {@code tp_status} is {@code status}: a frame from a
     * peer namespace on this host arrives with its transport checksum left to offload (CSUMNOTREADY).
     */
    public static int checksumFlags(int status) {
        return ((status & Linux.TP_STATUS_CSUMNOTREADY) != 0 ? PacketFlags.CSUM_PARTIAL : 0)
            | ((status & Linux.TP_STATUS_CSUM_VALID) != 0 ? PacketFlags.CSUM_VALID : 0);
    }

    /**
     * @param src      where the frame is (a ring or a receive buffer)
     * @param data     offset of its first byte in {@code src}
     * @param len      its length as received (without the stripped tag)
     * @param tpid     the stripped tag's protocol id (ignored without a tag)
     * @param tci      the stripped tag's TCI, or {@link #NO_VLAN}
     * @param maxFrame longer frames (the restored tag included) are dropped
     * @return the packet, owned by the caller (its VLAN TCI set when a tag was restored); NULL when the frame
     *         was too long (counted RX_OVERSIZE) or the pool was empty (counted RX_NO_PBUFS)
     */
    public int copy(Pbufs p, MemorySegment src, long data, int len, int tpid, int tci, int maxFrame,
                    PortCounters counters) {
        boolean vlan = restoresTag(len, tci);
        int total = vlan ? len + Linux.VLAN_HLEN : len;
        if (total > maxFrame) {
            counters.rxDrop(PortCounters.Drop.RX_OVERSIZE);
            return PbufHandle.NULL;
        }
        int h = p.allocReceive(total);
        if (h == PbufHandle.NULL) {
            counters.rxDrop(PortCounters.Drop.RX_NO_PBUFS);
            return PbufHandle.NULL;
        }
        if (!vlan) {
            p.copyback(h, 0, src, data, len);
        } else {
            tag.set(SHORT_BE, 0, (short) tpid);
            tag.set(SHORT_BE, 2, (short) tci);
            p.copyback(h, 0, src, data, MACS);
            p.copyback(h, MACS, tag, 0, Linux.VLAN_HLEN);
            p.copyback(h, MACS + Linux.VLAN_HLEN, src, data + MACS, len - MACS);
            p.setVlanTci(h, tci);
        }
        return h;
    }
}
