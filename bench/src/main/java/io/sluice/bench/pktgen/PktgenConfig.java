package io.sluice.bench.pktgen;

import io.sluice.config.ConfigException;

/**
 * The Linux pktgen's parameters, as Sluice's generator takes them. Addresses are IPv4 as ints, MACs as
 * 6-byte arrays; ranges are inclusive. {@code count} 0 means no limit (then {@code seconds} must bound the
 * run), {@code ratePps} 0 means as fast as the port takes frames.
 */
public record PktgenConfig(long count, int pktSize, double seconds, byte[] dstMac, byte[] srcMac,
                           int dstMin, int dstMax, int srcMin, int srcMax,
                           int udpSrcMin, int udpSrcMax, int udpDstMin, int udpDstMax,
                           int flows, long ratePps, int burst) {

    public static final int MIN_SIZE = 60;
    public static final int MAX_SIZE = 1514;
    /** Flows a generator precomputes the headers of (16 bytes each). */
    public static final int MAX_FLOWS = 1 << 20;

    public PktgenConfig {
        if (pktSize < MIN_SIZE || pktSize > MAX_SIZE) {
            throw new ConfigException("pkt_size=" + pktSize + " must be in " + MIN_SIZE + ".." + MAX_SIZE
                + " (frame bytes without the FCS)");
        }
        if (count < 0) {
            throw new ConfigException("count=" + count + " must be >= 0");
        }
        if (count == 0 && !(seconds > 0)) {
            throw new ConfigException("count=0 (no limit) needs a duration: seconds=" + seconds);
        }
        if (dstMac == null || dstMac.length != 6 || srcMac == null || srcMac.length != 6) {
            throw new ConfigException("dst_mac and src_mac must be 6 bytes");
        }
        checkRange("dst", dstMin, dstMax);
        checkRange("src", srcMin, srcMax);
        checkPorts("udp_src", udpSrcMin, udpSrcMax);
        checkPorts("udp_dst", udpDstMin, udpDstMax);
        if (flows < 1 || flows > MAX_FLOWS) {
            throw new ConfigException("flows=" + flows + " must be in 1.." + MAX_FLOWS);
        }
        if (ratePps < 0) {
            throw new ConfigException("rate=" + ratePps + " must be >= 0");
        }
        if (burst < 1 || burst > 1024) {
            throw new ConfigException("burst=" + burst + " must be in 1..1024");
        }
    }

    private static void checkRange(String name, int min, int max) {
        if (Integer.compareUnsigned(min, max) > 0) {
            throw new ConfigException(name + "_min=" + Ipv4.format(min) + " is above " + name + "_max=" + Ipv4.format(max));
        }
    }

    private static void checkPorts(String name, int min, int max) {
        if (min < 0 || max > 65535 || min > max) {
            throw new ConfigException(name + "_min=" + min + " " + name + "_max=" + max + " must satisfy 0 <= min <= max <= 65535");
        }
    }

    /** Addresses in {@code [min, max]}. */
    static long span(int min, int max) {
        return (max & 0xFFFFFFFFL) - (min & 0xFFFFFFFFL) + 1;
    }
}
