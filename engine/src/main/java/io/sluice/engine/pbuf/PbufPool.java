package io.sluice.engine.pbuf;

import io.sluice.config.PoolConfig;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool of pbufs: one arena of fixed 512-byte slots, a lock-free shared free list, a reserve, and a cache
 * per thread in front of them.
 *
 * <p>Threads reach the pool through {@link #local()}, which gives each thread its own {@link Pbufs}: the
 * chain toolkit bound to that thread's cache. A pbuf may be freed by any thread; it goes to the freeing
 * thread's cache and travels back through the shared list.
 *
 * <p>The reserve: slots set aside on the shared list that only gets marked as receive work
 * ({@link Pbufs#getHdrReserve}) may take, so that receive and ACK processing go on when senders have drained
 * the pool. Frees refill the reserve first. Reserve accounting is per chunk, so it holds the configured size
 * to within one cache batch.
 *
 * <p>The pool is {@link AutoCloseable}: closing it records a leak report of the pbufs still out and frees
 * the arena. Using a closed pool's pbufs fails with an {@link IllegalStateException}.
 */
public final class PbufPool implements AutoCloseable {
    private static final VarHandle HIGH_WATER;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static volatile boolean trackCreations;
    private static final ConcurrentLinkedQueue<PbufPool> CREATED = new ConcurrentLinkedQueue<>();

    static {
        try {
            HIGH_WATER = MethodHandles.lookup().findVarHandle(PbufPool.class, "highWater", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final PbufArena arena;
    private final SharedFreeList common;
    private final SharedFreeList reserve;
    private final int reserveTarget;
    private final int batch;
    private final String name;
    private final int sequence;
    /**
     * The caches of live threads and the summed counters of those whose threads have closed or died,
     * replaced as one (under {@link #retireLock}) so that a reader never misses a retiring cache's counters
     * nor counts them twice.
     */
    private volatile Caches caches = new Caches(new PbufCache[0], new long[PbufCache.STAT_COUNT]);
    private final ReentrantLock retireLock = new ReentrantLock();
    private final ThreadLocal<Pbufs> local;
    private final PbufOwners owners = new PbufOwners();
    private volatile long highWater;
    /** Threads waiting in {@link Pbufs#getWait}; while there are any, frees skip the thread caches. */
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile LeakReport leaksAtClose;
    private final PoolMXBeanRegistration mbean;

    private PbufPool(PoolConfig config) {
        config.conclude();
        this.name = config.name();
        this.sequence = SEQUENCE.incrementAndGet();
        this.batch = config.cacheSize() / 2;
        this.arena = new PbufArena(config.slots());
        this.common = new SharedFreeList(arena);
        this.reserve = new SharedFreeList(arena);
        this.reserveTarget = config.reserve();
        // The reserve takes the lowest slots; the rest go on the common list with its lowest slots on top,
        // so the first gets walk the arena in address order.
        pushRange(common, reserveTarget, config.slots());
        pushRange(reserve, 0, reserveTarget);
        this.local = ThreadLocal.withInitial(() -> new Pbufs(this, newCache()));
        this.mbean = config.jmx() ? PoolMXBeanRegistration.register(this) : null;
        if (trackCreations) {
            CREATED.add(this);
        }
    }

    private void pushRange(SharedFreeList list, int from, int to) {
        for (int end = to; end > from; end -= Math.min(batch, end - from)) {
            int first = end - Math.min(batch, end - from);
            for (int i = first; i < end - 1; i++) {
                arena.next(i, i + 2);
            }
            arena.next(end - 1, 0);
            list.push(first, end - first);
        }
    }

    /** A pool built from {@code config}, validated first. */
    public static PbufPool create(PoolConfig config) {
        return new PbufPool(config);
    }

    /** A pool of {@code slots} slots, other settings at their defaults, not registered with JMX. */
    public static PbufPool create(int slots) {
        return new PbufPool(new PoolConfig().slots(slots).jmx(false));
    }

    /** The calling thread's toolkit over this pool, created with its cache on the thread's first call. */
    public Pbufs local() {
        return local.get();
    }

    private PbufCache newCache() {
        PbufCache cache = new PbufCache(this, batch, Thread.currentThread());
        retireLock.lock();
        try {
            caches = caches.with(cache);
        } finally {
            retireLock.unlock();
        }
        return cache;
    }

    /** Live caches and retired counters; never changed once published. */
    private record Caches(PbufCache[] live, long[] retired) {
        Caches with(PbufCache cache) {
            PbufCache[] l = Arrays.copyOf(live, live.length + 1);
            l[live.length] = cache;
            return new Caches(l, retired);
        }

        /** Without {@code cache}, whose counters (final: it is drained and its thread gone) join the retired. */
        Caches without(PbufCache cache) {
            PbufCache[] l = new PbufCache[live.length - 1];
            int k = 0;
            for (PbufCache c : live) {
                if (c != cache) {
                    l[k++] = c;
                }
            }
            long[] r = retired.clone();
            for (int s = 0; s < PbufCache.STAT_COUNT; s++) {
                r[s] += cache.read(s);
            }
            return new Caches(l, r);
        }

        boolean contains(PbufCache cache) {
            for (PbufCache c : live) {
                if (c == cache) {
                    return true;
                }
            }
            return false;
        }

        long sum(int stat) {
            long s = retired[stat];
            for (PbufCache c : live) {
                s += c.read(stat);
            }
            return s;
        }
    }

    /** Called by {@link Pbufs#close()}: gives the thread's cached slots back and keeps its counters. */
    void retire(PbufCache cache) {
        retireLock.lock();
        try {
            if (caches.contains(cache)) {
                cache.drain();
                caches = caches.without(cache);
            }
        } finally {
            retireLock.unlock();
        }
        local.remove();
    }

    /**
     * Gives back the caches of threads that ended without closing their context. A thread's last action
     * happens-before another thread sees {@code isAlive() == false}, so its cache can be drained safely.
     */
    void reclaimOrphans() {
        if (!retireLock.tryLock()) {
            return;
        }
        try {
            for (PbufCache cache : caches.live()) {
                if (!cache.owner.isAlive()) {
                    cache.drain();
                    caches = caches.without(cache);
                }
            }
        } finally {
            retireLock.unlock();
        }
    }

    /**
     * A chunk for a cache refill: from the common list, else (for receive work) from the reserve.
     *
     * @param need slots the get needs; a chunk from the reserve is cut to that many
     */
    int popChunk(boolean mayUseReserve, int need, PbufCache cache) {
        int first = common.pop();
        if (first >= 0) {
            return first;
        }
        if (mayUseReserve) {
            first = popReserve(need, cache);
            if (first >= 0) {
                return first;
            }
        }
        reclaimOrphans();
        first = common.pop();
        return first >= 0 || !mayUseReserve ? first : popReserve(need, cache);
    }

    /**
     * Takes the top chunk of the reserve, cut to {@code need} slots with the rest pushed back: reserve slots
     * must not sit in a thread cache, where that thread's ordinary gets would take them.
     */
    private int popReserve(int need, PbufCache cache) {
        int first = reserve.pop();
        if (first < 0) {
            return first;
        }
        cache.increment(PbufCache.RESERVE_CHUNKS);
        int size = arena.len(first);
        if (need < size) {
            int last = first;
            for (int k = 1; k < need; k++) {
                last = arena.next(last) - 1;
            }
            int rest = arena.next(last) - 1;
            arena.next(last, 0);
            arena.len(first, need);
            reserve.push(rest, size - need);
        }
        return first;
    }

    void pushChunk(int first, int size) {
        (reserve.free() < reserveTarget ? reserve : common).push(first, size);
    }

    /** A thread starts ({@code +1}) or stops ({@code -1}) waiting for a free in {@link Pbufs#getWait}. */
    void waiting(int delta) {
        waiters.addAndGet(delta);
    }

    /**
     * Whether a thread waits for a free. A free normally stays in the freeing thread's cache, where a waiter
     * cannot see it; while this is true the freeing thread flushes its cache to the shared list instead.
     */
    boolean hasWaiters() {
        return waiters.get() != 0;
    }

    /**
     * Samples the pbufs in use into the high-water mark; called after a get that refilled a cache. The
     * {@code pending} slots count as in use: those the get took (not yet counted as allocations) and those
     * left in the cache, which its thread hands out without sampling again. Without them the sample would
     * miss up to a batch of the peak, and the whole of a bulk or chain get.
     */
    void noteRefill(int pending) {
        long inUse = inUse() + pending;
        long hw;
        while (inUse > (hw = highWater)) {
            if (HIGH_WATER.compareAndSet(this, hw, inUse)) {
                break;
            }
        }
    }

    /**
     * Pbufs handed out and not yet freed, from the caches' counters. All allocations are read before all
     * frees, so that a free racing with the read can only lower the figure, never raise it past the truth.
     */
    public long inUse() {
        Caches c = caches;
        long allocs = 0;
        for (int t = 0; t < PbufType.count(); t++) {
            allocs += c.sum(PbufCache.ALLOCS + t);
        }
        VarHandle.loadLoadFence();
        long frees = 0;
        for (int t = 0; t < PbufType.count(); t++) {
            frees += c.sum(PbufCache.FREES + t);
        }
        return allocs - frees;
    }

    /** The statistics of this pool now; counters are read without stopping the threads that update them. */
    public PbufStats stats() {
        return stats(false);
    }

    /**
     * As {@link #stats()}; with {@code occupancy}, also counts the pbufs in use by owning stage, which scans
     * every slot's header (control path only).
     */
    public PbufStats stats(boolean occupancy) {
        if (!isOpen()) {
            throw new IllegalStateException("pool " + name + " is closed");
        }
        reclaimOrphans();
        Caches all = caches;
        long[] byType = new long[PbufType.count()];
        for (int t = 0; t < byType.length; t++) {
            byType[t] = all.sum(PbufCache.ALLOCS + t);
        }
        VarHandle.loadLoadFence(); // allocations before frees, as in inUse()
        long inUse = 0;
        long allocs = 0;
        for (int t = 0; t < byType.length; t++) {
            allocs += byType[t];
            byType[t] -= all.sum(PbufCache.FREES + t);
            inUse += byType[t];
        }
        List<PbufStats.CacheStat> perThread = new ArrayList<>();
        long cached = 0;
        for (PbufCache c : all.live()) {
            int n = c.cached();
            cached += n;
            perThread.add(new PbufStats.CacheStat(c.name, n));
        }
        long hw = Math.max(highWater, inUse);
        long denied = all.sum(PbufCache.DENIED);
        return new PbufStats(name, arena.slots, inUse, cached, common.free() + reserve.free(), byType, hw,
            allocs + denied, denied, all.sum(PbufCache.DELAYED), reserveTarget, reserve.free(),
            all.sum(PbufCache.RESERVE_CHUNKS), all.sum(PbufCache.REFILLS), all.sum(PbufCache.FLUSHES), perThread,
            occupancy ? owners.occupancy(arena) : java.util.Map.of());
    }

    /** The classic {@code netstat -m} report for this pool. */
    public String netstat() {
        return NetstatReport.format(stats(true));
    }

    /** The pbufs still allocated, grouped by the stage that last held them; empty when nothing leaked. */
    public LeakReport leakReport() {
        if (!isOpen()) {
            LeakReport atClose = leaksAtClose;
            return atClose == null ? LeakReport.none(name) : atClose;
        }
        return LeakReport.scan(this);
    }

    /** Registers a stage (or any holder) by name for owner tracking; returns its id for {@link Pbufs#owner(int)}. */
    public int registerOwner(String ownerName) {
        return owners.register(ownerName);
    }

    String ownerName(int id) {
        return owners.name(id);
    }

    public String name() {
        return name;
    }

    public int capacity() {
        return arena.slots;
    }

    public int reserveTarget() {
        return reserveTarget;
    }

    /** Slots on the shared free lists (common and reserve), not counting thread caches. */
    public long sharedFree() {
        return common.free() + reserve.free();
    }

    public boolean isOpen() {
        return arena.isOpen();
    }

    int sequence() {
        return sequence;
    }

    /**
     * Records the leak report, unregisters the MXBean and frees the arena. Idempotent. Threads must no longer
     * use the pool.
     */
    @Override
    public synchronized void close() {
        if (!isOpen()) {
            return;
        }
        leaksAtClose = LeakReport.scan(this);
        if (mbean != null) {
            mbean.unregister();
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "PbufPool{" + name + ", slots=" + arena.slots + "}";
    }

    // ---- support for the JUnit leak extension ----

    static void trackCreations(boolean on) {
        trackCreations = on;
    }

    static List<PbufPool> createdSince(int sequenceMark) {
        List<PbufPool> out = new ArrayList<>();
        CREATED.removeIf(p -> {
            if (p.sequence > sequenceMark) {
                out.add(p);
            }
            return false;
        });
        return out;
    }

    static void forget(List<PbufPool> pools) {
        CREATED.removeAll(pools);
    }

    static int currentSequence() {
        return SEQUENCE.get();
    }
}
