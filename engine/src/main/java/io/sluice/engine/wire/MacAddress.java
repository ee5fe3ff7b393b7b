package io.sluice.engine.wire;

/**
 * 48-bit Ethernet MAC addresses held in the low bits of a {@code long}, first byte on the wire highest
 * ({@code 02:00:00:00:00:01} is {@code 0x0200_0000_0001L}), so that the data path needs no {@code byte[]}.
 * Formatting and parsing are for people and configuration, off the data path.
 */
public final class MacAddress {
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** 00:00:00:00:00:00, the target MAC of an ARP request. */
    public static final long ZERO = 0L;

    private static final long GROUP_BIT = 1L << 40;

    private MacAddress() {
    }

    /** Whether the address is a group (multicast or broadcast) address: the I/G bit of the first byte. */
    public static boolean isMulticast(long mac) {
        return (mac & GROUP_BIT) != 0;
    }

    /** Whether the address is the broadcast address. */
    public static boolean isBroadcast(long mac) {
        return mac == BROADCAST;
    }

    /** The address as {@code aa:bb:cc:dd:ee:ff} (lower case). Allocates: not for the data path. */
    public static String toString(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xFF;
            s.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            if (shift > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} or {@code aa-bb-cc-dd-ee-ff}, either case, two hex digits per byte.
     *
     * @throws IllegalArgumentException when {@code text} is not such an address
     */
    public static long parse(String text) {
        if (text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address (aa:bb:cc:dd:ee:ff): " + text);
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(3 * i), 16);
            int lo = Character.digit(text.charAt(3 * i + 1), 16);
            char sep = i < 5 ? text.charAt(3 * i + 2) : ':';
            if (hi < 0 || lo < 0 || (sep != ':' && sep != '-')) {
                throw new IllegalArgumentException("not a MAC address (aa:bb:cc:dd:ee:ff): " + text);
            }
            mac = mac << 8 | hi << 4 | lo;
        }
        return mac;
    }
}
