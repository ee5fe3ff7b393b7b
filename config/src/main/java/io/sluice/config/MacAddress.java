package io.sluice.config;

/**
 * A 48-bit Ethernet address, in the low bits of {@link #value}. Written as six two-digit hexadecimal groups
 * separated by {@code :} (or {@code -}), as in {@code 02:00:00:00:00:01}.
 *
 * @param value the address: the first octet in bits 47..40
 */
public record MacAddress(long value) {
    public MacAddress {
        if (value < 0 || value > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("a MAC address takes 48 bits: " + Long.toHexString(value));
        }
    }

    /**
     * Parses {@code XX:XX:XX:XX:XX:XX} (or with {@code -}).
     *
     * @throws IllegalArgumentException if {@code s} is not such an address
     */
    public static MacAddress parse(String s) {
        if (s == null || s.length() != 17) {
            throw new IllegalArgumentException(String.valueOf(s));
        }
        char sep = s.charAt(2);
        if (sep != ':' && sep != '-') {
            throw new IllegalArgumentException(s);
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int at = i * 3;
            if (i > 0 && s.charAt(at - 1) != sep) {
                throw new IllegalArgumentException(s);
            }
            int hi = Character.digit(s.charAt(at), 16);
            int lo = Character.digit(s.charAt(at + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException(s);
            }
            v = v << 8 | hi << 4 | lo;
        }
        return new MacAddress(v);
    }

    /** The group bit: multicast, broadcast included. */
    public boolean isMulticast() {
        return (value >>> 40 & 1) != 0;
    }

    public boolean isBroadcast() {
        return value == 0xFFFF_FFFF_FFFFL;
    }

    public boolean isZero() {
        return value == 0;
    }

    /** Why this address cannot be a station's own (unicast) address, or null. */
    String notUnicast() {
        if (isZero()) {
            return "is all zeros";
        }
        if (isBroadcast()) {
            return "is the broadcast address";
        }
        if (isMulticast()) {
            return "is a multicast address (the low bit of the first octet is set)";
        }
        return null;
    }

    /** {@code xx:xx:xx:xx:xx:xx}, lower case. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int o = (int) (value >>> (i * 8)) & 0xFF;
            b.append(Character.forDigit(o >>> 4, 16)).append(Character.forDigit(o & 0xF, 16));
            if (i > 0) {
                b.append(':');
            }
        }
        return b.toString();
    }
}
