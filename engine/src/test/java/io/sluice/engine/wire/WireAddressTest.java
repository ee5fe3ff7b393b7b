package io.sluice.engine.wire;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class WireAddressTest {
    @Test
    void macAddressesFormatAndParse() {
        assertEquals("02:00:00:00:00:01", MacAddress.toString(0x0200_0000_0001L));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.toString(MacAddress.BROADCAST));
        assertEquals(0x0A0B_0C0D_0E0FL, MacAddress.parse("0A:0b:0c:0d:0e:0F"));
        assertEquals(0x0A0B_0C0D_0E0FL, MacAddress.parse("0a-0b-0c-0d-0e-0f"));
        for (String bad : new String[] {"", "0a:0b:0c:0d:0e", "0a:0b:0c:0d:0e:0g", "0a:0b:0c:0d:0e:0f:", "0a;0b:0c:0d:0e:0f"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
        assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01")));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertFalse(MacAddress.isMulticast(0x0200_0000_0001L));
        assertTrue(MacAddress.isBroadcast(MacAddress.BROADCAST));
    }

    @Test
    void ipv4AddressesFormatAndParse() {
        assertEquals(0x0A000001, Ipv4Address.parse("10.0.0.1"));
        assertEquals(0x0A000001, Ipv4Address.of(10, 0, 0, 1));
        assertEquals("10.0.0.1", Ipv4Address.toString(0x0A000001));
        assertEquals("255.255.255.255", Ipv4Address.toString(Ipv4Address.BROADCAST));
        assertEquals(Ipv4Address.BROADCAST, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0xC0A80001, Ipv4Address.parse("192.168.0.1"));
        for (String bad : new String[] {"", "10.0.0", "10.0.0.1.", "10.0.0.256", "10..0.1", "1000.0.0.1", "a.b.c.d",
            "10.0.0.1 ", ".10.0.0"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        }
    }
}
