package io.sluice.engine.transport.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pieces of the stack on their own: the tuple table, the out-of-order queue, RTO, CUBIC, cookies, ISNs. */
@ExtendWith(PbufLeakExtension.class)
class TcpPartsTest {
    private static final long MS = 1_000_000L;

    @Test
    void theConnectionTableAgreesWithAHashMapUnderChurn() {
        ConnectionTable t = new ConnectionTable(512, 99);
        Map<String, Integer> ref = new HashMap<>();
        Random rnd = new Random(6);
        int[][] keys = new int[2000][];
        for (int i = 0; i < keys.length; i++) {
            // Few distinct values, so that probe runs collide and wrap.
            keys[i] = new int[] {rnd.nextInt(4), rnd.nextInt(8), rnd.nextInt(4), rnd.nextInt(16)};
        }
        for (int step = 0; step < 200_000; step++) {
            int[] k = keys[rnd.nextInt(keys.length)];
            String name = k[0] + "/" + k[1] + "/" + k[2] + "/" + k[3];
            Integer v = ref.get(name);
            assertEquals(v == null ? -1 : v, t.find(k[0], k[1], k[2], k[3]));
            if (v == null && ref.size() < 512) {
                t.put(k[0], k[1], k[2], k[3], step & 0xFFFF);
                ref.put(name, step & 0xFFFF);
            } else if (v != null && rnd.nextBoolean()) {
                assertTrue(t.remove(k[0], k[1], k[2], k[3]));
                ref.remove(name);
            }
            assertEquals(ref.size(), t.size());
        }
        for (Map.Entry<String, Integer> e : ref.entrySet()) {
            String[] f = e.getKey().split("/");
            assertEquals(e.getValue(), t.find(Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        }
    }

    @Test
    void theOutOfOrderQueueTrimsOverlapsAndKeepsItsBounds() {
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            OutOfOrderQueue q = new OutOfOrderQueue(3, 100);
            assertEquals(OutOfOrderQueue.QUEUED, q.insert(p, 1000, 100, bytes(p, 1000, 100), false));
            assertEquals(OutOfOrderQueue.QUEUED, q.insert(p, 1300, 100, bytes(p, 1300, 100), false));
            assertEquals(OutOfOrderQueue.DUPLICATE, q.insert(p, 1010, 50, bytes(p, 1010, 50), false));
            // Overlaps both: trimmed to the gap between them.
            assertEquals(OutOfOrderQueue.QUEUED, q.insert(p, 1050, 300, bytes(p, 1050, 300), false));
            assertEquals(3, q.size());
            assertEquals(OutOfOrderQueue.FULL, q.insert(p, 2000, 10, bytes(p, 2000, 10), false));
            int expect = 1000;
            while (!q.isEmpty()) {
                assertEquals(expect, q.firstSeq());
                int len = q.firstLen();
                int h = q.takeFirst(p);
                byte[] d = p.toArray(h);
                assertEquals(len, d.length);
                for (int i = 0; i < len; i++) {
                    assertEquals((byte) (expect + i), d[i], "byte " + (expect + i));
                }
                p.freem(h);
                expect += len;
            }
            assertEquals(1400, expect);
            // A segment that covers a held one whole replaces it.
            q.insert(p, 5000, 10, bytes(p, 5000, 10), false);
            q.insert(p, 4990, 40, bytes(p, 4990, 40), false);
            assertEquals(1, q.size());
            assertEquals(4990, q.firstSeq());
            assertEquals(40, q.firstLen());
            // A FIN follows the data it came with, and survives a copy that covers the same bytes.
            q.insert(p, 6000, 10, bytes(p, 6000, 10), true);
            assertEquals(OutOfOrderQueue.DUPLICATE, q.insert(p, 6000, 10, bytes(p, 6000, 10), false));
            assertFalse(q.firstFin());
            p.freem(q.takeFirst(p));
            assertEquals(6000, q.firstSeq());
            assertTrue(q.firstFin());
            // A longer segment that covers it whole takes its FIN only if it ends where it did.
            assertEquals(OutOfOrderQueue.QUEUED, q.insert(p, 5990, 20, bytes(p, 5990, 20), false));
            assertEquals(1, q.size());
            assertTrue(q.firstFin());
            q.clear(p);
            p.close();
        }
    }

    /** Bytes {@code seq, seq + 1, ...}: a byte's value is its sequence number's low byte. */
    private static int bytes(Pbufs p, int seq, int len) {
        int h = p.alloc(Layer.RAW, len);
        byte[] d = new byte[len];
        for (int i = 0; i < len; i++) {
            d[i] = (byte) (seq + i);
        }
        p.copyback(h, 0, d, 0, len);
        return h;
    }

    @Test
    void rtoFollowsRfc6298() {
        RttEstimator r = new RttEstimator(200 * MS, 60_000 * MS, 1_000 * MS);
        assertEquals(1_000 * MS, r.rto(), "1 s before a sample (2.1)");
        r.sample(100 * MS);
        assertEquals(100 * MS, r.srtt());
        assertEquals(300 * MS, r.rto(), "SRTT + 4 * R/2 (2.2)");
        r.sample(100 * MS);
        // RTTVAR = 3/4 * 50 + 1/4 * 0 = 37.5; SRTT = 100; RTO = 100 + 150 = 250 ms.
        assertEquals(250 * MS, r.rto());
        r.backOff();
        assertEquals(500 * MS, r.rto(), "doubled on a timeout (5.5)");
        for (int i = 0; i < 40; i++) {
            r.backOff();
        }
        assertEquals(60_000 * MS, r.rto(), "bounded by the maximum (2.5)");
        RttEstimator fast = new RttEstimator(200 * MS, 60_000 * MS, 1_000 * MS);
        fast.sample(MS);
        assertEquals(200 * MS, fast.rto(), "bounded by the minimum (2.4)");
    }

    @Test
    void cubicReturnsToItsFormerMaximumAfterKSeconds() {
        Cubic c = new Cubic();
        int mss = 1000;
        c.init(mss, 10);
        c.setCwnd(100 * mss);
        long now = 0;
        c.onCongestion(100 * mss, now);
        assertEquals(70 * mss, c.ssthresh(), "beta 0.7 (RFC 9438 4.6)");
        c.setCwnd(c.ssthresh());
        // K = cbrt(W_max * (1 - beta) / C) = cbrt(75) = 4.22 s. Feed one window of ACKs per 100 ms round trip.
        long rtt = 100 * MS;
        int atK = 0;
        for (int round = 0; round < 60; round++) {
            now += rtt;
            int w = c.cwnd();
            for (int acked = 0; acked < w; acked += mss) {
                c.onAck(mss, now, rtt);
            }
            if (round == 41) {
                atK = c.cwnd();
            }
        }
        assertTrue(Math.abs(atK - 100 * mss) < 8 * mss, "near W_max at K: " + atK);
        assertTrue(c.cwnd() > 100 * mss, "convex beyond it: " + c.cwnd());
        Reno r = new Reno();
        r.init(mss, 10);
        assertEquals(10 * mss, r.cwnd(), "RFC 6928's initial window");
        r.onCongestion(40 * mss, 0);
        assertEquals(20 * mss, r.ssthresh(), "half the flight (RFC 5681 (4))");
    }

    @Test
    void synCookiesVerifyForTwoPeriodsAndCarryTheMss() {
        SynCookies cookies = new SynCookies(new KeyedHash(1, 2));
        long now = 1_000_000 * MS;
        int c = cookies.make(1, 80, 2, 40000, 12345, 2, now);
        assertEquals(2, cookies.check(1, 80, 2, 40000, 12345, c, now));
        assertEquals(2, cookies.check(1, 80, 2, 40000, 12345, c, now + 64_000 * MS));
        assertEquals(-1, cookies.check(1, 80, 2, 40000, 12345, c, now + 130_000 * MS), "too old");
        assertEquals(-1, cookies.check(1, 80, 2, 40001, 12345, c, now), "another tuple");
        assertEquals(-1, cookies.check(1, 80, 2, 40000, 12346, c, now), "another peer ISN");
        assertEquals(-1, cookies.check(1, 80, 2, 40000, 12345, c ^ 0x100, now), "a guess");
        assertEquals(3, SynCookies.mssIndex(1460));
        assertEquals(0, SynCookies.mssIndex(600));
    }

    @Test
    void initialSequenceNumbersDifferByTupleAndAdvanceWithTheClock() {
        TcpStack s = new TcpStack(new TcpConfig().maxConnections(4).seed(3));
        int a = s.isn(1, 1000, 2, 80);
        int b = s.isn(1, 1001, 2, 80);
        assertNotEquals(a, b, "a keyed hash of the tuple (RFC 6528)");
        s.now += 4_000_000; // 4 ms: M advances by 1000
        assertEquals(a + 1000, s.isn(1, 1000, 2, 80));
        assertEquals(0, TcpStack.windowShift(65_535));
        assertEquals(3, TcpStack.windowShift(256 * 1024));
        assertEquals(14, TcpStack.windowShift(1 << 30));
    }
}
