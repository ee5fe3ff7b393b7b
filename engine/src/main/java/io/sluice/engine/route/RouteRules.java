package io.sluice.engine.route;

import io.sluice.engine.wire.Ipv4Address;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.collections.Int2IntHashMap;

/**
 * The control plane's copy of the routes as they were added: prefix and length to next hop, one open-addressing
 * primitive map per prefix length (Agrona's {@link Int2IntHashMap}, keys and values interleaved in one
 * {@code int[]}: about 12 bytes a route at its 0.65 load factor, no object per route). The DIR-24-8 tables
 * only hold the result of the longest match per address; this is what a remove needs to find the route that
 * covers a removed prefix next (rte_lpm keeps a rule table for the same reason). Writer thread only.
 */
final class RouteRules {
    static final int MISSING = -1;
    private static final float LOAD_FACTOR = 0.65f;

    private final Int2IntHashMap[] byLength = new Int2IntHashMap[33];
    /** Bit {@code L} is set while routes of length {@code L} exist: longestCovering skips the empty lengths. */
    private long present;
    private int size;
    private final int salt = ThreadLocalRandom.current().nextInt();

    RouteRules() {
        for (int len = 0; len <= 32; len++) {
            byLength[len] = new Int2IntHashMap(8, LOAD_FACTOR, MISSING, true);
        }
    }

    /** @return the next hop of exactly {@code prefix/length}, or {@link #MISSING} */
    int get(int prefix, int length) {
        return byLength[length].get(prefix ^ salt);
    }

    /** @return the previous next hop, or {@link #MISSING} when the route is new */
    int put(int prefix, int length, int nextHop) {
        int old = byLength[length].put(prefix ^ salt, nextHop);
        if (old == MISSING) {
            size++;
            present |= 1L << length;
        }
        return old;
    }

    /** @return the removed route's next hop, or {@link #MISSING} */
    int remove(int prefix, int length) {
        Int2IntHashMap map = byLength[length];
        int old = map.remove(prefix ^ salt);
        if (old != MISSING) {
            size--;
            if (map.isEmpty()) {
                present &= ~(1L << length);
            }
        }
        return old;
    }

    /**
     * The longest route of length {@code maxLength} or less that covers {@code address}.
     *
     * @return {@code length << 32 | nextHop}, or -1 when none does
     */
    long longestCovering(int address, int maxLength) {
        if (maxLength < 0) {
            return -1;
        }
        long lengths = present & ((2L << maxLength) - 1);
        while (lengths != 0) {
            int len = 63 - Long.numberOfLeadingZeros(lengths);
            int hop = byLength[len].get((address & Ipv4Address.mask(len)) ^ salt);
            if (hop != MISSING) {
                return (long) len << 32 | hop;
            }
            lengths &= ~(1L << len);
        }
        return -1;
    }

    int size() {
        return size;
    }

    /** Routes of one length. */
    int size(int length) {
        return byLength[length].size();
    }

    void clear() {
        for (Int2IntHashMap map : byLength) {
            map.clear();
            map.compact();
        }
        present = 0;
        size = 0;
    }

    /** Shortest prefixes first; in no particular order within a length. */
    void forEach(RouteVisitor visitor) {
        for (int len = 0; len <= 32; len++) {
            int length = len;
            byLength[len].forEachInt((key, hop) -> visitor.route(key ^ salt, length, hop));
        }
    }

    /** Bytes held by the maps' arrays (two ints per bucket). */
    long footprintBytes() {
        long bytes = 0;
        for (Int2IntHashMap map : byLength) {
            bytes += 8L * map.capacity();
        }
        return bytes;
    }
}
