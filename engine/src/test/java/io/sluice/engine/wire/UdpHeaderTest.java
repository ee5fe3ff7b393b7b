package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class UdpHeaderTest {
    /** 10.0.0.1:5000 -> 10.0.0.2:53, "hello"; checksum 0x9442 (computed independently). */
    static final String DATAGRAM = "1388 0035 000d 9442 68656c6c6f";
    static final int SRC = 0x0A000001;
    static final int DST = 0x0A000002;

    @Test
    void readsAndVerifiesARealDatagram() {
        MemorySegment seg = segmentOf(hex(DATAGRAM));
        assertEquals(WireError.OK, UdpHeader.check(seg, 0, 13));
        assertEquals(5000, UdpHeader.srcPort(seg, 0));
        assertEquals(53, UdpHeader.dstPort(seg, 0));
        assertEquals(13, UdpHeader.length(seg, 0));
        assertEquals(0x9442, UdpHeader.checksum(seg, 0));
        assertEquals(WireError.OK, UdpHeader.checkChecksum(seg, 0, SRC, DST));
        assertEquals(WireError.UDP_BAD_CHECKSUM, UdpHeader.checkChecksum(seg, 0, SRC, DST + 1),
            "the pseudo-header is covered");
    }

    @Test
    void writeAndFillProduceTheGoldenBytes() {
        MemorySegment seg = MemorySegment.ofArray(hex("dbdbdbdbdbdbdbdb 68656c6c6f"));
        assertEquals(8, UdpHeader.write(seg, 0, 5000, 53, 13));
        assertEquals(UdpHeader.NO_CHECKSUM, UdpHeader.checksum(seg, 0));
        UdpHeader.fillChecksum(seg, 0, SRC, DST);
        assertArrayEquals(hex(DATAGRAM), seg.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void lengthsAreChecked() {
        assertEquals(WireError.UDP_TOO_SHORT, UdpHeader.check(segmentOf(new byte[7]), 0, 7));
        assertEquals(WireError.UDP_BAD_LENGTH, UdpHeader.check(segmentOf(hex("1388 0035 0007 0000")), 0, 8));
        assertEquals(WireError.UDP_TRUNCATED, UdpHeader.check(segmentOf(hex(DATAGRAM)), 0, 12));
        assertEquals(WireError.OK, UdpHeader.check(segmentOf(hex(DATAGRAM + "0000")), 0, 15), "IP payload may be longer");
    }

    @Test
    void aZeroChecksumMeansNoneAndAComputedZeroIsSentAsAllOnes() {
        MemorySegment none = segmentOf(hex("1388 0035 000d 0000 68656c6c6f"));
        assertEquals(WireError.OK, UdpHeader.checkChecksum(none, 0, SRC, DST));
        // Find a payload whose checksum computes to zero: it must go out as 0xFFFF (RFC 768) and verify.
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        UdpHeader.write(seg, 0, 5000, 53, 10);
        int sum = Checksum.add(Checksum.pseudoHeaderSum(SRC, DST, Ipv4Header.PROTOCOL_UDP, 10), Checksum.sum(seg, 0, 10));
        seg.set(NetworkOrder.U16, 8, (short) (~sum & 0xFFFF)); // now the datagram sums to 0xFFFF: checksum 0
        UdpHeader.fillChecksum(seg, 0, SRC, DST);
        assertEquals(0xFFFF, UdpHeader.checksum(seg, 0));
        assertEquals(WireError.OK, UdpHeader.checkChecksum(seg, 0, SRC, DST));
    }

    @Test
    void checksumsOverChainsMatchTheContiguousOnes() {
        Random rnd = new Random(768);
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            for (int i = 0; i < 200; i++) {
                int length = 8 + rnd.nextInt(2000);
                byte[] d = new byte[length + rnd.nextInt(3)];
                rnd.nextBytes(d);
                MemorySegment flat = MemorySegment.ofArray(d);
                UdpHeader.write(flat, 0, rnd.nextInt(65_536), rnd.nextInt(65_536), length);
                UdpHeader.fillChecksum(flat, 0, SRC, DST);
                int h = chain(p, d, 8 + rnd.nextInt(3), 1 + rnd.nextInt(200), 1 + rnd.nextInt(300), 461, 3, 464);
                assertEquals(WireError.OK, UdpHeader.checkChecksum(p, h, 0, SRC, DST));
                UdpHeader.setChecksum(p.segment(), p.address(h), 0x1234);
                UdpHeader.fillChecksum(p, h, 0, SRC, DST);
                assertEquals(UdpHeader.checksum(flat, 0), UdpHeader.checksum(p.segment(), p.address(h)));
                p.freem(h);
            }
            p.close();
        }
    }
}
