package io.sluice.engine.route;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.agrona.collections.Long2LongHashMap;

/**
 * What a next-hop id stands for: the egress port, the gateway (0 when the destination is directly connected)
 * and flags ({@link #FLAG_LOCAL}, {@link #FLAG_BLACKHOLE}). A {@link RouteTable} maps addresses to ids; this
 * table maps ids to where the packet goes. Ids are handed out in order from 0 by {@link #add}/{@link #intern}.
 *
 * <p>Each next hop is one {@code long}, so a reader loads all of it at once and a change made in place with
 * {@link #set} (a new gateway for every route through a peer) is seen whole or not at all:
 * <pre>
 *   63  62..56   55..48   47..........32   31..........................0
 *  +---+-------+--------+----------------+-------------------------------+
 *  | V | spare | flags  |      port      |       gateway IPv4 address    |
 *  +---+-------+--------+----------------+-------------------------------+
 * </pre>
 * V (valid) is set on every next hop that was added, so an id never added reads as 0 ({@link #isValid}).
 *
 * <p>Threads: one writer (the control plane, usually the route table's writer) adds and sets; any thread
 * reads with {@link #get}. Add or set a next hop before adding the routes that use it: the route's entry is
 * published with a release store after it, so a reader that finds the id in the route table also finds the
 * next hop here.
 */
public final class NextHopTable {
    /** {@link #add}/{@link #intern} result when every id is taken. */
    public static final int FULL = -1;
    /** Deliver to this host: the destination is one of our own addresses. */
    public static final int FLAG_LOCAL = 0x01;
    /** Drop without an ICMP error. */
    public static final int FLAG_BLACKHOLE = 0x02;
    public static final int FLAGS_MASK = 0xFF;
    public static final int PORT_MAX = 0xFFFF;
    /** The gateway of a directly connected destination: send to the destination itself. */
    public static final int NO_GATEWAY = 0;

    private static final long VALID = 1L << 63;
    private static final VarHandle HOP = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] hops;
    private int size;
    /** Packed next hop to id, for {@link #intern}. Writer only. */
    private final Long2LongHashMap ids = new Long2LongHashMap(64, 0.65f, -1);

    /** @param capacity ids 0 .. capacity-1; give it the route table's {@link RouteTable#nextHops()} */
    public NextHopTable(int capacity) {
        if (capacity < 1 || capacity > RouteTableConfig.NEXT_HOPS_MAX) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be in 1.."
                + RouteTableConfig.NEXT_HOPS_MAX);
        }
        this.hops = new long[capacity];
    }

    /** Packs a next hop; validates its fields. */
    public static long pack(int port, int gateway, int flags) {
        if (port < 0 || port > PORT_MAX) {
            throw new IllegalArgumentException("port=" + port + " must be in 0.." + PORT_MAX);
        }
        if ((flags & ~FLAGS_MASK) != 0) {
            throw new IllegalArgumentException("flags=0x" + Integer.toHexString(flags) + " must fit in 8 bits");
        }
        return VALID | (long) flags << 48 | (long) port << 32 | (gateway & 0xFFFF_FFFFL);
    }

    public static boolean isValid(long hop) {
        return hop < 0;
    }

    public static int port(long hop) {
        return (int) (hop >>> 32) & PORT_MAX;
    }

    public static int gateway(long hop) {
        return (int) hop;
    }

    public static int flags(long hop) {
        return (int) (hop >>> 48) & FLAGS_MASK;
    }

    /**
     * A new id for this next hop. Writer thread.
     *
     * @return the id, or {@link #FULL}
     */
    public int add(int port, int gateway, int flags) {
        long hop = pack(port, gateway, flags);
        if (size == hops.length) {
            return FULL;
        }
        int id = size++;
        HOP.setRelease(hops, id, hop);
        ids.putIfAbsent(hop, id);
        return id;
    }

    /**
     * The id of an equal next hop if there is one, else a new id. Writer thread.
     *
     * @return the id, or {@link #FULL}
     */
    public int intern(int port, int gateway, int flags) {
        long id = ids.get(pack(port, gateway, flags));
        return id >= 0 ? (int) id : add(port, gateway, flags);
    }

    /**
     * Changes next hop {@code id} in place; readers see the old or the new one whole. Writer thread.
     *
     * @throws IllegalArgumentException when {@code id} was never added
     */
    public void set(int id, int port, int gateway, int flags) {
        if (id < 0 || id >= size) {
            throw new IllegalArgumentException("next hop " + id + " was never added (ids 0.." + (size - 1) + ")");
        }
        long hop = pack(port, gateway, flags);
        long old = hops[id];
        HOP.setRelease(hops, id, hop);
        if (ids.get(old) == id) {
            ids.remove(old);
        }
        ids.putIfAbsent(hop, id);
    }

    /**
     * Next hop {@code id}, packed (see {@link #port(long)}, {@link #gateway(long)}, {@link #flags(long)}); 0
     * when it was never added. Any thread, no allocation.
     *
     * @throws ArrayIndexOutOfBoundsException when {@code id} is outside 0..capacity-1
     */
    public long get(int id) {
        return (long) HOP.getAcquire(hops, id);
    }

    public int port(int id) {
        return port(get(id));
    }

    public int gateway(int id) {
        return gateway(get(id));
    }

    public int flags(int id) {
        return flags(get(id));
    }

    /** Ids added so far (0 .. size-1). */
    public int size() {
        return size;
    }

    public int capacity() {
        return hops.length;
    }

    /** In route-file words: {@code via 192.0.2.1 dev 1}, {@code dev 2}, {@code blackhole}, {@code local dev 0}. */
    public static String toString(long hop) {
        if (!isValid(hop)) {
            return "unset";
        }
        if ((flags(hop) & FLAG_BLACKHOLE) != 0) {
            return "blackhole";
        }
        String dev = "dev " + port(hop);
        if ((flags(hop) & FLAG_LOCAL) != 0) {
            return "local " + dev;
        }
        return gateway(hop) == NO_GATEWAY ? dev : "via " + Ipv4Address.toString(gateway(hop)) + " " + dev;
    }
}
