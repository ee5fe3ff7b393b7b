package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * ARP settings ({@code arp { ... }}).
 *
 * @param cacheTimeout  how long a learnt entry is believed before it is asked for again
 * @param pendingPerHop packets queued for one unresolved next hop while its ARP request is out; more are
 *                      dropped (and counted)
 * @param maxEntries    entries the cache holds, static ones included
 */
public record ArpConfig(Duration cacheTimeout, int pendingPerHop, int maxEntries) {
    /** Linux's reachable time is about 30 s and its stale entries live about 60 s; BSD keeps 20 minutes. */
    public static final Duration CACHE_TIMEOUT_DEFAULT = Duration.ofSeconds(60);
    public static final Duration CACHE_TIMEOUT_MIN = Duration.ofSeconds(1);
    public static final Duration CACHE_TIMEOUT_MAX = Duration.ofHours(24);
    /** FreeBSD's {@code net.link.ether.inet.maxhold}. */
    public static final int PENDING_PER_HOP_DEFAULT = 16;
    public static final int PENDING_PER_HOP_MAX = 4096;
    /** Linux's {@code gc_thresh3}. */
    public static final int MAX_ENTRIES_DEFAULT = 1024;
    public static final int MAX_ENTRIES_MAX = 1 << 20;

    public static final ArpConfig DEFAULTS =
        new ArpConfig(CACHE_TIMEOUT_DEFAULT, PENDING_PER_HOP_DEFAULT, MAX_ENTRIES_DEFAULT);

    public ArpConfig {
        Objects.requireNonNull(cacheTimeout, "cacheTimeout");
        if (cacheTimeout.compareTo(CACHE_TIMEOUT_MIN) < 0 || cacheTimeout.compareTo(CACHE_TIMEOUT_MAX) > 0) {
            throw new ConfigException("arp.cacheTimeout: " + cacheTimeout + " must be in 1s..24h");
        }
        if (pendingPerHop < 1 || pendingPerHop > PENDING_PER_HOP_MAX) {
            throw new ConfigException("arp.pendingPerHop: " + pendingPerHop + " must be in 1.." + PENDING_PER_HOP_MAX);
        }
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES_MAX) {
            throw new ConfigException("arp.maxEntries: " + maxEntries + " must be in 1.." + MAX_ENTRIES_MAX);
        }
    }
}
