package io.sluice.engine.wire;

/**
 * IPv4 addresses held in an {@code int} in network order, first byte highest: 10.0.0.1 is
 * {@code 0x0A000001}. Compare them as ints; order them with {@link Integer#compareUnsigned}. Formatting and
 * parsing are for people and configuration, off the data path.
 */
public final class Ipv4Address {
    /** 255.255.255.255, the limited broadcast address (RFC 919). */
    public static final int BROADCAST = 0xFFFF_FFFF;
    /** 0.0.0.0. */
    public static final int ANY = 0;

    private Ipv4Address() {
    }

    /** The address {@code a.b.c.d}; each part is taken modulo 256. */
    public static int of(int a, int b, int c, int d) {
        return (a & 0xFF) << 24 | (b & 0xFF) << 16 | (c & 0xFF) << 8 | (d & 0xFF);
    }

    /** The address in dotted decimal. Allocates: not for the data path. */
    public static String toString(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
    }

    /**
     * Parses dotted decimal: exactly four parts of 1 to 3 decimal digits, each at most 255 (no octal, no
     * shorthand forms such as {@code 10.1}).
     *
     * @throws IllegalArgumentException when {@code text} is not such an address
     */
    public static int parse(String text) {
        int ip = 0;
        int parts = 0;
        int i = 0;
        int n = text.length();
        while (i <= n && parts < 4) {
            int start = i;
            int value = 0;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9' && i - start < 3) {
                value = value * 10 + text.charAt(i) - '0';
                i++;
            }
            boolean endOfPart = i == n ? parts == 3 : text.charAt(i) == '.' && parts < 3;
            if (i == start || value > 255 || !endOfPart) {
                throw new IllegalArgumentException("not an IPv4 address (a.b.c.d): " + text);
            }
            ip = ip << 8 | value;
            parts++;
            i++; // past the dot, or past the end
        }
        return ip;
    }
}
