package io.sluice.engine.wire;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/** Test helpers: a byte-at-a-time reference checksum, hex, and pbuf chains cut where a test says. */
final class WireTestSupport {
    private WireTestSupport() {
    }

    /** RFC 1071 as written: big-endian 16-bit words, end-around carry after each addition, no cleverness. */
    static int referenceSum(byte[] data, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = data[off + i] & 0xFF;
            int lo = i + 1 < len ? data[off + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
            if (sum > 0xFFFF) {
                sum = (sum & 0xFFFF) + 1;
            }
        }
        return sum;
    }

    static int referenceChecksum(byte[] data, int off, int len) {
        return ~referenceSum(data, off, len) & 0xFFFF;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** A heap segment of exactly these bytes: any read past them throws. */
    static MemorySegment segmentOf(byte[] bytes) {
        return MemorySegment.ofArray(bytes.clone());
    }

    /** An off-heap segment of exactly these bytes, in {@code arena}. */
    static MemorySegment nativeSegmentOf(Arena arena, byte[] bytes) {
        MemorySegment seg = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, bytes.length);
        return seg.asSlice(0, bytes.length);
    }

    /**
     * A packet holding {@code data} in pbufs of the given lengths (each 1..PHLEN; the last one takes what is
     * left). Each piece is placed at the end of its slot, so that {@code cat} links the pbufs instead of
     * copying them into the previous one's tailroom, and so that pieces start at odd and even addresses.
     *
     * @return the chain; the caller frees it
     */
    static int chain(Pbufs p, byte[] data, int... pieceLengths) {
        int done = 0;
        int head = PbufHandle.NULL;
        for (int k = 0; done < data.length || head == PbufHandle.NULL; k++) {
            int n = k < pieceLengths.length ? Math.min(pieceLengths[k], data.length - done) : data.length - done;
            n = Math.min(n, PHLEN);
            int h = head == PbufHandle.NULL ? p.getHdr(PbufType.DATA, Layer.RAW) : p.get(PbufType.DATA);
            if (h == PbufHandle.NULL) {
                p.freem(head);
                throw new IllegalStateException("pool empty");
            }
            p.reserve(h, PHLEN - n);
            p.setLen(h, n);
            MemorySegment.copy(MemorySegment.ofArray(data), done, p.segment(), p.address(h), n);
            if (head == PbufHandle.NULL) {
                p.setPktLen(h, n);
                head = h;
            } else {
                p.cat(head, h);
            }
            done += n;
        }
        return head;
    }
}
