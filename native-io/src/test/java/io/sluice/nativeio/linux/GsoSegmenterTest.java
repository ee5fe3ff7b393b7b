package io.sluice.nativeio.linux;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PacketFlags;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.PortCounters;
import io.sluice.engine.wire.Checksum;
import io.sluice.engine.wire.TcpHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GsoSegmenter}: the segments of a super-frame, byte for byte, against what Linux's tcp_gso_segment and
 * __udp_gso_segment produce; frames it must refuse; the pool running dry; and random mutations of valid frames.
 */
class GsoSegmenterTest {
    private static final int SRC = 0x0A000001;
    private static final int DST = 0x0A000002;
    private static final int MAX_FRAME = 1518;
    private static final int TAG = 4;

    private final Arena arena = Arena.ofConfined();
    private final GsoSegmenter gso = new GsoSegmenter(arena);
    private final PortCounters counters = new PortCounters();
    private PbufPool pool;
    private Pbufs p;

    @BeforeEach
    void setUp() {
        pool = PbufPool.create(4096);
        p = pool.local();
    }

    @AfterEach
    void tearDown() {
        p.close();
        assertEquals(0, pool.stats().inUse(), "pbufs leaked");
        pool.close();
        arena.close();
    }

    /** Ethernet, IPv4 (id 0x1234, DF), TCP with 12 bytes of options and {@code flags}, then {@code payload} bytes. */
    static byte[] tcpFrame(int payload, int flags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 32 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        ipHeader(b, 20 + 32 + payload, 6);
        b.putShort((short) 40000).putShort((short) 80).putInt(1_000_000).putInt(77).put((byte) (8 << 4))
            .put((byte) flags).putShort((short) 502).putShort((short) 0x5555).putShort((short) 0);
        b.put(new byte[] {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 8});
        for (int i = 0; i < payload; i++) {
            b.put((byte) (i * 7 + i / 251));
        }
        return b.array();
    }

    static byte[] udpFrame(int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        ipHeader(b, 20 + 8 + payload, 17);
        b.putShort((short) 5000).putShort((short) 7).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) (i * 13));
        }
        return b.array();
    }

    private static void ipHeader(ByteBuffer b, int totalLength, int protocol) {
        int at = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) totalLength).putShort((short) 0x1234)
            .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(SRC).putInt(DST);
        byte[] a = b.array();
        int c = Checksum.of(MemorySegment.ofArray(a), at, 20);
        a[at + 10] = (byte) (c >> 8);
        a[at + 11] = (byte) c;
    }

    /** Cuts {@code frame} {@code perCall} packets at a time; returns the packets' bytes (the packets are freed). */
    private List<byte[]> cut(byte[] frame, int tci, int type, int gsoSize, int perCall) {
        return cut(frame, tci, type, gsoSize, perCall, false);
    }

    /** As {@link #cut}, for a frame whose checksum the sender left to offload when {@code partial}. */
    private List<byte[]> cut(byte[] frame, int tci, int type, int gsoSize, int perCall, boolean partial) {
        MemorySegment src = arena.allocate(frame.length + 3);
        MemorySegment.copy(frame, 0, src, ValueLayout.JAVA_BYTE, 3, frame.length);
        List<byte[]> got = new ArrayList<>();
        if (!gso.begin(src, 3, frame.length, Linux.ETH_P_8021Q, tci, type, gsoSize, partial, MAX_FRAME, counters)) {
            return got;
        }
        int[] out = new int[perCall];
        while (gso.pending()) {
            int n = gso.emit(p, out, 0, perCall, counters);
            for (int i = 0; i < n; i++) {
                assertEquals(partial ? PacketFlags.CSUM_PARTIAL : PacketFlags.CSUM_VALID, p.pktFlags(out[i]));
                if (tci != ReceivedFrames.NO_VLAN) {
                    assertEquals(tci, p.vlanTci(out[i]));
                }
                byte[] bytes = new byte[p.pktLen(out[i])];
                p.copydata(out[i], 0, bytes.length, bytes, 0);
                got.add(bytes);
                p.freem(out[i]);
            }
        }
        return got;
    }

    private static int u16(byte[] a, int at) {
        return (a[at] & 0xFF) << 8 | a[at + 1] & 0xFF;
    }

    private static int u32(byte[] a, int at) {
        return u16(a, at) << 16 | u16(a, at + 2);
    }

    /** Whether the transport checksum of the datagram at {@code ip} verifies, pseudo-header included. */
    private static boolean transportChecksumOk(byte[] a, int ip, int protocol) {
        int hl = (a[ip] & 0xF) * 4;
        int len = u16(a, ip + 2) - hl;
        MemorySegment s = MemorySegment.ofArray(a);
        int sum = Checksum.add(Checksum.pseudoHeaderSum(u32(a, ip + 12), u32(a, ip + 16), protocol, len),
            Checksum.sum(s, ip + hl, len));
        return sum == Checksum.VERIFIED_SUM;
    }

    @Test
    void aTcpSuperFrameBecomesTheSegmentsLinuxWouldHaveSent() {
        int flags = TcpHeader.ACK | TcpHeader.PSH | TcpHeader.FIN | TcpHeader.CWR;
        byte[] frame = tcpFrame(10_000, flags);
        List<byte[]> segs = cut(frame, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1448, 64);
        assertEquals(7, segs.size()); // 6 x 1448 + 1312
        int header = 14 + 20 + 32;
        for (int i = 0; i < segs.size(); i++) {
            byte[] s = segs.get(i);
            int len = i < 6 ? 1448 : 1312;
            assertEquals(header + len, s.length);
            assertArrayEquals(Arrays.copyOfRange(frame, 0, 14), Arrays.copyOfRange(s, 0, 14), "link header");
            assertEquals(20 + 32 + len, u16(s, 14 + 2), "IPv4 total length");
            assertEquals(0x1234 + i, u16(s, 14 + 4), "identification goes up by one per segment");
            assertEquals(0x4000, u16(s, 14 + 6), "DF kept");
            assertEquals(Checksum.VERIFIED_SUM, Checksum.sum(MemorySegment.ofArray(s), 14, 20), "IPv4 checksum");
            assertEquals(1_000_000 + i * 1448, u32(s, 34 + 4), "sequence number");
            assertEquals(77, u32(s, 34 + 8), "acknowledgment kept");
            int f = s[34 + 13] & 0xFF;
            int want = TcpHeader.ACK | (i == 0 ? TcpHeader.CWR : 0) | (i == 6 ? TcpHeader.PSH | TcpHeader.FIN : 0);
            assertEquals(want, f, "flags of segment " + i);
            assertArrayEquals(Arrays.copyOfRange(frame, 34 + 14, 34 + 16), Arrays.copyOfRange(s, 34 + 14, 34 + 16),
                "window kept");
            assertArrayEquals(Arrays.copyOfRange(frame, 34 + 20, header), Arrays.copyOfRange(s, 34 + 20, header),
                "options copied to every segment");
            assertTrue(transportChecksumOk(s, 14, 6), "TCP checksum of segment " + i);
            assertArrayEquals(Arrays.copyOfRange(frame, header + i * 1448, header + i * 1448 + len),
                Arrays.copyOfRange(s, header, s.length), "payload of segment " + i);
        }
        assertEquals(0, counters.rxDrops(PortCounters.Drop.RX_GSO_UNSUPPORTED));
    }

    /**
     * A local kernel's GSO frame leaves the checksum to offload: each segment's field holds its pseudo-header's sum
     * (as Linux hands a device), marked partial; finishing it as a device would gives the full checksum.
     */
    @Test
    void anOffloadedChecksumStaysPartialPerSegmentAndFinishesToTheFullOne() {
        byte[] frame = tcpFrame(4000, TcpHeader.ACK);
        List<byte[]> full = cut(frame, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1448, 64, false);
        List<byte[]> partial = cut(frame, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1448, 64, true);
        assertEquals(3, partial.size());
        for (int i = 0; i < partial.size(); i++) {
            byte[] s = partial.get(i);
            int tcpLen = s.length - 34;
            assertEquals(Checksum.pseudoHeaderSum(SRC, DST, 6, tcpLen), u16(s, 34 + 16), "the pseudo-header's sum");
            int finished = Checksum.finish(Checksum.sum(MemorySegment.ofArray(s), 34, tcpLen));
            assertEquals(u16(full.get(i), 34 + 16), finished, "finished like a device would, segment " + i);
            s[34 + 16] = full.get(i)[34 + 16];
            s[34 + 17] = full.get(i)[34 + 17];
            assertArrayEquals(full.get(i), s, "otherwise the same bytes");
        }
    }

    /** {@code take} reads the virtio_net_hdr in front of the frame: no GSO type, a type it cuts, one it refuses. */
    @Test
    void takeReadsTheVirtioHeaderInFrontOfTheFrame() {
        byte[] frame = tcpFrame(3000, TcpHeader.ACK);
        MemorySegment src = arena.allocate(VirtioNetHdr.LENGTH + frame.length);
        MemorySegment.copy(frame, 0, src, ValueLayout.JAVA_BYTE, VirtioNetHdr.LENGTH, frame.length);
        long data = VirtioNetHdr.LENGTH;
        assertEquals(GsoSegmenter.PLAIN, gso.take(src, data, frame.length, 0, ReceivedFrames.NO_VLAN, MAX_FRAME,
            counters));
        src.set(ValueLayout.JAVA_BYTE, VirtioNetHdr.FLAGS, (byte) VirtioNetHdr.F_NEEDS_CSUM);
        src.set(ValueLayout.JAVA_BYTE, VirtioNetHdr.GSO_TYPE, (byte) (VirtioNetHdr.GSO_TCPV4 | VirtioNetHdr.GSO_ECN));
        src.set(ValueLayout.JAVA_SHORT_UNALIGNED, VirtioNetHdr.GSO_SIZE, (short) 1448);
        assertEquals(GsoSegmenter.CUT, gso.take(src, data, frame.length, 0, ReceivedFrames.NO_VLAN, MAX_FRAME,
            counters));
        int[] out = new int[8];
        int n = gso.emit(p, out, 0, out.length, counters);
        assertEquals(3, n, "3,000 bytes in segments of 1,448");
        for (int i = 0; i < n; i++) {
            assertEquals(PacketFlags.CSUM_PARTIAL, p.pktFlags(out[i]), "F_NEEDS_CSUM: the checksum stays partial");
        }
        p.freem(out, n);
        src.set(ValueLayout.JAVA_BYTE, VirtioNetHdr.GSO_TYPE, (byte) VirtioNetHdr.GSO_TCPV6);
        assertEquals(GsoSegmenter.DROPPED, gso.take(src, data, frame.length, 0, ReceivedFrames.NO_VLAN, MAX_FRAME,
            counters));
        assertEquals(1, counters.rxDrops(PortCounters.Drop.RX_GSO_UNSUPPORTED));
    }

    @Test
    void aUdpSegmentationFrameBecomesDatagramsOfTheSegmentSize() {
        byte[] frame = udpFrame(2500);
        List<byte[]> dgrams = cut(frame, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_UDP_L4, 1000, 64);
        assertEquals(3, dgrams.size());
        for (int i = 0; i < 3; i++) {
            byte[] d = dgrams.get(i);
            int len = i < 2 ? 1000 : 500;
            assertEquals(14 + 20 + 8 + len, d.length);
            assertEquals(8 + len, u16(d, 34 + 4), "UDP length");
            assertNotEquals(0, u16(d, 34 + 6), "a computed checksum, never 'none'");
            assertTrue(transportChecksumOk(d, 14, 17), "UDP checksum of datagram " + i);
            assertArrayEquals(Arrays.copyOfRange(frame, 42 + i * 1000, 42 + i * 1000 + len),
                Arrays.copyOfRange(d, 42, d.length));
        }
    }

    @Test
    void aStrippedVlanTagIsPutBackInEverySegment() {
        byte[] frame = tcpFrame(3000, TcpHeader.ACK);
        List<byte[]> segs = cut(frame, 0x2064, VirtioNetHdr.GSO_TCPV4, 1400, 64);
        assertEquals(3, segs.size());
        for (byte[] s : segs) {
            assertEquals(0x8100, u16(s, 12));
            assertEquals(0x2064, u16(s, 14));
            assertEquals(0x0800, u16(s, 16));
            assertTrue(transportChecksumOk(s, 14 + TAG, 6));
        }
        assertEquals(1400, segs.get(0).length - 14 - TAG - 20 - 32);
    }

    @Test
    void aCallerWithRoomForFewPacketsGetsTheRestOnLaterCalls() {
        byte[] frame = tcpFrame(20_000, TcpHeader.ACK);
        List<byte[]> all = cut(frame, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1000, 64);
        List<byte[]> twoAtATime = cut(frame, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1000, 3);
        assertEquals(20, all.size());
        assertEquals(all.size(), twoAtATime.size());
        for (int i = 0; i < all.size(); i++) {
            assertArrayEquals(all.get(i), twoAtATime.get(i));
        }
    }

    @Test
    void framesItCannotCutAreCountedAndNothingIsEmitted() {
        byte[] good = tcpFrame(3000, TcpHeader.ACK);
        assertTrue(cut(good, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV6, 1400, 64).isEmpty(), "IPv6 type");
        assertTrue(cut(good, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_UDP_L4, 1400, 64).isEmpty(), "UDP type, TCP");
        assertTrue(cut(good, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 0, 64).isEmpty(), "gso_size 0");
        byte[] badSum = good.clone();
        badSum[14 + 10] ^= 1;
        assertTrue(cut(badSum, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1400, 64).isEmpty(), "IP checksum");
        byte[] fragment = tcpFrame(3000, TcpHeader.ACK);
        fragment[14 + 6] = 0x20; // MF
        ipHeaderChecksum(fragment);
        assertTrue(cut(fragment, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1400, 64).isEmpty(), "fragment");
        byte[] shortTcp = good.clone();
        shortTcp[34 + 12] = (byte) (4 << 4);
        assertTrue(cut(shortTcp, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1400, 64).isEmpty(), "doff 4");
        byte[] arp = good.clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertTrue(cut(arp, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1400, 64).isEmpty(), "not IPv4");
        assertTrue(cut(Arrays.copyOf(good, 40), ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 1400, 64).isEmpty(),
            "truncated");
        assertEquals(8, counters.rxDrops(PortCounters.Drop.RX_GSO_UNSUPPORTED));

        assertTrue(cut(good, ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4, 9000, 64).isEmpty(), "jumbo segments");
        assertEquals(1, counters.rxDrops(PortCounters.Drop.RX_OVERSIZE));
        assertFalse(gso.pending());
    }

    private static void ipHeaderChecksum(byte[] a) {
        a[24] = 0;
        a[25] = 0;
        int c = Checksum.of(MemorySegment.ofArray(a), 14, 20);
        a[24] = (byte) (c >> 8);
        a[25] = (byte) c;
    }

    @Test
    void segmentsThePoolCannotHoldAreCountedAndTheRestStillArrive() {
        pool.close();
        pool = PbufPool.create(8);
        p = pool.local();
        List<byte[]> segs = cut(tcpFrame(30_000, TcpHeader.ACK), ReceivedFrames.NO_VLAN, VirtioNetHdr.GSO_TCPV4,
            1448, 1);
        assertEquals(21, segs.size() + counters.rxDrops(PortCounters.Drop.RX_NO_PBUFS));
        assertFalse(segs.isEmpty());
    }

    /** Random mutations of valid frames: never throws, never leaks, and whatever comes out is well-formed. */
    @Test
    void mutatedFramesNeverThrowAndWhatComesOutIsWellFormed() {
        Random r = new Random(20261207);
        for (int round = 0; round < 5_000; round++) {
            boolean tcp = r.nextBoolean();
            byte[] frame = tcp ? tcpFrame(r.nextInt(1, 6000), r.nextInt(256)) : udpFrame(r.nextInt(1, 6000));
            int mutations = r.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                frame[r.nextInt(Math.min(frame.length, 80))] = (byte) r.nextInt(256);
            }
            if (r.nextInt(8) == 0) {
                frame = Arrays.copyOf(frame, r.nextInt(frame.length));
            }
            int type = r.nextInt(8) == 0 ? r.nextInt(8) : tcp ? VirtioNetHdr.GSO_TCPV4 : VirtioNetHdr.GSO_UDP_L4;
            int tci = r.nextBoolean() ? ReceivedFrames.NO_VLAN : r.nextInt(0x10000);
            List<byte[]> out = cut(frame, tci, type, r.nextInt(0, 1500), r.nextInt(1, 9), false);
            int ip = tci == ReceivedFrames.NO_VLAN ? 14 : 18;
            for (byte[] s : out) {
                assertTrue(s.length <= MAX_FRAME, "segment too long: " + s.length);
                if ((u16(s, ip - 2) == 0x0800)) {
                    assertEquals(s.length - ip, u16(s, ip + 2), "IPv4 total length");
                    assertEquals(Checksum.VERIFIED_SUM, Checksum.sum(MemorySegment.ofArray(s), ip, (s[ip] & 0xF) * 4));
                    assertTrue(transportChecksumOk(s, ip, s[ip + 9]));
                }
            }
        }
    }
}
