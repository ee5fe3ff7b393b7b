package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz tests of every {@code check}: for arbitrary bytes, a check never throws, agrees with a plain reference
 * written from the RFCs over a {@code byte[]}, gives the same answer on a segment of exactly those bytes and
 * on a pbuf chain cut at arbitrary (odd) positions, and when it says OK every getter reads inside the checked
 * bytes (the exact-size segment throws on any read past them) and the checksum verifies.
 *
 * <p><b>Regression mode</b> (plain {@code mvn test}): each method replays the inputs saved under
 * {@code src/test/resources/io/sluice/engine/wire/WireFuzzTestInputs/<method>/} (valid and malformed headers,
 * and any crash found by fuzzing, once fixed) plus an empty input.
 *
 * <p><b>Fuzzing</b>: one method at a time, coverage-guided, bounded by {@code maxDuration}:
 * <pre>
 * JAZZER_FUZZ=1 JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 \
 *   mvn -B -pl engine test -Dtest='WireFuzzTest#ipv4Check' -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * New interesting inputs go to {@code engine/.cifuzz-corpus/} (not kept); a crashing input is written into
 * the method's {@code Inputs} directory above as {@code crash-<sha1>}. Once the bug is fixed, rename it after
 * what it tests (the repository ignores {@code crash-*}) so that it stays as a regression case. With
 * {@code -Dtest} the engine's second surefire execution (unchecked pbufs) runs the method too, so a session
 * fuzzes twice, once per mode.
 */
@ExtendWith(PbufLeakExtension.class)
class WireFuzzTest {
    private static final String FUZZ_TIME = "60s";
    private static final int SRC_IP = 0x0A000001;
    private static final int DST_IP = 0x0A000002;
    private static PbufPool pool;

    @BeforeAll
    static void createPool() {
        // Chains of one-byte pieces of a 4 KiB input (libFuzzer's default -max_len) fit.
        pool = PbufPool.create(8192);
    }

    @AfterAll
    static void closePool() {
        pool.local().close();
        pool.close();
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void ethernetCheck(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        WireError e = EthernetFrame.check(seg, 0, data.length);
        assertEquals(referenceEthernet(data), e);
        if (e == WireError.OK) {
            assertTrue(EthernetFrame.headerLength(seg, 0) <= data.length);
            assertEquals(0, EthernetFrame.dst(seg, 0) >>> 48);
            assertEquals(0, EthernetFrame.src(seg, 0) >>> 48);
            assertTrue(EthernetFrame.payloadEthertype(seg, 0) <= 0xFFFF);
            if (EthernetFrame.isVlanTagged(seg, 0)) {
                assertEquals(EthernetFrame.vlanTci(seg, 0) & 0xFFF, EthernetFrame.vlanId(seg, 0));
            }
        }
        assertSameOnAChain(data, (p, h) -> EthernetFrame.check(p.segment(), p.address(h), p.pktLen(h)), e, 18);
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void arpCheck(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        WireError e = ArpPacket.check(seg, 0, data.length);
        assertEquals(referenceArp(data), e);
        if (e == WireError.OK) {
            int op = ArpPacket.operation(seg, 0);
            assertTrue(op == ArpPacket.OP_REQUEST || op == ArpPacket.OP_REPLY);
            assertEquals(0, ArpPacket.senderMac(seg, 0) >>> 48);
            assertEquals(0, ArpPacket.targetMac(seg, 0) >>> 48);
            assertEquals(readInt(data, 14), ArpPacket.senderIp(seg, 0));
            assertEquals(readInt(data, 24), ArpPacket.targetIp(seg, 0));
        }
        assertSameOnAChain(data, (p, h) -> ArpPacket.check(p.segment(), p.address(h), p.pktLen(h)), e, 28);
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void ipv4Check(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        WireError e = Ipv4Header.check(seg, 0, data.length);
        assertEquals(referenceIpv4(data), e);
        if (e == WireError.OK) {
            assertIpv4Consistent(seg, data.length);
        }
        assertSameOnAChain(data, (p, h) -> {
            WireError c = Ipv4Header.check(p.segment(), p.address(h), p.pktLen(h));
            if (c == WireError.OK) {
                assertTrue(Ipv4Header.headerLength(p.segment(), p.address(h)) <= p.len(h), "header inside the pullup");
            }
            return c;
        }, e, Ipv4Header.MAX_HEADER_LENGTH);
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void icmpCheck(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        WireError e = IcmpHeader.check(seg, 0, data.length);
        assertEquals(referenceIcmp(data), e);
        if (e == WireError.OK) {
            assertEquals(0xFFFF, referenceSum(data, 0, data.length));
            long all = IcmpHeader.type(seg, 0) + IcmpHeader.code(seg, 0) + IcmpHeader.checksum(seg, 0)
                + IcmpHeader.restOfHeader(seg, 0) + IcmpHeader.identifier(seg, 0) + IcmpHeader.sequence(seg, 0)
                + IcmpHeader.nextHopMtu(seg, 0);
            assertTrue(all >= Integer.MIN_VALUE);
        }
        assertSameOnAChain(data, (p, h) -> IcmpHeader.check(p, h, 0, p.pktLen(h)), e, 0);
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void udpCheck(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        WireError e = UdpHeader.check(seg, 0, data.length);
        assertEquals(referenceUdp(data), e);
        WireError sum = e;
        if (e == WireError.OK) {
            int length = UdpHeader.length(seg, 0);
            assertTrue(length >= 8 && length <= data.length);
            sum = UdpHeader.checkChecksum(seg, 0, SRC_IP, DST_IP);
            assertEquals(referenceUdpChecksum(data, length), sum);
            assertTrue(UdpHeader.srcPort(seg, 0) + UdpHeader.dstPort(seg, 0) >= 0);
        }
        WireError expected = sum;
        assertSameOnAChain(data, (p, h) -> {
            WireError c = UdpHeader.check(p.segment(), p.address(h), p.pktLen(h));
            return c == WireError.OK ? UdpHeader.checkChecksum(p, h, 0, SRC_IP, DST_IP) : c;
        }, expected, UdpHeader.HEADER_LENGTH);
    }

    /** A whole frame, layer by layer, as the receive path will parse it (smoltcp's packet_parser target). */
    @FuzzTest(maxDuration = FUZZ_TIME)
    void frameParse(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data.clone()); // the TTL decrement at the end writes into it
        int available = data.length;
        if (EthernetFrame.check(seg, 0, available) != WireError.OK) {
            return;
        }
        int l2 = EthernetFrame.headerLength(seg, 0);
        int type = EthernetFrame.payloadEthertype(seg, 0);
        if (type == EthernetFrame.ETHERTYPE_ARP) {
            if (ArpPacket.check(seg, l2, available - l2) == WireError.OK) {
                assertTrue(l2 + ArpPacket.LENGTH <= available);
                ArpPacket.targetIp(seg, l2);
            }
            return;
        }
        if (type != EthernetFrame.ETHERTYPE_IPV4 || Ipv4Header.check(seg, l2, available - l2) != WireError.OK) {
            return;
        }
        int hl = Ipv4Header.headerLength(seg, l2);
        int l4 = l2 + hl;
        int l4Length = Ipv4Header.totalLength(seg, l2) - hl;
        assertTrue(l4 + l4Length <= available);
        switch (Ipv4Header.protocol(seg, l2)) {
            case Ipv4Header.PROTOCOL_ICMP -> {
                if (IcmpHeader.check(seg, l4, l4Length) == WireError.OK) {
                    IcmpHeader.restOfHeader(seg, l4);
                }
            }
            case Ipv4Header.PROTOCOL_UDP -> {
                if (UdpHeader.check(seg, l4, l4Length) == WireError.OK) {
                    UdpHeader.checkChecksum(seg, l4, Ipv4Header.src(seg, l2), Ipv4Header.dst(seg, l2));
                }
            }
            default -> { }
        }
        if (Ipv4Header.ttl(seg, l2) > 1) {
            Ipv4Header.decrementTtl(seg, l2);
            assertEquals(WireError.OK, Ipv4Header.check(seg, l2, available - l2), "the forwarded header verifies");
        }
    }

    /** The chain checksum equals the reference for any bytes, any cut, any range. */
    @FuzzTest(maxDuration = FUZZ_TIME)
    void checksumOverChain(byte[] data) {
        Random cuts = new Random(Arrays.hashCode(data));
        int off = data.length == 0 ? 0 : cuts.nextInt(data.length + 1);
        int len = cuts.nextInt(data.length - off + 1);
        assertEquals(referenceSum(data, off, len), Checksum.sum(MemorySegment.ofArray(data), off, len));
        assertSameOnAChain(data, (p, h) -> Checksum.sum(p, h, off, len), referenceSum(data, off, len), 0);
    }

    // ------------------------------------------------------------------------------------------------
    // The same check on a chain
    // ------------------------------------------------------------------------------------------------

    private interface ChainCheck {
        Object apply(Pbufs p, int h);
    }

    /**
     * Copies {@code data} into a chain cut at positions drawn from the data itself, pulls up the first
     * {@code min(pullup, length)} bytes (as the receive path does before reading a header), runs the check,
     * frees the chain and verifies that the pool has every pbuf back.
     */
    private static void assertSameOnAChain(byte[] data, ChainCheck check, Object expected, int pullup) {
        Pbufs p = pool.local();
        Random cuts = new Random(Arrays.hashCode(data) * 31L + data.length);
        int[] pieces = new int[Math.max(1, data.length)];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = 1 + cuts.nextInt(cuts.nextBoolean() ? 5 : 120);
        }
        int h = chain(p, data, pieces);
        try {
            int n = Math.min(pullup, data.length);
            if (n > 0) {
                h = p.pullup(h, n);
                assertNotEquals(PbufHandle.NULL, h);
            }
            assertEquals(expected, check.apply(p, h), "on a chain of " + p.count(h) + " pbufs");
        } finally {
            p.freem(h);
        }
        assertEquals(0, pool.inUse(), "every pbuf back in the pool");
    }

    // ------------------------------------------------------------------------------------------------
    // Reference checks: the RFC rules over a byte[], written independently of the views
    // ------------------------------------------------------------------------------------------------

    private static WireError referenceEthernet(byte[] d) {
        if (d.length < 14) {
            return WireError.ETH_TOO_SHORT;
        }
        boolean tagged = (d[12] & 0xFF) == 0x81 && d[13] == 0;
        return tagged && d.length < 18 ? WireError.ETH_VLAN_TOO_SHORT : WireError.OK;
    }

    private static WireError referenceArp(byte[] d) {
        if (d.length < 28) {
            return WireError.ARP_TOO_SHORT;
        }
        if (readShort(d, 0) != 1) {
            return WireError.ARP_BAD_HTYPE;
        }
        if (readShort(d, 2) != 0x0800) {
            return WireError.ARP_BAD_PTYPE;
        }
        if (d[4] != 6) {
            return WireError.ARP_BAD_HLEN;
        }
        if (d[5] != 4) {
            return WireError.ARP_BAD_PLEN;
        }
        int op = readShort(d, 6);
        return op == 1 || op == 2 ? WireError.OK : WireError.ARP_BAD_OPERATION;
    }

    private static WireError referenceIpv4(byte[] d) {
        if (d.length < 20) {
            return WireError.IP_TOO_SHORT;
        }
        if ((d[0] & 0xF0) != 0x40) {
            return WireError.IP_BAD_VERSION;
        }
        int hl = (d[0] & 0x0F) * 4;
        if (hl < 20) {
            return WireError.IP_BAD_IHL;
        }
        if (hl > d.length) {
            return WireError.IP_HEADER_TRUNCATED;
        }
        if (referenceSum(d, 0, hl) != 0xFFFF) {
            return WireError.IP_BAD_CHECKSUM;
        }
        int total = readShort(d, 2);
        if (total < hl) {
            return WireError.IP_BAD_TOTAL_LENGTH;
        }
        return total > d.length ? WireError.IP_TRUNCATED : WireError.OK;
    }

    private static void assertIpv4Consistent(MemorySegment seg, int available) {
        int hl = Ipv4Header.headerLength(seg, 0);
        assertEquals(4, Ipv4Header.version(seg, 0));
        assertTrue(hl >= 20 && hl <= 60 && hl <= available);
        assertEquals(hl - 20, Ipv4Header.optionsLength(seg, 0));
        int total = Ipv4Header.totalLength(seg, 0);
        assertTrue(total >= hl && total <= available);
        assertTrue(Ipv4Header.verifyChecksum(seg, 0));
        assertTrue(Ipv4Header.fragmentOffset(seg, 0) <= 0x1FFF * 8);
        assertEquals(Ipv4Header.tos(seg, 0), Ipv4Header.dscp(seg, 0) << 2 | Ipv4Header.ecn(seg, 0));
        long all = Ipv4Header.identification(seg, 0) + Ipv4Header.flagsFragment(seg, 0) + Ipv4Header.ttl(seg, 0)
            + Ipv4Header.protocol(seg, 0) + Ipv4Header.checksum(seg, 0) + Ipv4Header.src(seg, 0) + Ipv4Header.dst(seg, 0);
        assertTrue(all > Long.MIN_VALUE);
        if (Ipv4Header.ttl(seg, 0) > 0) {
            MemorySegment copy = MemorySegment.ofArray(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            Ipv4Header.decrementTtl(copy, 0);
            assertEquals(WireError.OK, Ipv4Header.check(copy, 0, available), "the incremental update keeps it valid");
        }
    }

    private static WireError referenceIcmp(byte[] d) {
        if (d.length < 8) {
            return WireError.ICMP_TOO_SHORT;
        }
        return referenceSum(d, 0, d.length) == 0xFFFF ? WireError.OK : WireError.ICMP_BAD_CHECKSUM;
    }

    private static WireError referenceUdp(byte[] d) {
        if (d.length < 8) {
            return WireError.UDP_TOO_SHORT;
        }
        int length = readShort(d, 4);
        if (length < 8) {
            return WireError.UDP_BAD_LENGTH;
        }
        return length > d.length ? WireError.UDP_TRUNCATED : WireError.OK;
    }

    private static WireError referenceUdpChecksum(byte[] d, int length) {
        if (readShort(d, 6) == 0) {
            return WireError.OK;
        }
        byte[] all = new byte[12 + length];
        MemorySegment ph = MemorySegment.ofArray(all);
        ph.set(NetworkOrder.U32, 0, SRC_IP);
        ph.set(NetworkOrder.U32, 4, DST_IP);
        all[9] = 17;
        ph.set(NetworkOrder.U16, 10, (short) length);
        System.arraycopy(d, 0, all, 12, length);
        return referenceSum(all, 0, all.length) == 0xFFFF ? WireError.OK : WireError.UDP_BAD_CHECKSUM;
    }

    private static int readShort(byte[] d, int i) {
        return (d[i] & 0xFF) << 8 | (d[i + 1] & 0xFF);
    }

    private static int readInt(byte[] d, int i) {
        return readShort(d, i) << 16 | readShort(d, i + 2);
    }
}
