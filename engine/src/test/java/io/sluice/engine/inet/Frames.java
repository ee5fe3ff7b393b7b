package io.sluice.engine.inet;

import static io.sluice.engine.pbuf.PbufHandle.NULL;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.Pbufs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Test frames built on {@code byte[]} with no production code: Ethernet + IPv4 (+ UDP) frames with correct
 * checksums, and an independent oracle of RFC 791 fragmentation to compare the {@link Fragmenter} with.
 */
final class Frames {
    static final int ETH = 14;
    static final int UDP = 17;
    static final int MF = 0x2000;
    static final int DF = 0x4000;

    /** No options. */
    static final byte[] NO_OPTIONS = {};
    /** Loose source route (copied, 0x83), 11 bytes, then End of Option List: 12 bytes, all kept. */
    static final byte[] COPIED_OPTIONS = {
        (byte) 0x83, 11, 4, 10, 0, 0, 1, 10, 0, 0, 2, 0};
    /**
     * NOP, record route (0x07, not copied), security (0x82, copied), timestamp (0x44, not copied), EOL:
     * 36 bytes; later fragments keep the 11 bytes of security and one EOL of padding.
     */
    static final byte[] MIXED_OPTIONS = {
        1,
        7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0,
        (byte) 0x82, 11, 0x12, 0x34, 0x56, 0x78, (byte) 0x9A, 0x11, 0x22, 0x33, 0x44,
        0x44, 12, 5, 0, 0, 0, 0, 1, 0, 0, 0, 2,
        0};
    /** 40 bytes (IHL 15): a loose source route of 9 addresses and EOL. */
    static final byte[] MAX_COPIED_OPTIONS = maxCopied();
    /** 40 bytes of options none of which is copied: later fragments have a 20-byte header. */
    static final byte[] NON_COPIED_OPTIONS = nonCopied();

    private Frames() {
    }

    private static byte[] maxCopied() {
        byte[] o = new byte[40];
        o[0] = (byte) 0x83;
        o[1] = 39;
        o[2] = 4;
        for (int k = 3; k < 39; k++) {
            o[k] = (byte) (k * 7);
        }
        o[39] = 0;
        return o;
    }

    private static byte[] nonCopied() {
        byte[] o = new byte[40];
        o[0] = 1;
        o[1] = 7;
        o[2] = 35;
        o[3] = 4;
        Arrays.fill(o, 37, 40, (byte) 1); // NOP, NOP, NOP
        return o;
    }

    // ---------------------------------------------------------------------------------------------

    static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    /** RFC 1071, the plain way: big-endian 16-bit words, a last odd byte padded on the right. */
    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int k = 0; k + 1 < len; k += 2) {
            sum += u16(b, off + k);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xFF) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static int ihlBytes(byte[] frame, int l3) {
        return (frame[l3] & 0x0F) * 4;
    }

    /**
     * A frame: Ethernet header, IPv4 header with {@code options} (a multiple of 4 bytes), and
     * {@code ipPayload} bytes: a UDP datagram with a correct checksum when {@code protocol} is UDP and there
     * is room for its header, otherwise random bytes.
     */
    static byte[] datagram(byte[] options, int ipPayload, int id, int protocol, int flags, long seed) {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("options " + options.length);
        }
        Random r = new Random(seed);
        int hlen = 20 + options.length;
        byte[] f = new byte[ETH + hlen + ipPayload];
        byte[] mac = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
        System.arraycopy(mac, 0, f, 0, 12);
        put16(f, 12, 0x0800);
        int ip = ETH;
        f[ip] = (byte) (0x40 | hlen / 4);
        f[ip + 1] = (byte) 0xB8; // DSCP EF
        put16(f, ip + 2, hlen + ipPayload);
        put16(f, ip + 4, id);
        put16(f, ip + 6, flags);
        f[ip + 8] = 63;
        f[ip + 9] = (byte) protocol;
        byte[] srcIp = {(byte) 192, 0, 2, 1};
        byte[] dstIp = {(byte) 198, 51, 100, 7};
        System.arraycopy(srcIp, 0, f, ip + 12, 4);
        System.arraycopy(dstIp, 0, f, ip + 16, 4);
        System.arraycopy(options, 0, f, ip + 20, options.length);
        put16(f, ip + 10, checksum(f, ip, hlen));
        int l4 = ip + hlen;
        for (int k = l4; k < f.length; k++) {
            f[k] = (byte) r.nextInt();
        }
        if (protocol == UDP && ipPayload >= 8) {
            put16(f, l4, 40000 + r.nextInt(1000));
            put16(f, l4 + 2, 53);
            put16(f, l4 + 4, ipPayload);
            put16(f, l4 + 6, 0);
            // Pseudo-header + UDP header and data, summed as one buffer.
            byte[] pseudo = new byte[12 + ipPayload];
            System.arraycopy(f, ip + 12, pseudo, 0, 8);
            pseudo[9] = (byte) UDP;
            put16(pseudo, 10, ipPayload);
            System.arraycopy(f, l4, pseudo, 12, ipPayload);
            int c = checksum(pseudo, 0, pseudo.length);
            put16(f, l4 + 6, c == 0 ? 0xFFFF : c);
        }
        return f;
    }

    /**
     * The fragments RFC 791 makes of {@code frame} for {@code mtu}: pieces of the most 8-byte units that fit,
     * the first with the whole header, the others with the copied options only (NOP not copied, EOL ends the
     * list, EOL padding to 4), offsets relative to the original's, the last with the original's MF.
     */
    static List<byte[]> fragmentOracle(byte[] frame, int l3, int mtu) {
        int hlen = ihlBytes(frame, l3);
        int total = u16(frame, l3 + 2);
        int payload = total - hlen;
        byte[] copied = new byte[40];
        int c = 0;
        int i = l3 + 20;
        int optEnd = l3 + hlen;
        while (i < optEnd) {
            int type = u8(frame, i);
            if (type == 0) {
                break;
            }
            if (type == 1) {
                i++;
                continue;
            }
            if (i + 1 >= optEnd) {
                break;
            }
            int len = u8(frame, i + 1);
            if (len < 2 || i + len > optEnd) {
                break;
            }
            if ((type & 0x80) != 0) {
                System.arraycopy(frame, i, copied, c, len);
                c += len;
            }
            i += len;
        }
        int restHlen = 20 + (c + 3) / 4 * 4;
        int flags = u16(frame, l3 + 6);
        int baseUnits = flags & 0x1FFF;
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        boolean first = true;
        while (pos < payload) {
            int h = first ? hlen : restHlen;
            int room = (mtu - h) / 8 * 8;
            int chunk = Math.min(room, payload - pos);
            boolean last = pos + chunk == payload;
            byte[] f = new byte[l3 + h + chunk];
            System.arraycopy(frame, 0, f, 0, l3 + 20);
            if (first) {
                System.arraycopy(frame, l3 + 20, f, l3 + 20, hlen - 20);
            } else {
                System.arraycopy(copied, 0, f, l3 + 20, c); // the rest stays 0: EOL
                f[l3] = (byte) (0x40 | h / 4);
            }
            put16(f, l3 + 2, h + chunk);
            int mf = last ? flags & MF : MF;
            put16(f, l3 + 6, flags & 0xC000 | mf | baseUnits + pos / 8);
            put16(f, l3 + 10, 0);
            put16(f, l3 + 10, checksum(f, l3, h));
            System.arraycopy(frame, l3 + hlen + pos, f, l3 + h, chunk);
            out.add(f);
            pos += chunk;
            first = false;
        }
        return out;
    }

    /**
     * A fragment of {@code frame} cut by hand: its header (all options kept), payload bytes
     * {@code [off, off + len)} of the original's payload, the given MF, offset {@code off / 8}, checksum right.
     * Offsets need not be multiples of 8 in the payload copy, but the field holds {@code off / 8}.
     */
    static byte[] cut(byte[] frame, int l3, int off, int len, boolean mf) {
        int hlen = ihlBytes(frame, l3);
        byte[] f = new byte[l3 + hlen + len];
        System.arraycopy(frame, 0, f, 0, l3 + hlen);
        System.arraycopy(frame, l3 + hlen + off, f, l3 + hlen, len);
        put16(f, l3 + 2, hlen + len);
        put16(f, l3 + 6, u16(frame, l3 + 6) & 0xC000 | (mf ? MF : 0) | off / 8);
        fixChecksum(f, l3);
        return f;
    }

    static void fixChecksum(byte[] f, int l3) {
        put16(f, l3 + 10, 0);
        put16(f, l3 + 10, checksum(f, l3, ihlBytes(f, l3)));
    }

    /** Sets the identification (and fixes the checksum). */
    static byte[] withId(byte[] f, int l3, int id) {
        byte[] g = f.clone();
        put16(g, l3 + 4, id);
        fixChecksum(g, l3);
        return g;
    }

    /** The frame in a chain of {@code Layer.RAW} pbufs, filled from the first byte, as a port receives it. */
    static int toPbuf(Pbufs p, byte[] frame) {
        int h = p.alloc(Layer.RAW, frame.length);
        if (h == NULL) {
            throw new IllegalStateException("pool empty");
        }
        p.copyback(h, 0, frame, 0, frame.length);
        return h;
    }

    /**
     * The frame in a chain of odd layout: pieces of random sizes at random layers, joined with {@link
     * Pbufs#cat}, so that headers and payload straddle pbufs at odd offsets.
     */
    static int toOddPbuf(Pbufs p, byte[] frame, Random r) {
        int firstLen = Math.min(frame.length, 14 + 20 + 40 + r.nextInt(300));
        int h = p.alloc(Layer.values()[r.nextInt(Layer.values().length)], firstLen);
        p.copyback(h, 0, frame, 0, firstLen);
        int at = firstLen;
        while (at < frame.length) {
            int n = Math.min(frame.length - at, 1 + r.nextInt(r.nextBoolean() ? 40 : 900));
            int piece = p.alloc(Layer.values()[r.nextInt(Layer.values().length)], n);
            p.copyback(piece, 0, frame, at, n);
            p.cat(h, piece);
            at += n;
        }
        return h;
    }
}
