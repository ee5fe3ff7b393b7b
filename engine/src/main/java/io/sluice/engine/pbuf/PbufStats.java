package io.sluice.engine.pbuf;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a pool's statistics, the figures of the {@code netstat -m} report.
 *
 * @param total             slots in the arena
 * @param inUse             pbufs handed out and not freed
 * @param cached            free slots sitting in thread caches
 * @param free              free slots on the shared lists (common and reserve)
 * @param inUseByType       pbufs in use, indexed by {@link PbufType#ordinal()}
 * @param highWater         most pbufs in use at once, sampled at every cache refill (counting the refilled
 *                          slots as in use, so it may exceed the peak by up to a cache's worth) and snapshot
 * @param requests          gets asked for, successful or not (a bulk or chain get counts once per pbuf)
 * @param denied            gets that failed because the pool was empty
 * @param delayed           gets that waited for a pbuf ({@link Pbufs#getWait}) and then got one
 * @param reserveTarget     slots the reserve holds when full
 * @param reserveFree       slots in the reserve now
 * @param reserveChunks     chunks that receive work took from the reserve
 * @param refills           thread-cache refills from the shared list
 * @param flushes           thread-cache flushes to the shared list
 * @param perThread         cached slots per thread
 * @param occupancyByOwner  pbufs in use by the stage that holds them (empty unless asked for)
 */
public record PbufStats(String name, long total, long inUse, long cached, long free, long[] inUseByType,
                        long highWater, long requests, long denied, long delayed, long reserveTarget,
                        long reserveFree, long reserveChunks, long refills, long flushes,
                        List<CacheStat> perThread, Map<String, Long> occupancyByOwner) {

    /** Cached slots of one thread. */
    public record CacheStat(String thread, long cached) {
    }

    public long inUse(PbufType type) {
        return inUseByType[type.ordinal()];
    }

    public long bytesInUse() {
        return inUse * PbufDescriptor.SLOT_SIZE;
    }

    public long bytesCached() {
        return cached * PbufDescriptor.SLOT_SIZE;
    }

    public long bytesTotal() {
        return total * PbufDescriptor.SLOT_SIZE;
    }
}
