package io.sluice.engine.pbuf;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names of the stages (or other holders) that pbufs are stamped with, so that the netstat report and the
 * leak report can say who holds what. Id 0 is "unowned". Registration is a control-path operation.
 */
final class PbufOwners {
    static final int UNOWNED = 0;
    private static final int MAX_OWNERS = Short.MAX_VALUE;

    private volatile String[] names = {"unowned"};

    synchronized int register(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("owner name must not be blank");
        }
        String[] n = names;
        for (int i = 0; i < n.length; i++) {
            if (n[i].equals(name)) {
                return i;
            }
        }
        if (n.length >= MAX_OWNERS) {
            throw new IllegalStateException("too many pbuf owners registered: " + n.length);
        }
        String[] grown = Arrays.copyOf(n, n.length + 1);
        grown[n.length] = name;
        names = grown;
        return n.length;
    }

    String name(int id) {
        String[] n = names;
        return id >= 0 && id < n.length ? n[id] : "owner#" + id;
    }

    /** Pbufs in use per owner, by scanning every slot's state. */
    Map<String, Long> occupancy(PbufArena arena) {
        long[] counts = new long[names.length + 1];
        for (int i = 0; i < arena.slots; i++) {
            if (arena.state(i) == PbufDescriptor.STATE_ALLOCATED) {
                int o = arena.owner(i);
                counts[o >= 0 && o < counts.length - 1 ? o : counts.length - 1]++;
            }
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (int o = 0; o < counts.length; o++) {
            if (counts[o] > 0) {
                out.put(o < counts.length - 1 ? name(o) : "other", counts[o]);
            }
        }
        return out;
    }
}
