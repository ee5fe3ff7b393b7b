package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ArpPacketTest {
    /** Who has 10.0.0.2? Tell 10.0.0.1 (02:00:00:00:00:01). */
    static final String REQUEST = "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002";
    /** 10.0.0.2 is at 02:00:00:00:00:02. */
    static final String REPLY = "0001 0800 06 04 0002 020000000002 0a000002 020000000001 0a000001";

    @Test
    void readsARequest() {
        MemorySegment seg = segmentOf(hex(REQUEST + "00".repeat(18))); // with Ethernet padding
        assertEquals(WireError.OK, ArpPacket.check(seg, 0, 46));
        assertEquals(ArpPacket.OP_REQUEST, ArpPacket.operation(seg, 0));
        assertEquals(0x0200_0000_0001L, ArpPacket.senderMac(seg, 0));
        assertEquals(Ipv4Address.of(10, 0, 0, 1), ArpPacket.senderIp(seg, 0));
        assertEquals(MacAddress.ZERO, ArpPacket.targetMac(seg, 0));
        assertEquals(Ipv4Address.of(10, 0, 0, 2), ArpPacket.targetIp(seg, 0));
    }

    @Test
    void aReplyBuiltInPlaceOverTheRequestHasTheGoldenBytes() {
        MemorySegment seg = segmentOf(hex(REQUEST));
        long requesterMac = ArpPacket.senderMac(seg, 0);
        int requesterIp = ArpPacket.senderIp(seg, 0);
        int ourIp = ArpPacket.targetIp(seg, 0);
        assertEquals(28, ArpPacket.write(seg, 0, ArpPacket.OP_REPLY, 0x0200_0000_0002L, ourIp, requesterMac, requesterIp));
        assertArrayEquals(hex(REPLY), seg.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(WireError.OK, ArpPacket.check(seg, 0, 28));
    }

    @Test
    void eachMalformationHasItsOwnResult() {
        assertEquals(WireError.ARP_TOO_SHORT, check(REQUEST, 27));
        assertEquals(WireError.ARP_BAD_HTYPE, check("0006" + REQUEST.substring(4), 28));
        assertEquals(WireError.ARP_BAD_PTYPE, check("0001 86dd" + REQUEST.substring(9), 28));
        assertEquals(WireError.ARP_BAD_HLEN, check("0001 0800 08" + REQUEST.substring(12), 28));
        assertEquals(WireError.ARP_BAD_PLEN, check("0001 0800 06 10" + REQUEST.substring(15), 28));
        assertEquals(WireError.ARP_BAD_OPERATION, check("0001 0800 06 04 0003" + REQUEST.substring(20), 28));
        assertEquals(WireError.ARP_BAD_OPERATION, check("0001 0800 06 04 0000" + REQUEST.substring(20), 28));
    }

    private static WireError check(String hexBytes, int available) {
        byte[] b = java.util.Arrays.copyOf(hex(hexBytes), available);
        return ArpPacket.check(segmentOf(b), 0, available);
    }
}
