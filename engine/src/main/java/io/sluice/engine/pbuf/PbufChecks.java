package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.*;

/** The chain sanity check behind {@link Pbufs#check}: reads headers only, never throws, never changes anything. */
final class PbufChecks {
    private PbufChecks() {
    }

    static String check(PbufArena a, int h) {
        if (h == PbufHandle.NULL) {
            return "NULL chain";
        }
        int head = PbufHandle.index(h);
        boolean pkthdr = false;
        long total = 0;
        int steps = 0;
        for (int cur = h; cur != PbufHandle.NULL; steps++) {
            int i = PbufHandle.index(cur);
            String where = "pbuf " + steps + " (" + PbufHandle.toString(cur) + ")";
            if (steps > a.slots) {
                return "cycle: the chain is longer than the pool";
            }
            if (cur < 0 || i >= a.slots) {
                return where + ": handle out of range";
            }
            if (a.state(i) != STATE_ALLOCATED) {
                return where + ": slot is free";
            }
            if (a.generation(i) != PbufHandle.generation(cur)) {
                return where + ": stale handle, slot is at generation " + a.generation(i);
            }
            int data = a.data(i);
            int len = a.len(i);
            if (data < HEADER_LENGTH || len < 0 || data + len > SLOT_SIZE) {
                return where + ": data [" + data + ", " + (data + len) + ") outside the data area";
            }
            if (i == head) {
                pkthdr = a.isPktHdr(i);
            } else {
                if (a.isPktHdr(i)) {
                    return where + ": packet header past the first pbuf";
                }
                if (a.nextPkt(i) != PbufHandle.NULL) {
                    return where + ": nextpkt set past the first pbuf";
                }
            }
            total += len;
            cur = a.next(i);
        }
        if (pkthdr && a.pktLen(head) != total) {
            return "packet header length " + a.pktLen(head) + " but the pbufs hold " + total;
        }
        return null;
    }
}
