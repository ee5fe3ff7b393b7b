package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {
    static final String UNTAGGED = "ffffffffffff 020000000001 0806";
    static final String TAGGED = "0200000000aa 020000000001 8100 a064 0800";

    @Test
    void readsAnUntaggedHeader() {
        MemorySegment seg = segmentOf(hex(UNTAGGED));
        assertEquals(WireError.OK, EthernetFrame.check(seg, 0, 14));
        assertEquals(MacAddress.BROADCAST, EthernetFrame.dst(seg, 0));
        assertEquals(0x0200_0000_0001L, EthernetFrame.src(seg, 0));
        assertEquals(EthernetFrame.ETHERTYPE_ARP, EthernetFrame.ethertype(seg, 0));
        assertEquals(EthernetFrame.ETHERTYPE_ARP, EthernetFrame.payloadEthertype(seg, 0));
        assertFalse(EthernetFrame.isVlanTagged(seg, 0));
        assertEquals(14, EthernetFrame.headerLength(seg, 0));
    }

    @Test
    void readsAn8021QTag() {
        MemorySegment seg = segmentOf(hex(TAGGED));
        assertEquals(WireError.OK, EthernetFrame.check(seg, 0, 18));
        assertTrue(EthernetFrame.isVlanTagged(seg, 0));
        assertEquals(EthernetFrame.ETHERTYPE_VLAN, EthernetFrame.ethertype(seg, 0));
        assertEquals(0xA064, EthernetFrame.vlanTci(seg, 0));
        assertEquals(100, EthernetFrame.vlanId(seg, 0)); // PCP 5, DEI 0, VID 100
        assertEquals(EthernetFrame.ETHERTYPE_IPV4, EthernetFrame.payloadEthertype(seg, 0));
        assertEquals(18, EthernetFrame.headerLength(seg, 0));
    }

    @Test
    void runtsAreNamed() {
        assertEquals(WireError.ETH_TOO_SHORT, EthernetFrame.check(segmentOf(new byte[13]), 0, 13));
        assertEquals(WireError.ETH_TOO_SHORT, EthernetFrame.check(segmentOf(new byte[0]), 0, 0));
        byte[] tagged = hex(TAGGED);
        assertEquals(WireError.ETH_VLAN_TOO_SHORT,
            EthernetFrame.check(segmentOf(java.util.Arrays.copyOf(tagged, 17)), 0, 17));
        assertEquals(WireError.ETH_VLAN_TOO_SHORT,
            EthernetFrame.check(segmentOf(java.util.Arrays.copyOf(tagged, 14)), 0, 14));
    }

    @Test
    void writeProducesTheGoldenBytes() {
        MemorySegment seg = MemorySegment.ofArray(new byte[14]);
        assertEquals(14, EthernetFrame.write(seg, 0, MacAddress.BROADCAST, 0x0200_0000_0001L, EthernetFrame.ETHERTYPE_ARP));
        assertArrayEquals(hex(UNTAGGED), seg.toArray(ValueLayout.JAVA_BYTE));
        MemorySegment tagged = MemorySegment.ofArray(new byte[18]);
        assertEquals(18, EthernetFrame.writeTagged(tagged, 0, 0x0200_0000_00AAL, 0x0200_0000_0001L, 0xA064,
            EthernetFrame.ETHERTYPE_IPV4));
        assertArrayEquals(hex(TAGGED), tagged.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void settersRewriteAddressesInPlace() {
        MemorySegment seg = segmentOf(hex(UNTAGGED));
        EthernetFrame.setDst(seg, 0, MacAddress.parse("02:00:00:00:00:01"));
        EthernetFrame.setSrc(seg, 0, MacAddress.parse("0a:0b:0c:0d:0e:0f"));
        EthernetFrame.setEthertype(seg, 0, EthernetFrame.ETHERTYPE_IPV4);
        assertArrayEquals(hex("020000000001 0a0b0c0d0e0f 0800"), seg.toArray(ValueLayout.JAVA_BYTE));
    }
}
