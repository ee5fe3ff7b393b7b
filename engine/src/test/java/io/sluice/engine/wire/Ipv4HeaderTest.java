package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Golden bytes in and out, and one test per check result (RFC 1812 5.2.2). */
class Ipv4HeaderTest {
    /** 10.0.0.1 -> 10.0.0.2, ICMP, TTL 64, id 0x1c46, DF, total length 60, checksum 0x0a79. */
    static final String HEADER = "4500003c1c46400040010a790a0000010a000002";

    @Test
    void readsEveryFieldOfARealHeader() {
        MemorySegment seg = segmentOf(hex(HEADER + "00".repeat(40)));
        assertEquals(WireError.OK, Ipv4Header.check(seg, 0, 60));
        assertEquals(4, Ipv4Header.version(seg, 0));
        assertEquals(5, Ipv4Header.ihl(seg, 0));
        assertEquals(20, Ipv4Header.headerLength(seg, 0));
        assertEquals(0, Ipv4Header.optionsLength(seg, 0));
        assertEquals(0, Ipv4Header.tos(seg, 0));
        assertEquals(60, Ipv4Header.totalLength(seg, 0));
        assertEquals(0x1C46, Ipv4Header.identification(seg, 0));
        assertEquals(0x4000, Ipv4Header.flagsFragment(seg, 0));
        assertTrue(Ipv4Header.dontFragment(seg, 0));
        assertFalse(Ipv4Header.moreFragments(seg, 0));
        assertFalse(Ipv4Header.isFragment(seg, 0));
        assertEquals(0, Ipv4Header.fragmentOffset(seg, 0));
        assertEquals(64, Ipv4Header.ttl(seg, 0));
        assertEquals(Ipv4Header.PROTOCOL_ICMP, Ipv4Header.protocol(seg, 0));
        assertEquals(0x0A79, Ipv4Header.checksum(seg, 0));
        assertEquals(0x0A000001, Ipv4Header.src(seg, 0));
        assertEquals(0x0A000002, Ipv4Header.dst(seg, 0));
        assertTrue(Ipv4Header.verifyChecksum(seg, 0));
    }

    @Test
    void writeProducesTheGoldenBytes() {
        MemorySegment seg = MemorySegment.ofArray(new byte[22]);
        seg.fill((byte) 0xDB); // stale bytes must not matter
        int n = Ipv4Header.write(seg, 1, 0, 60, 0x1C46, Ipv4Header.FLAG_DF, 64, Ipv4Header.PROTOCOL_ICMP,
            Ipv4Address.of(10, 0, 0, 1), Ipv4Address.of(10, 0, 0, 2));
        assertEquals(20, n);
        assertArrayEquals(hex("db" + HEADER + "db"), seg.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void dscpEcnAndFragmentFields() {
        MemorySegment seg = segmentOf(hex(HEADER));
        Ipv4Header.setTos(seg, 0, 46 << 2 | 1); // EF, ECT(1)
        Ipv4Header.setFlagsFragment(seg, 0, Ipv4Header.FLAG_MF | 185); // offset 1480 bytes
        assertEquals(46, Ipv4Header.dscp(seg, 0));
        assertEquals(1, Ipv4Header.ecn(seg, 0));
        assertTrue(Ipv4Header.moreFragments(seg, 0));
        assertFalse(Ipv4Header.dontFragment(seg, 0));
        assertEquals(1480, Ipv4Header.fragmentOffset(seg, 0));
        assertTrue(Ipv4Header.isFragment(seg, 0));
        Ipv4Header.setFlagsFragment(seg, 0, 185); // the last fragment: offset only
        assertTrue(Ipv4Header.isFragment(seg, 0));
        assertFalse(Ipv4Header.verifyChecksum(seg, 0), "setters leave the checksum to the caller");
        Ipv4Header.fillChecksum(seg, 0);
        assertTrue(Ipv4Header.verifyChecksum(seg, 0));
    }

    @Test
    void aHeaderWithOptionsIsCheckedOverItsWholeLength() {
        // IHL 6: a 4-byte option (NOP NOP NOP EOL) that the checksum covers.
        MemorySegment seg = MemorySegment.ofArray(new byte[30]);
        Ipv4Header.write(seg, 0, 0, 30, 1, 0, 64, Ipv4Header.PROTOCOL_UDP, 0x0A000001, 0x0A000002);
        seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x46);
        seg.set(NetworkOrder.U32, 20, 0x01010100);
        Ipv4Header.fillChecksum(seg, 0);
        assertEquals(WireError.OK, Ipv4Header.check(seg, 0, 30));
        assertEquals(24, Ipv4Header.headerLength(seg, 0));
        assertEquals(4, Ipv4Header.optionsLength(seg, 0));
        seg.set(ValueLayout.JAVA_BYTE, 22, (byte) 0x44); // corrupt the option: the checksum must see it
        assertEquals(WireError.IP_BAD_CHECKSUM, Ipv4Header.check(seg, 0, 30));
    }

    @Test
    void eachMalformationHasItsOwnResult() {
        assertEquals(WireError.IP_TOO_SHORT, check(HEADER.substring(0, 38), 19));
        assertEquals(WireError.IP_TOO_SHORT, Ipv4Header.check(segmentOf(new byte[0]), 0, 0));
        assertEquals(WireError.IP_BAD_VERSION, check("65" + HEADER.substring(2), 60));
        assertEquals(WireError.IP_BAD_IHL, check("44" + HEADER.substring(2), 60));
        assertEquals(WireError.IP_BAD_IHL, check("40" + HEADER.substring(2), 60));
        // IHL 15 (60 bytes) with only 40 received.
        assertEquals(WireError.IP_HEADER_TRUNCATED, check("4f" + HEADER.substring(2) + "00".repeat(20), 40));
        assertEquals(WireError.IP_BAD_CHECKSUM, check(HEADER.substring(0, 20) + "0a78" + HEADER.substring(24), 60));
        assertEquals(WireError.IP_BAD_TOTAL_LENGTH, checkFixed(HEADER, 19, 60));
        assertEquals(WireError.IP_TRUNCATED, checkFixed(HEADER, 61, 60));
        assertEquals(WireError.OK, checkFixed(HEADER, 20, 60), "a header with no payload");
        assertEquals(WireError.OK, checkFixed(HEADER, 46, 60), "Ethernet padding after the datagram is allowed");
    }

    @Test
    void decrementTtlWritesTheGoldenBytes() {
        MemorySegment seg = segmentOf(hex(HEADER));
        Ipv4Header.decrementTtl(seg, 0);
        assertArrayEquals(hex("4500003c1c4640003f010b790a0000010a000002"), seg.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void settersWriteNetworkOrder() {
        MemorySegment seg = MemorySegment.ofArray(new byte[20]);
        Ipv4Header.setSrc(seg, 0, Ipv4Address.parse("192.168.0.1"));
        Ipv4Header.setDst(seg, 0, Ipv4Address.parse("255.254.253.252"));
        Ipv4Header.setTotalLength(seg, 0, 0xABCD);
        Ipv4Header.setProtocol(seg, 0, 17);
        Ipv4Header.setTtl(seg, 0, 255);
        assertArrayEquals(hex("0000abcd00000000ff110000c0a80001fffefdfc"), seg.toArray(ValueLayout.JAVA_BYTE));
    }

    /** The header in a segment of exactly {@code available} bytes (padded with zeros), so reads past it throw. */
    private static WireError check(String hexBytes, int available) {
        byte[] b = java.util.Arrays.copyOf(hex(hexBytes), available);
        return Ipv4Header.check(segmentOf(b), 0, available);
    }

    /** The header with its total length set to {@code totalLength} and its checksum fixed. */
    private static WireError checkFixed(String hexBytes, int totalLength, int available) {
        byte[] b = java.util.Arrays.copyOf(hex(hexBytes), available);
        MemorySegment seg = segmentOf(b);
        Ipv4Header.setTotalLength(seg, 0, totalLength);
        Ipv4Header.fillChecksum(seg, 0);
        return Ipv4Header.check(seg, 0, available);
    }
}
