package io.sluice.engine.inet;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;

/**
 * The neighbour cache: IPv4 address to MAC, with the packets that wait for an address to resolve. One thread
 * (the IP stage's) owns it; it allocates nothing after construction.
 *
 * <p>An open-addressing table with linear probing and backward-shift deletion, its fields in parallel arrays
 * (no object per neighbour, no tombstones). A neighbour is INCOMPLETE while its requests go unanswered, with up to
 * {@code pendingPerHop} packets queued through their {@code nextpkt} links; REACHABLE once a reply or a request
 * told us its MAC, until {@code timeout} after that; STATIC when configured, forever.
 *
 * <p>Requests are retried every second, {@link #MAX_REQUESTS} times in all (RFC 1122 2.3.2.1 asks for a rate
 * limit of one per second per destination); then the queued packets are handed back as unresolved and the entry
 * goes.
 */
public final class ArpCache {
    /** What the cache asks of its owner: to send a request, and to dispose of a packet that cannot be sent. */
    public interface Listener {
        void sendRequest(Pbufs p, int ip, int port);

        void unresolved(Pbufs p, int packet);
    }

    /** Outcome of {@link #enqueue}. */
    public static final int QUEUED = 0;
    /** Queued, and the entry is new: the caller sends the first request now. */
    public static final int QUEUED_SEND_REQUEST = 1;
    public static final int QUEUE_FULL = 2;
    public static final int CACHE_FULL = 3;

    public static final int MAX_REQUESTS = 3;
    static final long RETRY_NANOS = 1_000_000_000L;

    private static final byte EMPTY = 0;
    private static final byte INCOMPLETE = 1;
    private static final byte REACHABLE = 2;
    private static final byte STATIC = 3;

    private final int mask;
    private final int maxEntries;
    private final int pendingPerHop;
    private final long timeoutNanos;
    private final int[] ip;
    private final long[] mac;
    private final byte[] state;
    private final int[] port;
    /** REACHABLE: when it expires. INCOMPLETE: when the next request is due. */
    private final long[] deadline;
    private final int[] requests;
    private final int[] queueHead;
    private final int[] queueTail;
    private final int[] queued;
    private int size;

    /**
     * @param maxEntries    neighbours held at most
     * @param pendingPerHop packets queued at most per unresolved neighbour
     * @param timeoutNanos  how long a learned MAC is believed
     */
    public ArpCache(int maxEntries, int pendingPerHop, long timeoutNanos) {
        if (maxEntries < 1 || maxEntries > 1 << 20) {
            throw new IllegalArgumentException("maxEntries=" + maxEntries + " must be in 1..1048576");
        }
        if (pendingPerHop < 0) {
            throw new IllegalArgumentException("pendingPerHop=" + pendingPerHop + " must be >= 0");
        }
        int capacity = Integer.highestOneBit(maxEntries * 2 - 1) << 1; // at most half full: short probes
        this.mask = capacity - 1;
        this.maxEntries = maxEntries;
        this.pendingPerHop = pendingPerHop;
        this.timeoutNanos = timeoutNanos;
        this.ip = new int[capacity];
        this.mac = new long[capacity];
        this.state = new byte[capacity];
        this.port = new int[capacity];
        this.deadline = new long[capacity];
        this.requests = new int[capacity];
        this.queueHead = new int[capacity];
        this.queueTail = new int[capacity];
        this.queued = new int[capacity];
    }

    private static int hash(int key) {
        int h = key * 0x9E3779B9; // Fibonacci hashing spreads consecutive addresses
        return h ^ (h >>> 16);
    }

    private int find(int key) {
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            if (state[i] == EMPTY) {
                return -1;
            }
            if (ip[i] == key) {
                return i;
            }
        }
    }

    /** The MAC of a resolved neighbour, or -1 if it is unknown or still resolving. */
    public long lookup(int key, long now) {
        int i = find(key);
        if (i < 0 || state[i] == INCOMPLETE) {
            return -1;
        }
        if (state[i] == REACHABLE && now - deadline[i] >= 0) {
            return -1; // expired: the next packet resolves it again; tick() removes it
        }
        return mac[i];
    }

    /**
     * Queues {@code packet} until {@code key} resolves.
     *
     * @return {@link #QUEUED}, {@link #QUEUED_SEND_REQUEST}, or {@link #QUEUE_FULL} / {@link #CACHE_FULL}, in
     *     which case the packet is still the caller's
     */
    public int enqueue(Pbufs p, int key, int outPort, int packet, long now) {
        int i = find(key);
        boolean fresh = false;
        if (i >= 0 && state[i] == REACHABLE && now - deadline[i] >= 0) {
            // Expired while we were not looking: resolve it again, as a fresh entry would.
            state[i] = INCOMPLETE;
            requests[i] = 0;
            fresh = true;
        }
        if (i < 0) {
            if (size >= maxEntries) {
                return CACHE_FULL;
            }
            i = insert(key, INCOMPLETE, 0, outPort);
            fresh = true;
        }
        if (queued[i] >= pendingPerHop) {
            return QUEUE_FULL;
        }
        p.setNextPkt(packet, PbufHandle.NULL);
        if (queued[i] == 0) {
            queueHead[i] = packet;
        } else {
            p.setNextPkt(queueTail[i], packet);
        }
        queueTail[i] = packet;
        queued[i]++;
        if (fresh) {
            port[i] = outPort;
            requests[i] = 1;
            deadline[i] = now + RETRY_NANOS;
            return QUEUED_SEND_REQUEST;
        }
        return QUEUED;
    }

    private int insert(int key, byte st, long hw, int outPort) {
        int i = hash(key) & mask;
        while (state[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        ip[i] = key;
        state[i] = st;
        mac[i] = hw;
        port[i] = outPort;
        requests[i] = 0;
        queued[i] = 0;
        queueHead[i] = PbufHandle.NULL;
        queueTail[i] = PbufHandle.NULL;
        size++;
        return i;
    }

    /**
     * Records that {@code key} is at {@code hw}, from an ARP packet on {@code inPort}. Creates the entry only when
     * {@code create} (the packet was for us, RFC 826's "merge" rule); a STATIC entry is never changed.
     *
     * @return the first of the packets that waited for this neighbour, linked by {@code nextpkt}, now the
     *     caller's to send; NULL if none
     */
    public int learn(Pbufs p, int key, long hw, int inPort, boolean create, long now) {
        int i = find(key);
        if (i < 0) {
            if (!create || size >= maxEntries) {
                return PbufHandle.NULL;
            }
            i = insert(key, REACHABLE, hw, inPort);
        }
        if (state[i] == STATIC) {
            return PbufHandle.NULL;
        }
        state[i] = REACHABLE;
        mac[i] = hw;
        port[i] = inPort;
        deadline[i] = now + timeoutNanos;
        requests[i] = 0;
        int head = queueHead[i];
        queueHead[i] = PbufHandle.NULL;
        queueTail[i] = PbufHandle.NULL;
        queued[i] = 0;
        return head;
    }

    /** Whether {@code key} is in the cache in any state (ARP's merge rule updates only known senders). */
    public boolean contains(int key) {
        return find(key) >= 0;
    }

    /** A configured neighbour: never expires, never changed by ARP. */
    public void putStatic(int key, long hw, int outPort) {
        int i = find(key);
        if (i < 0) {
            if (size >= maxEntries) {
                throw new IllegalStateException("ARP cache full (" + maxEntries + " entries) adding a static neighbour");
            }
            i = insert(key, STATIC, hw, outPort);
        }
        state[i] = STATIC;
        mac[i] = hw;
        port[i] = outPort;
    }

    /**
     * Timer work: expires REACHABLE entries, retries requests of INCOMPLETE ones, and gives up on those asked
     * {@link #MAX_REQUESTS} times, handing their packets to {@link Listener#unresolved}.
     *
     * @return entries acted on
     */
    public int tick(Pbufs p, long now, Listener listener) {
        int work = 0;
        for (int i = 0; i <= mask; i++) {
            byte s = state[i];
            if ((s != REACHABLE && s != INCOMPLETE) || now - deadline[i] < 0) {
                continue;
            }
            work++;
            if (s == INCOMPLETE && requests[i] < MAX_REQUESTS) {
                requests[i]++;
                deadline[i] = now + RETRY_NANOS;
                listener.sendRequest(p, ip[i], port[i]);
                continue;
            }
            int h = queueHead[i];
            // Gone before the listener runs: the error it sends about a packet may go to this same neighbour,
            // and must find no entry (a new one starts resolving it) rather than a queue about to be dropped.
            remove(i);
            while (h != PbufHandle.NULL) {
                int next = p.nextPkt(h);
                p.setNextPkt(h, PbufHandle.NULL);
                listener.unresolved(p, h);
                h = next;
            }
            i--; // backward shift may have moved the next entry into this slot
        }
        return work;
    }

    /** Deletes slot {@code i}, shifting later entries of its probe run back so every lookup still finds them. */
    private void remove(int i) {
        size--;
        int hole = i;
        for (int j = (i + 1) & mask; state[j] != EMPTY; j = (j + 1) & mask) {
            int home = hash(ip[j]) & mask;
            // j may move into the hole if its home is not in the cyclic range (hole, j].
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                move(j, hole);
                hole = j;
            }
        }
        state[hole] = EMPTY;
        queueHead[hole] = PbufHandle.NULL;
        queueTail[hole] = PbufHandle.NULL;
        queued[hole] = 0;
    }

    private void move(int from, int to) {
        ip[to] = ip[from];
        mac[to] = mac[from];
        state[to] = state[from];
        port[to] = port[from];
        deadline[to] = deadline[from];
        requests[to] = requests[from];
        queueHead[to] = queueHead[from];
        queueTail[to] = queueTail[from];
        queued[to] = queued[from];
    }

    /** Frees every queued packet (shutdown). @return how many */
    public int freeQueued(Pbufs p) {
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            int h = queueHead[i];
            while (h != PbufHandle.NULL) {
                int next = p.nextPkt(h);
                p.setNextPkt(h, PbufHandle.NULL);
                p.freem(h);
                n++;
                h = next;
            }
            queueHead[i] = PbufHandle.NULL;
            queueTail[i] = PbufHandle.NULL;
            queued[i] = 0;
        }
        return n;
    }

    /** Neighbours in the cache, in any state. */
    public int size() {
        return size;
    }

    /** The port a resolved or configured neighbour was last seen on, or -1. */
    public int portOf(int key) {
        int i = find(key);
        return i < 0 ? -1 : port[i];
    }
}
