package io.sluice.engine.route;

import io.sluice.engine.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The obvious longest-prefix match, for checking {@link RouteTable}: one hash map per prefix length, and a
 * lookup that tries every length from 32 down to 0. Slow, boxed and plainly right.
 */
final class ReferenceLpm {
    private final List<Map<Integer, Integer>> byLength = new ArrayList<>();

    ReferenceLpm() {
        for (int len = 0; len <= 32; len++) {
            byLength.add(new HashMap<>());
        }
    }

    void add(int prefix, int length, int nextHop) {
        byLength.get(length).put(prefix, nextHop);
    }

    boolean remove(int prefix, int length) {
        return byLength.get(length).remove(prefix) != null;
    }

    boolean contains(int prefix, int length) {
        return byLength.get(length).containsKey(prefix);
    }

    int lookup(int address) {
        for (int len = 32; len >= 0; len--) {
            Integer hop = byLength.get(len).get(Ipv4Address.network(address, len));
            if (hop != null) {
                return hop;
            }
        }
        return RouteTable.NO_ROUTE;
    }

    int size() {
        int n = 0;
        for (Map<Integer, Integer> m : byLength) {
            n += m.size();
        }
        return n;
    }

    /** Distinct /24s that hold a route longer than /24: the tbl8 groups a folded table must have in use. */
    int slash24sWithLongRoutes() {
        java.util.Set<Integer> s = new java.util.HashSet<>();
        for (int len = 25; len <= 32; len++) {
            for (int p : byLength.get(len).keySet()) {
                s.add(p >>> 8);
            }
        }
        return s.size();
    }

    /** Every route as {prefix, length}. */
    List<int[]> routes() {
        List<int[]> all = new ArrayList<>();
        for (int len = 0; len <= 32; len++) {
            for (int p : byLength.get(len).keySet()) {
                all.add(new int[] {p, len});
            }
        }
        return all;
    }
}
