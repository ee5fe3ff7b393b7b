package io.sluice.engine.forward;

import java.nio.ByteBuffer;

/**
 * Frames built byte by byte for the forwarder's tests, with checksums computed here, independently of the
 * engine's wire code (RFC 1071 over a byte array).
 */
final class Frames {
    static final int ETH_IPV4 = 0x0800;
    static final int ETH_ARP = 0x0806;

    private Frames() {
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static int checksum(byte[] d, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((d[off + i] & 0xFF) << 8) | (d[off + i + 1] & 0xFF);
        }
        if ((len & 1) != 0) {
            sum += (d[off + len - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static void mac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (mac >>> (8 * i)));
        }
    }

    static long mac(byte[] f, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (f[off + i] & 0xFF);
        }
        return m;
    }

    static int u16(byte[] f, int off) {
        return (f[off] & 0xFF) << 8 | (f[off + 1] & 0xFF);
    }

    static int u32(byte[] f, int off) {
        return u16(f, off) << 16 | u16(f, off + 2);
    }

    /** An ARP frame (padded to 60 bytes). */
    static byte[] arp(long dstMac, long srcMac, int op, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(60);
        mac(b, dstMac);
        mac(b, srcMac);
        b.putShort((short) ETH_ARP);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        mac(b, sha);
        b.putInt(spa);
        mac(b, tha);
        b.putInt(tpa);
        return b.array();
    }

    /** An Ethernet + IPv4 frame carrying {@code payload} with protocol {@code proto}. */
    static byte[] ipv4(long dstMac, long srcMac, int src, int dst, int ttl, int proto, int flagsFrag, int id,
                       byte[] payload) {
        int total = 20 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, 14 + total));
        mac(b, dstMac);
        mac(b, srcMac);
        b.putShort((short) ETH_IPV4);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) id).putShort((short) flagsFrag);
        b.put((byte) ttl).put((byte) proto).putShort((short) 0).putInt(src).putInt(dst);
        b.put(payload);
        byte[] f = b.array();
        int c = checksum(f, 14, 20);
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
        return f;
    }

    /** Recomputes the IP header checksum of a frame after a test changed the header. */
    static void fixIpChecksum(byte[] f) {
        int hl = (f[14] & 0x0F) * 4;
        f[24] = 0;
        f[25] = 0;
        int c = checksum(f, 14, hl);
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
    }

    /** A UDP datagram (checksum 0: none) of {@code dataLength} patterned bytes. */
    static byte[] udp(int srcPort, int dstPort, int dataLength) {
        ByteBuffer b = ByteBuffer.allocate(8 + dataLength);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + dataLength)).putShort((short) 0);
        for (int i = 0; i < dataLength; i++) {
            b.put((byte) (i * 7 + 3));
        }
        return b.array();
    }

    /** An ICMP echo request with {@code dataLength} bytes of data. */
    static byte[] echoRequest(int id, int seq, int dataLength) {
        byte[] m = new byte[8 + dataLength];
        m[0] = 8;
        m[4] = (byte) (id >>> 8);
        m[5] = (byte) id;
        m[6] = (byte) (seq >>> 8);
        m[7] = (byte) seq;
        for (int i = 0; i < dataLength; i++) {
            m[8 + i] = (byte) i;
        }
        int c = checksum(m, 0, m.length);
        m[2] = (byte) (c >>> 8);
        m[3] = (byte) c;
        return m;
    }

    /** A UDP datagram carrying {@code data}, with its checksum over the IPv4 pseudo-header (RFC 768). */
    static byte[] udp(int src, int dst, int srcPort, int dstPort, byte[] data) {
        int length = 8 + data.length;
        byte[] pseudo = ByteBuffer.allocate(12 + length + 1).putInt(src).putInt(dst).put((byte) 0).put((byte) 17)
            .putShort((short) length).putShort((short) srcPort).putShort((short) dstPort).putShort((short) length)
            .putShort((short) 0).put(data).array();
        int c = checksum(pseudo, 0, 12 + length);
        if (c == 0) {
            c = 0xFFFF; // RFC 768: a computed zero is sent as all ones
        }
        return ByteBuffer.allocate(length).putShort((short) srcPort).putShort((short) dstPort).putShort((short) length)
            .putShort((short) c).put(data).array();
    }

    /** A TCP segment (a 20-byte header, ACK|PSH) carrying {@code data}, its checksum over the pseudo-header. */
    static byte[] tcp(int src, int dst, int srcPort, int dstPort, byte[] data) {
        int length = 20 + data.length;
        ByteBuffer seg = ByteBuffer.allocate(length).putShort((short) srcPort).putShort((short) dstPort)
            .putInt(1000).putInt(2000).put((byte) 0x50).put((byte) 0x18).putShort((short) 65535).putShort((short) 0)
            .putShort((short) 0).put(data);
        byte[] t = seg.array();
        byte[] pseudo = ByteBuffer.allocate(12 + length + 1).putInt(src).putInt(dst).put((byte) 0).put((byte) 6)
            .putShort((short) length).put(t).array();
        int c = checksum(pseudo, 0, 12 + length);
        t[16] = (byte) (c >>> 8);
        t[17] = (byte) c;
        return t;
    }

    /** {@code n} patterned bytes. */
    static byte[] data(int n, int seed) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i * 31 + seed);
        }
        return d;
    }
}
