package io.sluice.bench.pktgen;

import io.sluice.config.ConfigException;

/** Parsing and formatting of dotted-quad IPv4 addresses and colon-separated MACs for the command line. */
public final class Ipv4 {
    private Ipv4() {
    }

    public static int parse(String s) {
        String[] parts = s.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new ConfigException("\"" + s + "\" is not an IPv4 address (a.b.c.d)");
        }
        int v = 0;
        for (String p : parts) {
            int b;
            try {
                b = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new ConfigException("\"" + s + "\" is not an IPv4 address (a.b.c.d)");
            }
            if (b < 0 || b > 255) {
                throw new ConfigException("\"" + s + "\": " + b + " is not a byte");
            }
            v = v << 8 | b;
        }
        return v;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
    }

    public static byte[] parseMac(String s) {
        String[] parts = s.trim().split(":", -1);
        if (parts.length != 6) {
            throw new ConfigException("\"" + s + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            try {
                int b = Integer.parseInt(parts[i], 16);
                if (b < 0 || b > 255 || parts[i].length() > 2) {
                    throw new NumberFormatException();
                }
                mac[i] = (byte) b;
            } catch (NumberFormatException e) {
                throw new ConfigException("\"" + s + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
            }
        }
        return mac;
    }
}
