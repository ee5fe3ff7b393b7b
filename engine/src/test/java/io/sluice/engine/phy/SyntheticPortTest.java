package io.sluice.engine.phy;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generator and sink port, and the frames it makes. */
@ExtendWith(PbufLeakExtension.class)
class SyntheticPortTest {
    private static final long T0 = 1_700_000_000_123_456_789L;

    private final AtomicLong now = new AtomicLong(T0);
    private final NanoClock clock = now::get;

    @Test
    void aSixtyByteFrameHasTheDocumentedBytes() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").clock(clock).build();
            int[] out = new int[2];
            assertEquals(2, gen.receiveBurst(p, out, 2));
            String expect = ""
                + "020000000002" + "020000000001" + "0800"                  // Ethernet: dst, src, IPv4
                + "45" + "00" + "002e" + "0000" + "4000" + "40" + "11"      // IPv4: v4 ihl 5, tos, len 46, id, DF, ttl 64, UDP
                + "ae97" + "c6120001" + "c6130001"                          //   checksum, 198.18.0.1 -> 198.19.0.1
                + "0400" + "0009" + "001a" + "0000"                         // UDP: 1024 -> 9, length 26, no checksum
                + "be9be955" + "00000000" + "17979cfe3d85cd15"              // magic, seq 0, timestamp T0
                + "0000";                                                   // padding to 60
            byte[] first = p.toArray(out[0]);
            assertEquals(expect, HexFormat.of().formatHex(first));
            byte[] second = p.toArray(out[1]);
            assertEquals(1, ByteBuffer.wrap(second).getInt(TestFrame.SEQ_OFFSET), "seq at offset 46");
            assertEquals(TestFrame.MAGIC, ByteBuffer.wrap(second).getInt(TestFrame.MAGIC_OFFSET), "magic at 42");
            assertEquals(T0, ByteBuffer.wrap(second).getLong(TestFrame.TIMESTAMP_OFFSET), "timestamp at 50");
            assertEquals(0xFFFF, onesComplementSum(first, TestFrame.IP_OFFSET, 20), "a valid IPv4 header checksum");
            assertEquals(60, p.pktLen(out[0]));
            assertEquals(T0, p.timestamp(out[0]), "the packet header carries the timestamp too");
            assertEquals(0, p.flowHash(out[0]));
            assertEquals(2, gen.counters().rxPackets());
            assertEquals(120, gen.counters().rxBytes());
            p.freem(out, 2);
            assertPoolFull(pool);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {60, 61, 64, 128, 512, 1000, 1514})
    void everySizeHasConsistentLengthsAndAValidChecksum(int size) {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").frameSize(size).clock(clock).build();
            int[] out = new int[1];
            assertEquals(1, gen.receiveBurst(p, out, 1));
            byte[] f = p.toArray(out[0]);
            ByteBuffer b = ByteBuffer.wrap(f);
            assertEquals(size, f.length);
            assertEquals(size, p.pktLen(out[0]));
            assertEquals(size - 14, b.getShort(16) & 0xFFFF, "IPv4 total length");
            assertEquals(size - 34, b.getShort(38) & 0xFFFF, "UDP length");
            assertEquals(0xFFFF, onesComplementSum(f, 14, 20));
            for (int i = 58; i < size; i++) {
                assertEquals(0, f[i], "padding at " + i);
            }
            p.freem(out[0]);
            assertPoolFull(pool);
        }
        assertThrows(IllegalArgumentException.class, () -> SyntheticPort.builder("g").frameSize(59).build());
        assertThrows(IllegalArgumentException.class, () -> SyntheticPort.builder("g").frameSize(1515).build());
        assertThrows(IllegalArgumentException.class, () -> SyntheticPort.builder("g").flows(0));
        assertThrows(IllegalArgumentException.class, () -> SyntheticPort.builder("g").flows(64512));
    }

    @Test
    void flowsCycleTheUdpSourcePort() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").flows(3).maxBurst(4).clock(clock).build();
            int[] out = new int[4];
            for (int k = 0; k < 20; ) {
                int n = gen.receiveBurst(p, out, 4);
                assertEquals(4, n);
                for (int i = 0; i < n; i++, k++) {
                    byte[] f = p.toArray(out[i]);
                    ByteBuffer b = ByteBuffer.wrap(f);
                    assertEquals(1024 + k % 3, b.getShort(TestFrame.UDP_SRC_PORT_OFFSET) & 0xFFFF, "frame " + k);
                    assertEquals(9, b.getShort(TestFrame.UDP_OFFSET + 2), "destination port");
                    assertEquals(k % 3, p.flowHash(out[i]));
                    assertEquals(k, b.getInt(TestFrame.SEQ_OFFSET));
                    assertEquals(0xFFFF, onesComplementSum(f, 14, 20), "the IP header does not change with the flow");
                }
                p.freem(out, n);
            }
            SyntheticPort wide = SyntheticPort.builder("wide").flows(64511).maxBurst(1).clock(clock).build();
            int[] one = new int[1];
            for (int k = 0; k < 64511; k++) {
                wide.receiveBurst(p, one, 1);
                if (k == 64510) {
                    assertEquals(65534, ByteBuffer.wrap(p.toArray(one[0])).getShort(34) & 0xFFFF);
                }
                p.freem(one[0]);
            }
            wide.receiveBurst(p, one, 1);
            assertEquals(1024, ByteBuffer.wrap(p.toArray(one[0])).getShort(34) & 0xFFFF, "and around again");
            p.freem(one[0]);
            assertPoolFull(pool);
        }
    }

    @Test
    void theGeneratorStopsAtItsCount() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").count(10).maxBurst(4).clock(clock).build();
            int[] out = new int[32];
            assertFalse(gen.exhausted());
            int[] got = new int[5];
            for (int i = 0; i < 5; i++) {
                got[i] = gen.receiveBurst(p, out, 32);
                p.freem(out, got[i]);
            }
            assertArrayEquals(new int[] {4, 4, 2, 0, 0}, got, "maxBurst per call, then the count");
            assertTrue(gen.exhausted());
            assertEquals(10, gen.generated());
            assertEquals(10, gen.counters().rxPackets());
            assertEquals(0, SyntheticPort.builder("none").count(0).clock(clock).build().receiveBurst(p, out, 32));
            assertPoolFull(pool);
        }
    }

    @Test
    void anEmptyPoolIsCountedAsDrops() {
        try (PbufPool pool = PbufPool.create(16)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").frameSize(1514).clock(clock).build();
            int[] out = new int[32];
            int n = gen.receiveBurst(p, out, 32);
            assertEquals(4, n, "16 pbufs hold four 1514-byte frames");
            assertEquals(1, gen.counters().rxDrops(PortCounters.Drop.RX_NO_PBUFS));
            assertEquals(4, gen.generated(), "the frame that found no pbufs is not generated");
            p.freem(out, n);
            assertEquals(4, gen.receiveBurst(p, out, 32));
            assertEquals(4, ByteBuffer.wrap(p.toArray(out[0])).getInt(TestFrame.SEQ_OFFSET), "no sequence gap");
            p.freem(out, 4);
            assertPoolFull(pool);
        }
    }

    @Test
    void aRateIsKeptOnTheInjectedClock() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").ratePps(1000).maxBurst(32).clock(clock).build();
            int[] out = new int[32];
            assertEquals(0, gen.receiveBurst(p, out, 32), "no time has passed");
            now.addAndGet(1_000_000);
            assertEquals(1, gen.receiveBurst(p, out, 32), "1 ms at 1000 pps");
            p.freem(out[0]);
            now.addAndGet(10_000_000);
            assertEquals(10, gen.receiveBurst(p, out, 32));
            p.freem(out, 10);
            assertEquals(0, gen.receiveBurst(p, out, 32), "the clock stood still");
            now.addAndGet(60_000_000_000L);
            assertEquals(32, gen.receiveBurst(p, out, 32), "an idle minute: a burst's worth, not 60 000 frames");
            p.freem(out, 32);
            assertEquals(0, gen.receiveBurst(p, out, 32));
            now.addAndGet(2_500_000);
            assertEquals(1, gen.receiveBurst(p, out, 1), "asked for one of the 2.5 due");
            p.freem(out[0]);
            assertEquals(1, gen.receiveBurst(p, out, 32), "the rest stays due");
            p.freem(out[0]);

            // a simulated second in 1 ms steps
            long before = gen.generated();
            for (int ms = 0; ms < 1000; ms++) {
                now.addAndGet(1_000_000);
                int n = gen.receiveBurst(p, out, 32);
                p.freem(out, n);
            }
            long second = gen.generated() - before;
            assertTrue(second >= 999 && second <= 1001, second + " frames in a second at 1000 pps");

            // a slow rate over ten seconds
            SyntheticPort slow = SyntheticPort.builder("slow").ratePps(3).clock(clock).build();
            for (int ms = 0; ms < 10_000; ms++) {
                now.addAndGet(1_000_000);
                int n = slow.receiveBurst(p, out, 32);
                p.freem(out, n);
            }
            assertTrue(slow.generated() >= 29 && slow.generated() <= 30, slow.generated() + " frames in 10 s at 3 pps");
            assertPoolFull(pool);
        }
    }

    @Test
    void theSinkCountsFramesCorruptAndReorderedAndRecordsLatency() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").clock(clock).build();
            SyntheticPort sink = SyntheticPort.builder("sink").clock(clock).build();
            int[] f = new int[11];
            assertEquals(11, gen.receiveBurst(p, f, 11)); // seq 0..10, stamped T0
            int good = f[10];
            now.addAndGet(5_000);
            // 0 1 2 5, then 3 and 4 (both reordered), 6 9, then a copy of 9 (a duplicate, not reordered)
            int[] order = {0, 1, 2, 5, 3, 4, 6, 9};
            int[] burst = new int[order.length];
            for (int k = 0; k < order.length; k++) {
                burst[k] = f[order[k]];
            }
            int dup = p.dup(f[9]);
            assertEquals(3, sink.transmitBurst(p, burst, 0, 3));
            assertEquals(5, sink.transmitBurst(p, burst, 3, 5));
            assertEquals(1, sink.transmitBurst(p, new int[] {dup}, 0, 1));
            p.freem(f[7]);
            p.freem(f[8]);
            assertEquals(2, sink.reordered(), "3 and 4 after 5; the copy of 9 after 9 is no reordering");
            assertEquals(9, sink.sunk());
            assertEquals(0, sink.corrupt());

            // corrupt: a wrong magic, and a frame too short to hold a timestamp
            int bad = p.allocReceive(60);
            p.copyback(bad, 0, new byte[60], 0, 60);
            int shortFrame = p.allocReceive(57);
            assertEquals(3, sink.transmitBurst(p, new int[] {bad, shortFrame, good}, 0, 3));
            assertEquals(2, sink.corrupt());
            assertEquals(12, sink.sunk());
            assertEquals(12, sink.counters().txPackets());
            assertEquals(11 * 60 + 57, sink.counters().txBytes());

            Histogram latency = sink.latency();
            assertEquals(10, latency.getTotalCount(), "every good frame");
            assertTrue(latency.valuesAreEquivalent(5_000, latency.getMaxValue()), "max " + latency.getMaxValue());
            assertTrue(latency.valuesAreEquivalent(5_000, latency.getMinValue()), "min " + latency.getMinValue());

            // a timestamp from the future is not a latency
            int future = gen.receiveBurst(p, f, 1) == 1 ? f[0] : -1;
            now.addAndGet(-10_000);
            sink.transmitBurst(p, new int[] {future}, 0, 1);
            assertEquals(10, sink.latency().getTotalCount());
            assertPoolFull(pool);
        }
    }

    private static int onesComplementSum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += (b[off + i] & 0xFF) << 8 | b[off + i + 1] & 0xFF;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    private static void assertPoolFull(PbufPool pool) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> pool.leakReport().toString());
        assertEquals(s.total(), s.free() + s.cached(), "every slot is back on a free list");
    }
}
