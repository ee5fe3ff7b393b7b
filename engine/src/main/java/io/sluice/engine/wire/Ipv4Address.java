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

    /** {@code a.b.c.d/len}. Allocates: not for the data path. */
    public static String toString(int prefix, int length) {
        return toString(prefix) + "/" + length;
    }

    /** The netmask of a prefix length: {@code mask(24) == 0xFFFFFF00}, {@code mask(0) == 0}. */
    public static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** {@code address} with its host bits cleared. */
    public static int network(int address, int length) {
        return address & mask(length);
    }

    /** The last address of {@code prefix/length}. */
    public static int last(int prefix, int length) {
        return prefix | ~mask(length);
    }

    /**
     * Parses dotted decimal: exactly four parts of 1 to 3 decimal digits, each at most 255 (no octal, no
     * shorthand forms such as {@code 10.1}).
     *
     * @throws IllegalArgumentException when {@code text} is not such an address
     */
    public static int parse(CharSequence text) {
        return parse(text, 0, text.length());
    }

    /** Parses the dotted quad in {@code text[start, end)} (a route file's field, without a substring). */
    public static int parse(CharSequence text, int start, int end) {
        int address = 0;
        int octets = 0;
        int i = start;
        while (true) {
            int octet = 0;
            int digits = 0;
            while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                octet = octet * 10 + (text.charAt(i) - '0');
                i++;
                if (++digits > 3) {
                    throw bad(text, start, end);
                }
            }
            if (digits == 0 || octet > 255) {
                throw bad(text, start, end);
            }
            address = address << 8 | octet;
            if (++octets == 4) {
                break;
            }
            if (i >= end || text.charAt(i) != '.') {
                throw bad(text, start, end);
            }
            i++;
        }
        if (i != end) {
            throw bad(text, start, end);
        }
        return address;
    }

    private static IllegalArgumentException bad(CharSequence text, int start, int end) {
        return new IllegalArgumentException("not an IPv4 address (a.b.c.d): " + text.subSequence(start, end));
    }
}
