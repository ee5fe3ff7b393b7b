package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.*;

import java.lang.foreign.ValueLayout;

/** Formats a chain for humans: one line of header fields per pbuf, then its bytes in hex, 16 to a line. */
final class PbufDump {
    private static final int MAX_PBUFS = 256;

    private PbufDump() {
    }

    static String dump(PbufArena a, int h) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (int cur = h; cur != PbufHandle.NULL && n < MAX_PBUFS; n++) {
            int i = PbufHandle.index(cur);
            if (i >= a.slots) {
                b.append("handle ").append(cur).append(" out of range\n");
                break;
            }
            int data = a.data(i);
            int len = a.len(i);
            b.append(String.format("pbuf %s type=%s flags=0x%02x data=%d len=%d headroom=%d tailroom=%d%s%n",
                PbufHandle.toString(cur), a.type(i) >= 0 && a.type(i) < PbufType.count()
                    ? PbufType.of(a.type(i)).name().toLowerCase() : "?" + a.type(i),
                a.flags(i), data - HEADER_LENGTH, len, data - HEADER_LENGTH, SLOT_SIZE - data - len,
                a.isPktHdr(i) ? String.format(" pkt.len=%d rcvif=%d l2/l3/l4=%d/%d/%d", a.pktLen(i),
                    a.getShort(i, PKT_RCVIF_OFFSET), a.getShort(i, PKT_L2_OFFSET), a.getShort(i, PKT_L3_OFFSET),
                    a.getShort(i, PKT_L4_OFFSET)) : ""));
            long base = slotBase(i) + data;
            for (int off = 0; off < len && data + len <= SLOT_SIZE; off += 16) {
                b.append(String.format("  %04x ", off));
                for (int k = off; k < Math.min(off + 16, len); k++) {
                    b.append(String.format(" %02x", a.segment.get(ValueLayout.JAVA_BYTE, base + k)));
                }
                b.append('\n');
            }
            cur = a.next(i);
        }
        return b.toString();
    }
}
