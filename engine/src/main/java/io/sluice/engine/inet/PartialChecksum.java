package io.sluice.engine.inet;

import io.sluice.engine.pbuf.PacketFlags;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Checksum;
import io.sluice.engine.wire.Ipv4Header;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Finishes the UDP or TCP checksum of a datagram that a local kernel handed over with it left to offload
 * ({@link PacketFlags#CSUM_PARTIAL}: a frame from a veth peer's stack, whose checksum field holds only the
 * pseudo-header's sum). A datagram that is forwarded leaves through a device that will not finish it, so the
 * plane does here what Linux's {@code skb_checksum_help} does before handing such a packet to a device without
 * the offload: the sum over the segment, checksum field included, complemented. Frames from a wire never carry
 * the mark, so this costs nothing there.
 */
final class PartialChecksum {
    private static final int UDP_CHECKSUM = 6;
    private static final int TCP_CHECKSUM = 16;
    private static final ValueLayout.OfShort BIG_ENDIAN_U16 =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private PartialChecksum() {
    }

    /**
     * Finishes the checksum of the datagram at {@code l3} in {@code h} if its packet carries the mark, and clears
     * the mark.
     *
     * @return the packet (a new head if the checksum field had to be pulled up into the first pbuf), or NULL
     *     when no pbuf was free for that pullup (the chain is freed; the caller counts the drop)
     */
    static int finish(Pbufs p, int h, int l3) {
        int flags = p.pktFlags(h);
        if ((flags & PacketFlags.CSUM_PARTIAL) == 0) {
            return h;
        }
        p.setPktFlags(h, flags & ~PacketFlags.CSUM_PARTIAL);
        MemorySegment s = p.segment();
        long ip = p.address(h) + l3;
        int field = switch (Ipv4Header.protocol(s, ip)) {
            case Ipv4Header.PROTOCOL_UDP -> UDP_CHECKSUM;
            case Ipv4Header.PROTOCOL_TCP -> TCP_CHECKSUM;
            default -> -1;
        };
        int hl = Ipv4Header.headerLength(s, ip);
        int segment = Ipv4Header.totalLength(s, ip) - hl;
        if (field < 0 || Ipv4Header.isFragment(s, ip) || segment < field + 2) {
            return h; // nothing a kernel would have left partial
        }
        int at = l3 + hl + field;
        if (p.len(h) < at + 2) {
            h = p.pullup(h, at + 2);
            if (h == PbufHandle.NULL) {
                return PbufHandle.NULL;
            }
        }
        int checksum = Checksum.finish(Checksum.sum(p, h, l3 + hl, segment));
        // As skb_checksum_help: a computed 0 is sent as 0xFFFF (for UDP, 0 would mean "no checksum").
        p.segment().set(BIG_ENDIAN_U16, p.address(h) + at, (short) (checksum == 0 ? 0xFFFF : checksum));
        return h;
    }
}
