package io.sluice.engine.transport.tcp;

import java.util.Arrays;

/**
 * Connections by 4-tuple: open addressing with linear probing over primitive arrays, deletion by backward shift
 * (no tombstones, so probe lengths stay short under churn). A lookup allocates nothing and touches one or two
 * cache lines. The hash is keyed with a random seed so that a remote host cannot aim its tuples at one chain.
 */
final class ConnectionTable {
    private static final int EMPTY = -1;

    /** Local address in the high half, remote address in the low half. */
    private final long[] addrs;
    /** Local port in the high 16 bits, remote port in the low 16. */
    private final int[] ports;
    private final int[] values;
    private final int mask;
    private final long seed;
    private int size;

    ConnectionTable(int maxEntries, long seed) {
        int cap = Integer.highestOneBit(Math.max(4, maxEntries) * 2 - 1) << 1; // load at most 1/2
        this.addrs = new long[cap];
        this.ports = new int[cap];
        this.values = new int[cap];
        Arrays.fill(values, EMPTY);
        this.mask = cap - 1;
        this.seed = seed;
    }

    static long addrs(int localAddr, int remoteAddr) {
        return (long) localAddr << 32 | (remoteAddr & 0xFFFF_FFFFL);
    }

    static int ports(int localPort, int remotePort) {
        return localPort << 16 | remotePort & 0xFFFF;
    }

    private int slot(long a, int p) {
        long h = (a ^ seed) * 0x9E3779B97F4A7C15L + p;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) h & mask;
    }

    /** The value stored for the tuple, or -1. */
    int find(int localAddr, int localPort, int remoteAddr, int remotePort) {
        long a = addrs(localAddr, remoteAddr);
        int p = ports(localPort, remotePort);
        for (int i = slot(a, p); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == EMPTY) {
                return EMPTY;
            }
            if (addrs[i] == a && ports[i] == p) {
                return v;
            }
        }
    }

    /** Stores a tuple that is not in the table; the caller keeps the count under the capacity it asked for. */
    void put(int localAddr, int localPort, int remoteAddr, int remotePort, int value) {
        if (size >= (mask + 1) / 2) {
            throw new IllegalStateException("connection table full: size=" + size);
        }
        long a = addrs(localAddr, remoteAddr);
        int p = ports(localPort, remotePort);
        int i = slot(a, p);
        while (values[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        addrs[i] = a;
        ports[i] = p;
        values[i] = value;
        size++;
    }

    /** Removes the tuple; returns whether it was there. */
    boolean remove(int localAddr, int localPort, int remoteAddr, int remotePort) {
        long a = addrs(localAddr, remoteAddr);
        int p = ports(localPort, remotePort);
        int i = slot(a, p);
        while (true) {
            if (values[i] == EMPTY) {
                return false;
            }
            if (addrs[i] == a && ports[i] == p) {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward shift: move later entries of the probe run into the hole when their home allows it.
        int hole = i;
        for (int j = (hole + 1) & mask; values[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(addrs[j], ports[j]);
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                addrs[hole] = addrs[j];
                ports[hole] = ports[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = EMPTY;
        size--;
        return true;
    }

    int size() {
        return size;
    }
}
