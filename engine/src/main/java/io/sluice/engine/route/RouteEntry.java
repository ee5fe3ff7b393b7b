package io.sluice.engine.route;

/**
 * The layout of one entry of {@code tbl24} or of a {@code tbl8} group: one {@code int}, so that a reader loads
 * it in one access and can never see half of it.
 *
 * <pre>
 *   3 3 2 2 2 2 2 2 2 2 2 2 1 1 1 1 1 1 1 1 1 1
 *   1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0
 *  +-+-+-----------+-----------------------------------------------+
 *  |V|X|   depth   |        next-hop id, or tbl8 group index       |
 *  +-+-+-----------+-----------------------------------------------+
 *   V      valid: a route (or, with X, a group) is here. 0 = no route; the empty entry is all zeros.
 *   X      extended: only in tbl24; the value is the index of the tbl8 group that holds this /24.
 *   depth  the prefix length (0..32) of the route that wrote this entry: an add only overwrites entries
 *          of its own depth or less, a remove only clears entries of its own depth. 0 in an extended entry.
 *   value  24 bits: the next-hop id (0 .. 2^24-1) or, with X, the group index.
 * </pre>
 *
 * <p>The valid bit is the sign bit, so {@code e < 0} tests it, and {@link #nextHop} turns an entry into a
 * lookup result without a branch: {@code (e & VALUE_MASK) | ~(e >> 31)} is the value when V is set and
 * {@code -1} ({@link RouteTable#NO_ROUTE}) when it is not.
 */
final class RouteEntry {
    static final int VALID = 1 << 31;
    static final int EXTENDED = 1 << 30;
    static final int DEPTH_SHIFT = 24;
    static final int DEPTH_MASK = 0x3F;
    static final int VALUE_MASK = 0xFF_FFFF;
    /** No route: all bits clear, so freshly allocated ({@code new int[]}) tables are empty. */
    static final int EMPTY = 0;

    /** Entries in a tbl8 group: the last byte of the address. */
    static final int GROUP_SIZE = 256;
    static final int GROUP_SHIFT = 8;

    private RouteEntry() {
    }

    /** A route entry: valid, not extended, written by a route of {@code depth} to {@code nextHop}. */
    static int route(int depth, int nextHop) {
        return VALID | depth << DEPTH_SHIFT | nextHop;
    }

    /** A tbl24 entry that sends the lookup on to tbl8 group {@code group}. */
    static int group(int group) {
        return VALID | EXTENDED | group;
    }

    static boolean isValid(int e) {
        return e < 0;
    }

    static boolean isExtended(int e) {
        return (e & EXTENDED) != 0;
    }

    static int depth(int e) {
        return e >>> DEPTH_SHIFT & DEPTH_MASK;
    }

    static int value(int e) {
        return e & VALUE_MASK;
    }

    /** The lookup result of a non-extended entry: its next hop, or -1 when it is not valid. */
    static int nextHop(int e) {
        return (e & VALUE_MASK) | ~(e >> 31);
    }

    static String toString(int e) {
        if (!isValid(e)) {
            return e == EMPTY ? "empty" : "invalid(0x" + Integer.toHexString(e) + ")";
        }
        return isExtended(e) ? "group " + value(e) : "/" + depth(e) + " -> " + value(e);
    }
}
