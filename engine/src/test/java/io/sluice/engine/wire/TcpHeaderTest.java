package io.sluice.engine.wire;

import static io.sluice.engine.wire.WireTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class TcpHeaderTest {
    /**
     * 10.0.0.1:40000 -> 10.0.0.2:80 SYN, seq 0x01020304, window 64240, options MSS 1460, SACK-permitted,
     * timestamps (1, 0), NOP, window scale 7; checksum 0x9875 (computed independently).
     */
    static final String SYN = "9c40 0050 01020304 00000000 a002 faf0 9875 0000"
        + "020405b4 0402 080a0000000100000000 01 030307";
    /** 10.0.0.1:80 -> 10.0.0.2:40000 PSH|ACK with "hello"; checksum 0x9343. */
    static final String DATA = "0050 9c40 11111111 01020305 5018 01f6 9343 0000 68656c6c6f";
    static final int SRC = 0x0A000001;
    static final int DST = 0x0A000002;

    @Test
    void readsARealSynAndItsOptions() {
        MemorySegment seg = segmentOf(hex(SYN));
        assertEquals(WireError.OK, TcpHeader.check(seg, 0, 40));
        assertEquals(40000, TcpHeader.srcPort(seg, 0));
        assertEquals(80, TcpHeader.dstPort(seg, 0));
        assertEquals(0x01020304, TcpHeader.seq(seg, 0));
        assertEquals(40, TcpHeader.headerLength(seg, 0));
        assertEquals(TcpHeader.SYN, TcpHeader.flags(seg, 0));
        assertEquals(64240, TcpHeader.window(seg, 0));
        TcpOptions o = new TcpOptions();
        assertEquals(WireError.OK, TcpHeader.parseOptions(seg, 0, o));
        assertEquals(1460, o.mss);
        assertEquals(7, o.windowScale);
        assertTrue(o.sackPermitted);
        assertTrue(o.timestamps);
        assertEquals(1, o.tsVal);
    }

    @Test
    void checksumsVerifyOverChainsAndCoverThePseudoHeader() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            byte[] d = hex(DATA);
            int h = chain(p, d, 7, 11, 3);
            assertEquals(WireError.OK, TcpHeader.checkChecksum(p, h, 0, d.length, SRC, DST));
            assertEquals(WireError.TCP_BAD_CHECKSUM, TcpHeader.checkChecksum(p, h, 0, d.length, SRC, DST + 1));
            p.freem(h);
            int s = chain(p, hex(SYN), 40);
            assertEquals(WireError.OK, TcpHeader.checkChecksum(p, s, 0, 40, SRC, DST));
            p.freem(s);
        }
    }

    @Test
    void writeAndFillProduceTheGoldenBytes() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            byte[] golden = hex(DATA);
            int h = chain(p, new byte[golden.length], golden.length);
            MemorySegment s = p.segment();
            long at = p.address(h);
            TcpHeader.write(s, at, 80, 40000, 0x11111111, 0x01020305, TcpHeader.PSH | TcpHeader.ACK, 502, 20);
            MemorySegment.copy(MemorySegment.ofArray(golden), 20, s, at + 20, 5);
            TcpHeader.fillChecksum(p, h, 0, golden.length, SRC, DST);
            assertArrayEquals(golden, p.toArray(h));
            p.freem(h);
        }
    }

    @Test
    void lengthsAndOptionsAreChecked() {
        assertEquals(WireError.TCP_TOO_SHORT, TcpHeader.check(segmentOf(new byte[19]), 0, 19));
        byte[] b = hex(SYN);
        b[12] = 0x40; // data offset 4
        assertEquals(WireError.TCP_BAD_DATA_OFFSET, TcpHeader.check(segmentOf(b), 0, 40));
        assertEquals(WireError.TCP_HEADER_TRUNCATED, TcpHeader.check(segmentOf(hex(SYN)), 0, 39));
        byte[] badMss = hex(SYN);
        badMss[21] = 5; // MSS option of length 5
        assertEquals(WireError.TCP_BAD_OPTION, TcpHeader.check(segmentOf(badMss), 0, 40));
        byte[] zeroLen = hex(SYN);
        zeroLen[21] = 0;
        assertEquals(WireError.TCP_BAD_OPTION, TcpHeader.check(segmentOf(zeroLen), 0, 40));
        byte[] runsPast = hex(SYN);
        runsPast[38] = 9; // window scale length past the header
        assertEquals(WireError.TCP_BAD_OPTION, TcpHeader.check(segmentOf(runsPast), 0, 40));
        byte[] endEarly = hex(SYN);
        endEarly[20] = 0; // end of options: the rest is ignored
        assertEquals(WireError.OK, TcpHeader.check(segmentOf(endEarly), 0, 40));
    }

    @Test
    void windowScaleAbove14IsUsedAs14AndUnknownOptionsAreSkipped() {
        byte[] b = hex(SYN);
        b[39] = 20;
        b[24] = 77; // the SACK-permitted option becomes an unknown kind of length 2
        TcpOptions o = new TcpOptions();
        assertEquals(WireError.OK, TcpHeader.check(segmentOf(b), 0, 40));
        assertEquals(WireError.OK, TcpHeader.parseOptions(segmentOf(b), 0, o));
        assertEquals(TcpHeader.MAX_WSCALE, o.windowScale);
        assertFalse(o.sackPermitted);
    }

    @Test
    void randomHeadersNeverReadPastTheirBytes() {
        Random rnd = new Random(9293);
        TcpOptions o = new TcpOptions();
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            MemorySegment seg = segmentOf(b);
            if (TcpHeader.check(seg, 0, b.length) == WireError.OK) {
                assertEquals(WireError.OK, TcpHeader.parseOptions(seg, 0, o));
                assertTrue(TcpHeader.headerLength(seg, 0) <= b.length);
            }
        }
    }
}
