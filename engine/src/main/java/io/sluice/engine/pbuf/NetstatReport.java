package io.sluice.engine.pbuf;

/** Formats pool statistics the way {@code netstat -m} formats mbuf statistics. */
public final class NetstatReport {
    private NetstatReport() {
    }

    public static String format(PbufStats s) {
        StringBuilder b = new StringBuilder(512);
        line(b, "%d/%d/%d/%d pbufs in use (current/cache/free/total) [pool %s, %d-byte slots, PHLEN %d]",
            s.inUse(), s.cached(), s.free(), s.total(), s.name(), PbufDescriptor.SLOT_SIZE, PbufDescriptor.PHLEN);
        StringBuilder types = new StringBuilder();
        for (PbufType t : PbufType.values()) {
            types.append(types.isEmpty() ? "" : ", ").append(s.inUse(t)).append(' ').append(t.name().toLowerCase());
        }
        line(b, "    %s", types);
        line(b, "%d pbufs high-water mark", s.highWater());
        line(b, "%dK/%dK/%dK bytes allocated to pbufs (current/cache/total)",
            s.bytesInUse() / 1024, s.bytesCached() / 1024, s.bytesTotal() / 1024);
        line(b, "%d requests for pbufs", s.requests());
        line(b, "%d requests for pbufs denied", s.denied());
        line(b, "%d requests for pbufs delayed", s.delayed());
        line(b, "%d/%d pbufs in the receive reserve (free/size), %d chunks taken from it",
            s.reserveFree(), s.reserveTarget(), s.reserveChunks());
        line(b, "%d cache refills, %d cache flushes", s.refills(), s.flushes());
        for (PbufStats.CacheStat c : s.perThread()) {
            line(b, "    %6d cached by thread %s", c.cached(), c.thread());
        }
        for (var e : s.occupancyByOwner().entrySet()) {
            line(b, "    %6d in use by %s", e.getValue(), e.getKey());
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String format, Object... args) {
        b.append(String.format(format, args)).append('\n');
    }
}
