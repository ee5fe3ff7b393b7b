package io.sluice.nativeio.linux;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import org.junit.jupiter.api.Test;

/**
 * The layouts against sizeof/offsetof and the constants as a C compiler reports them from Debian 12's
 * linux-libc-dev headers on x86-64 (gcc, {@code <linux/if_packet.h>}, {@code <net/if.h>}, {@code <errno.h>}).
 * No privilege needed.
 */
class StructsTest {

    @Test
    void layoutsMatchTheKernelHeaders() {
        assertEquals(28, Structs.TpacketReq3.LAYOUT.byteSize());
        assertEquals(16, Structs.TpacketReq3.RETIRE_BLK_TOV);
        assertEquals(24, Structs.TpacketReq3.FEATURE_REQ_WORD);

        assertEquals(48, Structs.TpacketBlockDesc.LAYOUT.byteSize());
        assertEquals(8, Structs.TpacketBlockDesc.BLOCK_STATUS);
        assertEquals(12, Structs.TpacketBlockDesc.NUM_PKTS);
        assertEquals(16, Structs.TpacketBlockDesc.OFFSET_TO_FIRST_PKT);
        assertEquals(20, Structs.TpacketBlockDesc.BLK_LEN);
        assertEquals(24, Structs.TpacketBlockDesc.SEQ_NUM);

        assertEquals(48, Structs.Tpacket3Hdr.LAYOUT.byteSize());
        assertEquals(0, Structs.Tpacket3Hdr.NEXT_OFFSET);
        assertEquals(4, Structs.Tpacket3Hdr.SEC);
        assertEquals(8, Structs.Tpacket3Hdr.NSEC);
        assertEquals(12, Structs.Tpacket3Hdr.SNAPLEN);
        assertEquals(16, Structs.Tpacket3Hdr.LEN);
        assertEquals(20, Structs.Tpacket3Hdr.STATUS);
        assertEquals(24, Structs.Tpacket3Hdr.MAC);
        assertEquals(26, Structs.Tpacket3Hdr.NET);
        assertEquals(28, Structs.Tpacket3Hdr.RXHASH);
        assertEquals(32, Structs.Tpacket3Hdr.VLAN_TCI);
        assertEquals(36, Structs.Tpacket3Hdr.VLAN_TPID);
        assertEquals(68, Structs.Tpacket3Hdr.HDRLEN, "TPACKET3_HDRLEN");
        assertEquals(48, Structs.Tpacket3Hdr.TX_DATA);

        assertEquals(20, Structs.SockaddrLl.LAYOUT.byteSize());
        assertEquals(4, Structs.SockaddrLl.IFINDEX);
        assertEquals(10, Structs.SockaddrLl.PKTTYPE);

        assertEquals(40, Structs.Ifreq.LAYOUT.byteSize());
        assertEquals(16, Structs.Ifreq.IFINDEX);
        assertEquals(16, Structs.Ifreq.MTU);
        assertEquals(16, Structs.Ifreq.FLAGS);
        assertEquals(18, Structs.Ifreq.HWADDR_DATA);

        assertEquals(12, Structs.TpacketStatsV3.LAYOUT.byteSize());
        assertEquals(16, Structs.PacketMreq.LAYOUT.byteSize());
        assertEquals(4, Structs.PacketMreq.TYPE);
    }

    @Test
    void constantsMatchTheKernelHeaders() {
        assertEquals(35123, Linux.SIOCGIFINDEX);
        assertEquals(35111, Linux.SIOCGIFHWADDR);
        assertEquals(35105, Linux.SIOCGIFMTU);
        assertEquals(35091, Linux.SIOCGIFFLAGS);
        assertEquals(263, Linux.SOL_PACKET);
        assertEquals(524288, Linux.SOCK_CLOEXEC);
        assertEquals(1073741824, Linux.CLONE_NEWNET);
        assertEquals(64, Linux.MSG_DONTWAIT);
        assertEquals(0x0300, Linux.htons(Linux.ETH_P_ALL));
        assertEquals(19, Errno.ENODEV);
        assertEquals(100, Errno.ENETDOWN);
        assertEquals(105, Errno.ENOBUFS);
        assertEquals(90, Errno.EMSGSIZE);
    }

    @Test
    void errnoNamesAndTexts() {
        assertEquals("ENODEV (No such device)", Errno.describe(Errno.ENODEV));
        assertEquals("errno 4095", Errno.name(4095));
        assertTrue(Libc.pageSize() >= 4096);
    }

    @Test
    void interfaceNamesAreCheckedBeforeAnyCall() {
        for (String bad : new String[] {"", "sixteen-chars-xx", "a/b", "a:b", "a b", ".", ".."}) {
            InterfaceException e = assertThrows(InterfaceException.class, () -> Interfaces.checkName(bad), bad);
            assertTrue(e.getMessage().startsWith("interface name '" + bad + "' is not valid"), e.getMessage());
        }
        Interfaces.checkName("fifteen-chars-x");
    }

    @Test
    void loopbackIsFoundWithoutPrivilege() {
        InterfaceInfo lo = Interfaces.lookup("lo");
        assertEquals(1, lo.index());
        assertEquals(0, lo.mac());
        assertTrue(lo.mtu() >= 1500);
        assertTrue(lo.up());
    }
}
