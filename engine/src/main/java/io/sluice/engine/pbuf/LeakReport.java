package io.sluice.engine.pbuf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pbufs of a pool that are still allocated, with the stage that last held each. Built by scanning every
 * slot's state, so it sees pbufs that no counter or cache knows about.
 */
public record LeakReport(String pool, long leaked, Map<String, Long> byOwner, List<Entry> sample) {
    /** Entries listed in full; the rest are only counted. */
    static final int SAMPLE = 32;

    /** One leaked pbuf. */
    public record Entry(int handle, PbufType type, String owner, int len, boolean pktHdr, int pktLen) {
        @Override
        public String toString() {
            return PbufHandle.toString(handle) + " " + type.name().toLowerCase() + " len=" + len
                + (pktHdr ? " pkthdr len=" + pktLen : "") + " held by " + owner;
        }
    }

    static LeakReport none(String pool) {
        return new LeakReport(pool, 0, Map.of(), List.of());
    }

    static LeakReport scan(PbufPool pool) {
        PbufArena a = pool.arena;
        Map<String, Long> byOwner = new LinkedHashMap<>();
        List<Entry> sample = new ArrayList<>();
        long leaked = 0;
        for (int i = 0; i < a.slots; i++) {
            if (a.state(i) != PbufDescriptor.STATE_ALLOCATED) {
                continue;
            }
            leaked++;
            String owner = pool.ownerName(a.owner(i));
            byOwner.merge(owner, 1L, Long::sum);
            if (sample.size() < SAMPLE) {
                int type = a.type(i);
                sample.add(new Entry(a.handle(i), type >= 0 && type < PbufType.count() ? PbufType.of(type)
                    : PbufType.DATA, owner, a.len(i), a.isPktHdr(i), a.isPktHdr(i) ? a.pktLen(i) : 0));
            }
        }
        return new LeakReport(pool.name(), leaked, byOwner, sample);
    }

    public boolean isEmpty() {
        return leaked == 0;
    }

    @Override
    public String toString() {
        if (leaked == 0) {
            return "pool " + pool + ": no pbufs leaked";
        }
        StringBuilder b = new StringBuilder();
        b.append("pool ").append(pool).append(": ").append(leaked).append(" pbuf(s) still allocated\n");
        byOwner.forEach((o, n) -> b.append("  ").append(n).append(" held by ").append(o).append('\n'));
        for (Entry e : sample) {
            b.append("    ").append(e).append('\n');
        }
        if (leaked > sample.size()) {
            b.append("    ... and ").append(leaked - sample.size()).append(" more\n");
        }
        return b.toString();
    }
}
