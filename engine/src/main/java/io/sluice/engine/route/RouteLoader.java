package io.sluice.engine.route;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Loads routes from text, one route a line, in a subset of {@code ip route} syntax, and writes a table back
 * in the same syntax:
 *
 * <pre>
 * # comments run from '#' to the end of the line; blank lines are skipped
 * 10.0.0.0/8 via 192.0.2.1 dev 1      # through gateway 192.0.2.1, out of port 1
 * 192.0.2.0/24 dev 1                  # directly connected on port 1 (no gateway)
 * default via 198.51.100.1 dev 0      # default is 0.0.0.0/0
 * 203.0.113.7 dev 2                   # no /len: a host route, /32
 * blackhole 10.66.0.0/16              # drop
 * local 192.0.2.10/32 dev 1           # deliver to this host (dev optional, port 0 without it)
 * </pre>
 *
 * <p>Grammar: {@code [unicast|blackhole|local] DEST [via GATEWAY] [dev PORT]}, where DEST is {@code a.b.c.d/len},
 * {@code a.b.c.d} or {@code default}. A unicast route needs {@code dev}; a blackhole takes neither {@code via}
 * nor {@code dev}. PORT goes through a resolver ({@link #NUMBERED_PORTS} takes the decimal port index; pass a
 * map's lookup to accept interface names). Each distinct (port, gateway, kind) becomes one next-hop id in the
 * {@link NextHopTable} ({@link NextHopTable#intern}). A route listed twice keeps the later next hop. Host bits
 * set in DEST are an error, as in {@code ip route}.
 *
 * <p>Loading runs on the route table's writer thread and can run while readers look up: each route is an
 * ordinary {@link RouteTable#add}. The first bad line stops the load with a {@link RouteFileException} that
 * names the line; the routes before it stay in the table.
 */
public final class RouteLoader {
    /** Port resolver for decimal port indices 0..65535; -1 for anything else. */
    public static final ToIntFunction<String> NUMBERED_PORTS = RouteLoader::decimalPort;

    private RouteLoader() {
    }

    /** Loads {@code file}, ports as decimal indices. @return the number of routes added */
    public static int load(Path file, RouteTable table, NextHopTable hops) throws IOException {
        return load(file, table, hops, NUMBERED_PORTS);
    }

    /**
     * Loads {@code file}.
     *
     * @param ports maps a {@code dev} word to a port index, or to -1 when it names no port
     * @return the number of routes added
     * @throws RouteFileException at the first line that cannot be loaded
     */
    public static int load(Path file, RouteTable table, NextHopTable hops, ToIntFunction<String> ports) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return load(in, file.toString(), table, hops, ports);
        }
    }

    /** Loads from {@code in}; {@code source} names it in error messages. @return the number of routes added */
    public static int load(BufferedReader in, String source, RouteTable table, NextHopTable hops,
                           ToIntFunction<String> ports) throws IOException {
        Tokens t = new Tokens();
        int lineNo = 0;
        int routes = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNo++;
            t.reset(line);
            if (!t.next()) {
                continue;
            }
            try {
                addLine(t, table, hops, ports);
            } catch (IllegalArgumentException e) {
                throw new RouteFileException(source + ":" + lineNo + ": " + e.getMessage() + ": '" + line.strip() + "'");
            }
            routes++;
        }
        return routes;
    }

    private static void addLine(Tokens t, RouteTable table, NextHopTable hops, ToIntFunction<String> ports) {
        int flags = 0;
        boolean typed = true;
        if (t.is("blackhole")) {
            flags = NextHopTable.FLAG_BLACKHOLE;
        } else if (t.is("local")) {
            flags = NextHopTable.FLAG_LOCAL;
        } else if (!t.is("unicast")) {
            typed = false;
        }
        if (typed && !t.next()) {
            throw new IllegalArgumentException("no destination after the route type");
        }
        int prefix;
        int length;
        if (t.is("default")) {
            prefix = 0;
            length = 0;
        } else {
            int slash = t.indexOf('/');
            prefix = Ipv4Address.parse(t.line, t.start, slash < 0 ? t.end : slash);
            length = slash < 0 ? 32 : parseLength(t.line, slash + 1, t.end);
            if ((prefix & ~Ipv4Address.mask(length)) != 0) {
                throw new IllegalArgumentException(Ipv4Address.toString(prefix, length) + " has host bits set (the network is "
                    + Ipv4Address.toString(Ipv4Address.network(prefix, length), length) + ")");
            }
        }
        int gateway = NextHopTable.NO_GATEWAY;
        boolean via = false;
        int port = -1;
        while (t.next()) {
            if (t.is("via")) {
                if (!t.next()) {
                    throw new IllegalArgumentException("'via' needs a gateway address");
                }
                gateway = Ipv4Address.parse(t.line, t.start, t.end);
                via = true;
            } else if (t.is("dev")) {
                if (!t.next()) {
                    throw new IllegalArgumentException("'dev' needs a port");
                }
                String dev = t.token();
                port = ports.applyAsInt(dev);
                if (port < 0 || port > NextHopTable.PORT_MAX) {
                    throw new IllegalArgumentException("unknown port '" + dev + "'");
                }
            } else {
                throw new IllegalArgumentException("unexpected '" + t.token() + "' (expected via or dev)");
            }
        }
        if (flags == NextHopTable.FLAG_BLACKHOLE) {
            if (via || port >= 0) {
                throw new IllegalArgumentException("a blackhole route takes no via and no dev");
            }
            port = 0;
        } else if (flags == NextHopTable.FLAG_LOCAL) {
            if (via) {
                throw new IllegalArgumentException("a local route takes no via");
            }
            port = Math.max(port, 0);
        } else if (port < 0) {
            throw new IllegalArgumentException("a unicast route needs 'dev PORT'");
        }
        int id = hops.intern(port, gateway, flags);
        if (id == NextHopTable.FULL) {
            throw new IllegalArgumentException("the next-hop table is full (" + hops.capacity() + " next hops)");
        }
        if (table.add(prefix, length, id) == RouteTable.TBL8_EXHAUSTED) {
            throw new IllegalArgumentException("no tbl8 group left for " + Ipv4Address.toString(prefix, length) + " ("
                + table.tbl8GroupsInUse() + " in use, " + table.tbl8GroupsRetired() + " retired); raise "
                + RouteTableConfig.TBL8_GROUPS_PROP);
        }
    }

    private static int parseLength(String s, int from, int to) {
        int v = 0;
        if (from >= to || to - from > 2) {
            throw new IllegalArgumentException("'" + s.substring(from, to) + "' is not a prefix length 0..32");
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("'" + s.substring(from, to) + "' is not a prefix length 0..32");
            }
            v = v * 10 + (c - '0');
        }
        if (v > 32) {
            throw new IllegalArgumentException("prefix length " + v + " is not in 0..32");
        }
        return v;
    }

    private static int decimalPort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= NextHopTable.PORT_MAX ? v : -1;
    }

    /** Writes every route of {@code table} to {@code file}, ports as decimal indices. @return routes written */
    public static int write(Path file, RouteTable table, NextHopTable hops) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            return write(out, table, hops, Integer::toString);
        }
    }

    /**
     * Writes every route of {@code table} in the syntax {@link #load} reads, shortest prefixes first and in
     * address order within a length. Writer thread of the table.
     *
     * @param portNames the {@code dev} word for a port index
     * @return routes written
     */
    public static int write(Writer out, RouteTable table, NextHopTable hops, IntFunction<String> portNames) throws IOException {
        // Sorted by length, then by address: a stable, diffable file (the rule table iterates in hash order).
        long[] keys = new long[table.size()];
        int[] n = {0};
        table.forEach((prefix, length, nextHop) -> keys[n[0]++] = (long) length << 32 | (prefix & 0xFFFF_FFFFL));
        Arrays.sort(keys);
        StringBuilder line = new StringBuilder(64);
        for (long key : keys) {
            int prefix = (int) key;
            int length = (int) (key >>> 32);
            long hop = hops.get(table.get(prefix, length));
            int flags = NextHopTable.flags(hop);
            line.setLength(0);
            if ((flags & NextHopTable.FLAG_BLACKHOLE) != 0) {
                line.append("blackhole ");
            } else if ((flags & NextHopTable.FLAG_LOCAL) != 0) {
                line.append("local ");
            }
            line.append(Ipv4Address.toString(prefix, length));
            if ((flags & NextHopTable.FLAG_BLACKHOLE) == 0) {
                if (NextHopTable.gateway(hop) != NextHopTable.NO_GATEWAY) {
                    line.append(" via ").append(Ipv4Address.toString(NextHopTable.gateway(hop)));
                }
                line.append(" dev ").append(portNames.apply(NextHopTable.port(hop)));
            }
            out.append(line).append('\n');
        }
        out.flush();
        return keys.length;
    }

    /** Whitespace-separated tokens of one line, up to a '#'. No copies until {@link #token()}. */
    private static final class Tokens {
        String line;
        int limit;
        int start;
        int end;

        void reset(String s) {
            line = s;
            int hash = s.indexOf('#');
            limit = hash < 0 ? s.length() : hash;
            end = 0;
        }

        boolean next() {
            int i = end;
            while (i < limit && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i == limit) {
                start = end = limit;
                return false;
            }
            start = i;
            while (i < limit && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            end = i;
            return true;
        }

        boolean is(String word) {
            return end - start == word.length() && line.regionMatches(start, word, 0, word.length());
        }

        int indexOf(char c) {
            for (int i = start; i < end; i++) {
                if (line.charAt(i) == c) {
                    return i;
                }
            }
            return -1;
        }

        String token() {
            return line.substring(start, end);
        }
    }
}
