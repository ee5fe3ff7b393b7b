package io.sluice.engine.inet;

/**
 * The address classes RFC 1812 5.3.7 ("martian address filtering") and 4.3.2.7 (when never to send an ICMP
 * error) name. Addresses are ints in network order (10.0.0.1 is {@code 0x0A000001}).
 */
public final class Martians {
    private Martians() {
    }

    /** 224.0.0.0/4. */
    public static boolean isMulticast(int ip) {
        return ip >>> 28 == 0xE;
    }

    /** 255.255.255.255. */
    public static boolean isLimitedBroadcast(int ip) {
        return ip == -1;
    }

    /**
     * A source no datagram may carry: 0.0.0.0/8 ("this network"), 127.0.0.0/8 (loopback), multicast, and
     * 240.0.0.0/4 (class E, the limited broadcast included).
     */
    public static boolean isMartianSource(int ip) {
        int first = ip >>> 24;
        return first == 0 || first == 127 || ip >>> 28 >= 0xE;
    }

    /**
     * A destination no router forwards: 0.0.0.0/8, 127.0.0.0/8, and class E other than the limited broadcast
     * (which is delivered locally, never forwarded).
     */
    public static boolean isMartianDestination(int ip) {
        int first = ip >>> 24;
        return first == 0 || first == 127 || (ip >>> 28 == 0xF && ip != -1);
    }

    /**
     * Whether {@code ip} names one host, so that an ICMP error may go to it (RFC 1812 4.3.2.7): not 0.0.0.0/8,
     * loopback, multicast, class E or a broadcast.
     */
    public static boolean isUnicastHost(int ip) {
        return !isMartianSource(ip);
    }
}
