package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * IPv4 settings ({@code ip { ... }}).
 *
 * @param defaultTtl    the TTL of packets this forwarder originates (ICMP messages)
 * @param icmpRateLimit ICMP error messages sent per second at most (RFC 1812 4.3.2.8); 0 sends none
 * @param reassembly    the hard limits of reassembly (of datagrams addressed to this forwarder)
 */
public record IpConfig(int defaultTtl, int icmpRateLimit, Reassembly reassembly) {
    /** The TTL Linux and the BSDs use (RFC 1700). */
    public static final int DEFAULT_TTL_DEFAULT = 64;
    /** FreeBSD's {@code net.inet.icmp.icmplim}. */
    public static final int ICMP_RATE_LIMIT_DEFAULT = 200;
    public static final int ICMP_RATE_LIMIT_MAX = 1_000_000;

    public static final IpConfig DEFAULTS =
        new IpConfig(DEFAULT_TTL_DEFAULT, ICMP_RATE_LIMIT_DEFAULT, Reassembly.DEFAULTS);

    /**
     * Reassembly limits ({@code ip.reassembly { ... }}): beyond any of them a fragment is dropped and counted,
     * and a datagram not complete within the timeout is dropped with all its fragments.
     *
     * @param maxDatagrams datagrams in reassembly at once; 0 turns reassembly off (fragments to this forwarder
     *                     are dropped)
     * @param maxFragments fragments held for one datagram
     * @param maxPbufs     pbufs held by all datagrams in reassembly, at most half the pool
     * @param timeout      how long a datagram may take to complete
     */
    public record Reassembly(int maxDatagrams, int maxFragments, int maxPbufs, Duration timeout) {
        public static final int MAX_DATAGRAMS_DEFAULT = 64;
        public static final int MAX_DATAGRAMS_MAX = 65536;
        /** FreeBSD's {@code net.inet.ip.maxfragsperpacket}. */
        public static final int MAX_FRAGMENTS_DEFAULT = 16;
        /** A 65535-byte datagram in 8-byte fragments. */
        public static final int MAX_FRAGMENTS_MAX = 8192;
        public static final int MAX_PBUFS_DEFAULT = 2048;
        /** Linux's {@code ipfrag_time}; the BSDs' IPFRAGTTL is also 30 s. */
        public static final Duration TIMEOUT_DEFAULT = Duration.ofSeconds(30);
        public static final Duration TIMEOUT_MIN = Duration.ofSeconds(1);
        /** RFC 791: the reassembly timer is bounded by the TTL, at most 255 seconds. */
        public static final Duration TIMEOUT_MAX = Duration.ofSeconds(255);

        public static final Reassembly DEFAULTS =
            new Reassembly(MAX_DATAGRAMS_DEFAULT, MAX_FRAGMENTS_DEFAULT, MAX_PBUFS_DEFAULT, TIMEOUT_DEFAULT);

        public Reassembly {
            Objects.requireNonNull(timeout, "timeout");
            if (maxDatagrams < 0 || maxDatagrams > MAX_DATAGRAMS_MAX) {
                throw new ConfigException("ip.reassembly.maxDatagrams: " + maxDatagrams + " must be in 0.."
                    + MAX_DATAGRAMS_MAX);
            }
            if (maxFragments < 1 || maxFragments > MAX_FRAGMENTS_MAX) {
                throw new ConfigException("ip.reassembly.maxFragments: " + maxFragments + " must be in 1.."
                    + MAX_FRAGMENTS_MAX);
            }
            if (maxPbufs < 1 || maxPbufs > PoolConfig.SLOTS_MAX / 2) {
                throw new ConfigException("ip.reassembly.maxPbufs: " + maxPbufs + " must be in 1.."
                    + PoolConfig.SLOTS_MAX / 2);
            }
            if (timeout.compareTo(TIMEOUT_MIN) < 0 || timeout.compareTo(TIMEOUT_MAX) > 0) {
                throw new ConfigException("ip.reassembly.timeout: " + timeout + " must be in 1s..255s");
            }
        }
    }

    public IpConfig {
        Objects.requireNonNull(reassembly, "reassembly");
        if (defaultTtl < 1 || defaultTtl > 255) {
            throw new ConfigException("ip.defaultTtl: " + defaultTtl + " must be in 1..255");
        }
        if (icmpRateLimit < 0 || icmpRateLimit > ICMP_RATE_LIMIT_MAX) {
            throw new ConfigException("ip.icmpRateLimit: " + icmpRateLimit + " must be in 0.." + ICMP_RATE_LIMIT_MAX);
        }
    }
}
