package io.sluice.config;

/**
 * IPv4 addresses as {@code int}s (network order: {@code 10.0.0.1} is {@code 0x0A000001}) and their text
 * forms. Parsing is strict: four decimal parts 0..255, no leading zeros (which some tools read as octal), and
 * for a prefix a length 0..32 after a {@code /}.
 */
public final class Ipv4 {
    private Ipv4() {
    }

    /**
     * Parses {@code A.B.C.D}.
     *
     * @throws IllegalArgumentException if {@code s} is not such an address
     */
    public static int parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("null");
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(s);
        }
        int a = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                throw new IllegalArgumentException(s);
            }
            int v = 0;
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException(s);
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                throw new IllegalArgumentException(s);
            }
            a = a << 8 | v;
        }
        return a;
    }

    /** An address and a prefix length, as in {@code 10.10.1.1/24}. */
    public record Prefix(int address, int length) {
        public Prefix {
            if (length < 0 || length > 32) {
                throw new IllegalArgumentException("prefix length " + length + " is not in 0..32");
            }
        }

        /** The address with the host bits cleared. */
        public int network() {
            return address & mask(length);
        }

        public boolean hasHostBits() {
            return network() != address;
        }

        @Override
        public String toString() {
            return format(address) + "/" + length;
        }
    }

    /**
     * Parses {@code A.B.C.D/LEN}.
     *
     * @throws IllegalArgumentException if {@code s} is not such a prefix
     */
    public static Prefix parsePrefix(String s) {
        int slash = s == null ? -1 : s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(s);
        }
        String len = s.substring(slash + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')
            || (len.length() > 1 && len.charAt(0) == '0')) {
            throw new IllegalArgumentException(s);
        }
        int l = Integer.parseInt(len);
        if (l > 32) {
            throw new IllegalArgumentException(s);
        }
        return new Prefix(parse(s.substring(0, slash)), l);
    }

    /** The netmask of a prefix length: {@code mask(24)} is {@code 0xFFFFFF00}. */
    public static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** Whether {@code address} is inside {@code network/length}. */
    public static boolean contains(int network, int length, int address) {
        int m = mask(length);
        return (network & m) == (address & m);
    }

    /** Whether two prefixes share an address. */
    public static boolean overlap(int a, int aLength, int b, int bLength) {
        int m = mask(Math.min(aLength, bLength));
        return (a & m) == (b & m);
    }

    /**
     * Why {@code address} cannot be a host's address (this forwarder's, a gateway's or a neighbour's), or null:
     * 0.0.0.0/8, loopback, multicast, reserved and broadcast addresses are refused (RFC 1812 5.3.7).
     */
    public static String martian(int address) {
        int first = address >>> 24;
        if (first == 0) {
            return "is in 0.0.0.0/8 (\"this network\")";
        }
        if (first == 127) {
            return "is a loopback address (127.0.0.0/8)";
        }
        if (first >= 224 && first <= 239) {
            return "is a multicast address (224.0.0.0/4)";
        }
        if (address == -1) {
            return "is the limited broadcast address";
        }
        if (first >= 240) {
            return "is reserved (240.0.0.0/4)";
        }
        return null;
    }

    /** {@code A.B.C.D}. */
    public static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }
}
