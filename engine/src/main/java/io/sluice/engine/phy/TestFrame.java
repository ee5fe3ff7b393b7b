package io.sluice.engine.phy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The frames that {@link SyntheticPort} generates and checks: Ethernet II, IPv4 (20 bytes, valid checksum,
 * DF, TTL 64, UDP), UDP (checksum 0, allowed over IPv4) from source port {@code 1024 + flow} to port 9, and a
 * pktgen-style payload: magic, sequence number and send timestamp.
 *
 * <pre>
 *   0      6      12   14          34       42      46     50             58
 *   +------+------+----+-----------+--------+-------+------+--------------+--------
 *   | dst  | src  |0800| IPv4      | UDP    | magic | seq  | timestamp ns | padding
 *   +------+------+----+-----------+--------+-------+------+--------------+--------
 * </pre>
 *
 * Addresses come from the benchmarking range of RFC 2544 (198.18.0.0/15); frames never leave the process
 * unless a real port sends them.
 */
public final class TestFrame {
    public static final int MAGIC = 0xbe9be955; // the Linux pktgen's magic
    public static final int MIN_SIZE = 60;      // Ethernet minimum without the FCS
    public static final int MAX_SIZE = 1514;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final int IP_OFFSET = 14;
    public static final int UDP_OFFSET = 34;
    public static final int UDP_SRC_PORT_OFFSET = UDP_OFFSET;
    public static final int MAGIC_OFFSET = 42;
    public static final int SEQ_OFFSET = 46;
    public static final int TIMESTAMP_OFFSET = 50;
    public static final int FIRST_FLOW_PORT = 1024;

    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private TestFrame() {
    }

    /** A template frame of {@code size} bytes; flow, sequence and timestamp are patched per packet. */
    public static byte[] template(int size, byte[] dstMac, byte[] srcMac, int srcIp, int dstIp) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("frame size=" + size + " must be in " + MIN_SIZE + ".." + MAX_SIZE);
        }
        byte[] f = new byte[size];
        MemorySegment s = MemorySegment.ofArray(f);
        MemorySegment.copy(dstMac, 0, s, ValueLayout.JAVA_BYTE, 0, 6);
        MemorySegment.copy(srcMac, 0, s, ValueLayout.JAVA_BYTE, 6, 6);
        s.set(SHORT_BE, ETHERTYPE_OFFSET, (short) 0x0800);
        int ipLen = size - IP_OFFSET;
        s.set(ValueLayout.JAVA_BYTE, IP_OFFSET, (byte) 0x45);
        s.set(SHORT_BE, IP_OFFSET + 2, (short) ipLen);
        s.set(SHORT_BE, IP_OFFSET + 6, (short) 0x4000);
        s.set(ValueLayout.JAVA_BYTE, IP_OFFSET + 8, (byte) 64);
        s.set(ValueLayout.JAVA_BYTE, IP_OFFSET + 9, (byte) 17);
        s.set(INT_BE, IP_OFFSET + 12, srcIp);
        s.set(INT_BE, IP_OFFSET + 16, dstIp);
        s.set(SHORT_BE, IP_OFFSET + 10, (short) ipv4HeaderChecksum(f, IP_OFFSET));
        s.set(SHORT_BE, UDP_OFFSET, (short) FIRST_FLOW_PORT);
        s.set(SHORT_BE, UDP_OFFSET + 2, (short) 9);
        s.set(SHORT_BE, UDP_OFFSET + 4, (short) (ipLen - 20));
        s.set(INT_BE, MAGIC_OFFSET, MAGIC);
        return f;
    }

    /** The one's-complement checksum of a 20-byte IPv4 header whose checksum field is zero. */
    public static int ipv4HeaderChecksum(byte[] b, int off) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    static void patch(MemorySegment seg, long frame, int flow, int seq, long timestamp) {
        seg.set(SHORT_BE, frame + UDP_SRC_PORT_OFFSET, (short) (FIRST_FLOW_PORT + flow));
        seg.set(INT_BE, frame + SEQ_OFFSET, seq);
        seg.set(LONG_BE, frame + TIMESTAMP_OFFSET, timestamp);
    }

    static int magic(MemorySegment seg, long frame) {
        return seg.get(INT_BE, frame + MAGIC_OFFSET);
    }

    static int seq(MemorySegment seg, long frame) {
        return seg.get(INT_BE, frame + SEQ_OFFSET);
    }

    static long timestamp(MemorySegment seg, long frame) {
        return seg.get(LONG_BE, frame + TIMESTAMP_OFFSET);
    }

    static int flow(MemorySegment seg, long frame) {
        return (seg.get(SHORT_BE, frame + UDP_SRC_PORT_OFFSET) & 0xFFFF) - FIRST_FLOW_PORT;
    }
}
