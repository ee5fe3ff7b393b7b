package io.sluice.engine.services;

import java.lang.foreign.MemorySegment;

/**
 * The character generator's data (RFC 864): lines of 72 printable ASCII characters (codes 32 to 126, 95 of
 * them), each starting one character further along the 95 than the one before, ended by CR LF. After 95 lines
 * the pattern repeats, so it is 95 * 74 bytes long; it is built once, with {@code maxRun} more bytes of its
 * own beginning after its end, so that any run of up to {@code maxRun} bytes from any offset is one copy.
 */
final class ChargenPattern {
    static final int PRINTABLE = 95;
    static final int LINE = 72;
    static final int PERIOD = PRINTABLE * (LINE + 2);

    private final MemorySegment bytes;

    ChargenPattern(int maxRun) {
        byte[] b = new byte[PERIOD + maxRun];
        for (int i = 0; i < b.length; i++) {
            int at = i % PERIOD;
            int line = at / (LINE + 2);
            int col = at % (LINE + 2);
            b[i] = col == LINE ? (byte) '\r' : col == LINE + 1 ? (byte) '\n' : (byte) (' ' + (line + col) % PRINTABLE);
        }
        this.bytes = MemorySegment.ofArray(b);
    }

    /** The pattern (period {@link #PERIOD}, with the extra run after it). */
    MemorySegment segment() {
        return bytes;
    }
}
