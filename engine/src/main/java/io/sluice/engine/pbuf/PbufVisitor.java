package io.sluice.engine.pbuf;

import java.lang.foreign.MemorySegment;

/**
 * Visits the bytes of a chain piece by piece, without linearising it ({@link Pbufs#apply}). A checksum is
 * the typical visitor: it folds each piece into the accumulator it is handed and returns the new one.
 * Non-capturing lambdas allocate nothing.
 */
@FunctionalInterface
public interface PbufVisitor {
    /**
     * @param segment the arena
     * @param offset  offset in {@code segment} of the piece's first byte
     * @param length  bytes in the piece
     * @param acc     the value returned for the previous piece, or the initial value
     * @param pieceStart offset of the piece's first byte within the visited range (for odd-offset checksums)
     * @return the accumulator for the next piece
     */
    long visit(MemorySegment segment, long offset, int length, long acc, int pieceStart);
}
