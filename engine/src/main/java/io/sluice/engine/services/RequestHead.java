package io.sluice.engine.services;

/**
 * The parts of an HTTP/1.x request head (RFC 9112 2 to 3, 9.3) that {@link HttpServer} acts on, read in place from
 * the connection's head buffer: no Strings, no regular expressions, so a request costs no allocation. One per
 * connection, reused for each request. Lines end in CR LF or in a bare LF, which RFC 9112 2.2 lets a recipient
 * take as a line terminator.
 */
final class RequestHead {
    static final int GET = 1;
    static final int HEAD = 2;
    /** A well-formed method this server does not serve (405). */
    static final int OTHER = 3;

    private static final byte[] HTTP_10 = ascii("HTTP/1.0");
    private static final byte[] HTTP_11 = ascii("HTTP/1.1");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");
    private static final byte[] ZERO = ascii("0");

    private final byte[] b;
    int method;
    /** Whether the connection persists after the answer (RFC 9112 9.3). */
    boolean keepAlive;
    private int targetFrom;
    private int targetTo;

    RequestHead(byte[] head) {
        this.b = head;
    }

    /** The end of the head (just past its empty line) within the first {@code len} bytes, or -1. */
    int end(int len) {
        for (int i = 1; i < len; i++) {
            if (b[i] == '\n' && (b[i - 1] == '\n' || b[i - 1] == '\r' && i >= 2 && b[i - 2] == '\n')) {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * Reads the head in {@code [0, end)}, which {@link #end} found.
     *
     * @return false when the request line is not {@code METHOD SP /target SP HTTP/1.x} (a 400)
     */
    boolean parse(int end) {
        int eol = indexOf(0, end, '\n');
        int lineTo = eol > 0 && b[eol - 1] == '\r' ? eol - 1 : eol;
        int sp1 = indexOf(0, lineTo, ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(sp1 + 1, lineTo, ' ');
        if (sp2 < 0 || indexOf(sp2 + 1, lineTo, ' ') >= 0 || !upperLetters(0, sp1) || sp2 == sp1 + 1
            || b[sp1 + 1] != '/') {
            return false;
        }
        boolean http11 = equals(sp2 + 1, lineTo, HTTP_11);
        if (!http11 && !equals(sp2 + 1, lineTo, HTTP_10)) {
            return false;
        }
        method = sp1 == 3 && b[0] == 'G' && b[1] == 'E' && b[2] == 'T' ? GET
            : sp1 == 4 && b[0] == 'H' && b[1] == 'E' && b[2] == 'A' && b[3] == 'D' ? HEAD : OTHER;
        targetFrom = sp1 + 1;
        targetTo = sp2;
        keepAlive = http11;
        for (int from = eol + 1; from < end; ) {
            int nl = indexOf(from, end, '\n');
            header(from, nl > from && b[nl - 1] == '\r' ? nl - 1 : nl);
            from = nl + 1;
        }
        return true;
    }

    /** One header line, {@code [from, to)} without its terminator: Connection, and bodies this server skips. */
    private void header(int from, int to) {
        int colon = indexOf(from, to, ':');
        if (colon <= from) {
            return; // no name: not a field this server reads
        }
        int nameFrom = skipSpace(from, colon);
        int nameTo = trimSpace(nameFrom, colon);
        int valueFrom = skipSpace(colon + 1, to);
        int valueTo = trimSpace(valueFrom, to);
        if (equalsIgnoreCase(nameFrom, nameTo, CONNECTION)) {
            if (contains(valueFrom, valueTo, CLOSE)) {
                keepAlive = false;
            } else if (contains(valueFrom, valueTo, KEEP_ALIVE)) {
                keepAlive = true;
            }
        } else if (equalsIgnoreCase(nameFrom, nameTo, CONTENT_LENGTH) && !equals(valueFrom, valueTo, ZERO)
            || equalsIgnoreCase(nameFrom, nameTo, TRANSFER_ENCODING)) {
            keepAlive = false; // a body this server does not read: answer, then close
        }
    }

    /** Whether the request target is {@code path}. */
    boolean targetIs(byte[] path) {
        return equals(targetFrom, targetTo, path);
    }

    /** N of a target {@code prefix} + N (1 to 15 decimal digits), or -1. */
    long targetCount(byte[] prefix) {
        int from = targetFrom + prefix.length;
        if (targetTo - targetFrom < prefix.length || !equals(targetFrom, from, prefix) || from == targetTo
            || targetTo - from > 15) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < targetTo; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            n = n * 10 + (b[i] - '0');
        }
        return n;
    }

    private int indexOf(int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private boolean upperLetters(int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 'A' || b[i] > 'Z') {
                return false;
            }
        }
        return to > from;
    }

    /** Past the spaces and controls at the start of {@code [from, to)} (String.trim's, in ISO-8859-1). */
    private int skipSpace(int from, int to) {
        while (from < to && (b[from] & 0xFF) <= ' ') {
            from++;
        }
        return from;
    }

    /** The end of {@code [from, to)} without its trailing spaces and controls. */
    private int trimSpace(int from, int to) {
        while (to > from && (b[to - 1] & 0xFF) <= ' ') {
            to--;
        }
        return to;
    }

    private boolean equals(int from, int to, byte[] s) {
        if (to - from != s.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (b[from + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    /** Against a lower-case ASCII {@code s}; no other ISO-8859-1 letter folds to ASCII. */
    private boolean equalsIgnoreCase(int from, int to, byte[] s) {
        return to - from == s.length && regionIgnoreCase(from, s);
    }

    private boolean contains(int from, int to, byte[] s) {
        for (int i = from; i <= to - s.length; i++) {
            if (regionIgnoreCase(i, s)) {
                return true;
            }
        }
        return false;
    }

    private boolean regionIgnoreCase(int at, byte[] s) {
        for (int i = 0; i < s.length; i++) {
            int c = b[at + i];
            if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != s[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
