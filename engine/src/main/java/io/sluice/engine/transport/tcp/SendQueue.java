package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;

/**
 * A connection's send queue (the bytes from SND.UNA on, one pbuf chain): append at the tail and find the byte a
 * segment starts at without walking the chain from its head each time. With a 256 KiB send buffer the queue is
 * some 560 pbufs; walking it to the end for every append and to SND.NXT for every segment made a bulk transfer
 * quadratic in the buffer (TcpBulkBenchmark: 53 % of the time in those walks). The queue keeps its last pbuf,
 * and a cursor: the pbuf the last segment was cut from and the offset of its first byte in the queue, which stays
 * valid until the bytes in front of it are acknowledged away.
 */
final class SendQueue {
    private SendQueue() {
    }

    /** Appends {@code chain} ({@code len} bytes) to the connection's queue. */
    static void append(Pbufs p, TcpConnection c, int chain, int len) {
        if (c.sndQueue == PbufHandle.NULL) {
            c.sndQueue = chain;
            c.sndQueueTail = p.last(chain);
        } else {
            c.sndQueueTail = p.catAfter(c.sndQueue, c.sndQueueTail, chain);
        }
        c.sndQueueLen += len;
    }

    /** Drops the first {@code n} bytes, acknowledged (0 < n <= the queue's length). */
    static void trim(Pbufs p, TcpConnection c, int n) {
        if (n == c.sndQueueLen) {
            clear(p, c);
            return;
        }
        c.sndQueue = p.adj(c.sndQueue, n);
        c.sndQueueLen -= n;
        // A cursor on a pbuf wholly behind the cut is untouched; one on a pbuf the cut freed or trimmed is not.
        if (c.sndCursor != PbufHandle.NULL && c.sndCursorStart >= n) {
            c.sndCursorStart -= n;
        } else {
            c.sndCursor = PbufHandle.NULL;
        }
    }

    /** Frees the whole queue. */
    static void clear(Pbufs p, TcpConnection c) {
        p.freem(c.sndQueue);
        c.sndQueue = PbufHandle.NULL;
        c.sndQueueTail = PbufHandle.NULL;
        c.sndCursor = PbufHandle.NULL;
        c.sndQueueLen = 0;
    }

    /**
     * Where byte {@code off} of the queue is, as {@link Pbufs#locate} answers ({@link Pbufs#locatedPbuf} and
     * {@link Pbufs#locatedOffset}), from the cursor when it is at or before it; the cursor moves there.
     *
     * @return -1 when the queue is shorter
     */
    static long locate(Pbufs p, TcpConnection c, int off) {
        int cur = c.sndQueue;
        int start = 0;
        if (c.sndCursor != PbufHandle.NULL && off >= c.sndCursorStart) {
            cur = c.sndCursor;
            start = c.sndCursorStart;
        }
        while (cur != PbufHandle.NULL) {
            int len = p.len(cur);
            if (off - start < len) {
                c.sndCursor = cur;
                c.sndCursorStart = start;
                return (long) cur << 32 | (off - start);
            }
            start += len;
            cur = p.next(cur);
        }
        return -1;
    }
}
