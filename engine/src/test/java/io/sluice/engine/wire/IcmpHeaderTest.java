package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class IcmpHeaderTest {
    /** Echo request, id 0x1234, seq 1, 32 bytes of data; checksum 0x3b27 (computed independently). */
    static final String ECHO = "0800 3b27 1234 0001 6162636465666768696a6b6c6d6e6f7071727374757677616263646566676869";

    @Test
    void readsAnEchoRequest() {
        MemorySegment seg = segmentOf(hex(ECHO));
        assertEquals(WireError.OK, IcmpHeader.check(seg, 0, 40));
        assertEquals(IcmpHeader.TYPE_ECHO_REQUEST, IcmpHeader.type(seg, 0));
        assertEquals(0, IcmpHeader.code(seg, 0));
        assertEquals(0x3B27, IcmpHeader.checksum(seg, 0));
        assertEquals(0x1234, IcmpHeader.identifier(seg, 0));
        assertEquals(1, IcmpHeader.sequence(seg, 0));
        assertEquals(0x1234_0001, IcmpHeader.restOfHeader(seg, 0));
    }

    @Test
    void anEchoReplyBuiltInPlaceVerifies() {
        MemorySegment seg = segmentOf(hex(ECHO));
        IcmpHeader.write(seg, 0, IcmpHeader.TYPE_ECHO_REPLY, 0, IcmpHeader.restOfHeader(seg, 0));
        IcmpHeader.fillChecksum(seg, 0, 40);
        // Only the type changed (8 -> 0), so the checksum rises by 0x0800: 0x3b27 -> 0x4327.
        assertArrayEquals(hex("0000 4327 1234 0001" + ECHO.substring(20)), seg.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(WireError.OK, IcmpHeader.check(seg, 0, 40));
    }

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() {
        MemorySegment seg = MemorySegment.ofArray(new byte[8]);
        IcmpHeader.write(seg, 0, IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, 1400);
        IcmpHeader.fillChecksum(seg, 0, 8);
        assertEquals(1400, IcmpHeader.nextHopMtu(seg, 0));
        assertEquals(WireError.OK, IcmpHeader.check(seg, 0, 8));
        assertEquals(WireError.ICMP_TOO_SHORT, IcmpHeader.check(seg, 0, 7));
        seg.set(ValueLayout.JAVA_BYTE, 7, (byte) 0x79);
        assertEquals(WireError.ICMP_BAD_CHECKSUM, IcmpHeader.check(seg, 0, 8));
    }

    @Test
    void checksOverAChainCutAtOddPositions() {
        byte[] big = new byte[1400];
        System.arraycopy(hex(ECHO), 0, big, 0, 8);
        for (int i = 8; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            int h = chain(p, big, 8, 333, 1, 461, 2);
            assertEquals(7, p.count(h), "5 cut pieces, then 464 and 131");
            IcmpHeader.fillChecksum(p, h, 0, big.length);
            assertEquals(WireError.OK, IcmpHeader.check(p, h, 0, big.length));
            assertEquals(referenceChecksum(withZeroChecksum(p.toArray(h)), 0, big.length),
                IcmpHeader.checksum(p.segment(), p.address(h)));
            long located = p.locate(h, 1000);
            int at = Pbufs.locatedPbuf(located);
            p.putByte(at, Pbufs.locatedOffset(located), (byte) (p.getByte(at, Pbufs.locatedOffset(located)) ^ 1));
            assertEquals(WireError.ICMP_BAD_CHECKSUM, IcmpHeader.check(p, h, 0, big.length));
            assertEquals(WireError.ICMP_TOO_SHORT, IcmpHeader.check(p, h, 0, 7));
            p.freem(h);
            p.close();
        }
    }

    private static byte[] withZeroChecksum(byte[] b) {
        b[2] = 0;
        b[3] = 0;
        return b;
    }
}
