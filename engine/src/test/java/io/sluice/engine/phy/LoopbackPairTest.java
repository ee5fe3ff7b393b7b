package io.sluice.engine.phy;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two in-memory ports back to back. */
@ExtendWith(PbufLeakExtension.class)
class LoopbackPairTest {

    private static int frame(Pbufs p, int seq, int size) {
        int h = p.allocReceive(size);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seq + i);
        }
        b[0] = (byte) (seq >>> 24);
        b[1] = (byte) (seq >>> 16);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        assertTrue(p.copyback(h, 0, b, 0, size));
        return h;
    }

    private static int seqOf(Pbufs p, int h) {
        return (p.getByte(h, 0) & 0xFF) << 24 | (p.getByte(h, 1) & 0xFF) << 16 | (p.getByte(h, 2) & 0xFF) << 8
            | p.getByte(h, 3) & 0xFF;
    }

    @Test
    void whatOneEndTransmitsTheOtherReceivesInBothDirections() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            LoopbackPair pair = LoopbackPair.create("wire", 8, 4);
            NicPort a = pair.a();
            NicPort b = pair.b();
            assertEquals("wire.a", a.name());
            assertEquals("wire.b", b.name());
            assertEquals(4, a.capabilities().maxBurst());
            int[] out = new int[16];
            assertEquals(0, b.receiveBurst(p, out, 16), "nothing sent yet");

            int[] ab = {frame(p, 1, 60), frame(p, 2, 100), frame(p, 3, 1514)};
            int[] sent = ab.clone();
            assertEquals(3, a.transmitBurst(p, ab, 0, 3));
            assertEquals(0, a.receiveBurst(p, out, 16), "a does not hear itself");
            assertEquals(3, b.receiveBurst(p, out, 16));
            assertArrayEquals(sent, Arrays.copyOf(out, 3), "the same packets: no copy");
            assertEquals(1, seqOf(p, out[0]));
            assertEquals(1514, p.pktLen(out[2]));
            p.freem(out, 3);

            int[] ba = {frame(p, 4, 60), frame(p, 5, 60)};
            assertEquals(1, b.transmitBurst(p, ba, 1, 1), "from an offset");
            assertEquals(1, b.transmitBurst(p, ba, 0, 1));
            assertEquals(2, a.receiveBurst(p, out, 16));
            assertEquals(5, seqOf(p, out[0]));
            assertEquals(4, seqOf(p, out[1]));
            p.freem(out, 2);

            assertEquals(3, a.counters().txPackets());
            assertEquals(60 + 100 + 1514, a.counters().txBytes());
            assertEquals(3, b.counters().rxPackets());
            assertEquals(60 + 100 + 1514, b.counters().rxBytes());
            assertEquals(2, b.counters().txPackets());
            assertEquals(120, b.counters().txBytes());
            assertEquals(2, a.counters().rxPackets());
            assertEquals(120, a.counters().rxBytes());
            a.close(p);
            b.close(p);
            assertPoolFull(pool);
        }
    }

    @Test
    void aFullDirectionTakesOnlyWhatFits() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            LoopbackPair pair = LoopbackPair.create("wire", 8, 32);
            int[] h = new int[12];
            for (int k = 0; k < h.length; k++) {
                h[k] = frame(p, k, 60 + k);
            }
            assertEquals(8, pair.a().transmitBurst(p, h, 0, 12), "8 fit");
            assertEquals(0, pair.a().transmitBurst(p, h, 8, 4), "full");
            for (int k = 8; k < 12; k++) {
                assertEquals(k, seqOf(p, h[k]), "the caller still owns what was not taken");
            }
            assertEquals(8, pair.a().counters().txPackets());
            long bytes8 = 0;
            for (int k = 0; k < 8; k++) {
                bytes8 += 60 + k;
            }
            assertEquals(bytes8, pair.a().counters().txBytes(), "bytes of the packets taken only");
            int[] out = new int[32];
            assertEquals(3, pair.b().receiveBurst(p, out, 3), "as many as asked");
            p.freem(out, 3);
            assertEquals(3, pair.a().transmitBurst(p, h, 8, 4), "3 free again");
            assertEquals(bytes8 + 68 + 69 + 70, pair.a().counters().txBytes());
            assertEquals(8, pair.b().receiveBurst(p, out, 32));
            for (int k = 0; k < 8; k++) {
                assertEquals(k + 3, seqOf(p, out[k]), "in order");
            }
            p.freem(out, 8);
            assertEquals(1, pair.a().transmitBurst(p, h, 11, 1));
            assertEquals(1, pair.b().receiveBurst(p, out, 32));
            p.freem(out[0]);
            assertEquals(12, pair.b().counters().rxPackets());
            assertEquals(12, pair.a().counters().txPackets());
            assertEquals(pair.a().counters().txBytes(), pair.b().counters().rxBytes());
            assertEquals(0, pair.a().transmitBurst(p, h, 0, 0));
            assertPoolFull(pool);
        }
    }

    @Test
    void burstsAreBoundedByMaxBurst() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            LoopbackPair pair = LoopbackPair.create("wire", 64, 4);
            int[] h = new int[10];
            for (int k = 0; k < h.length; k++) {
                h[k] = frame(p, k, 60);
            }
            assertEquals(4, pair.a().transmitBurst(p, h, 0, 10));
            assertEquals(4, pair.a().transmitBurst(p, h, 4, 6));
            assertEquals(2, pair.a().transmitBurst(p, h, 8, 2));
            int[] out = new int[32];
            assertEquals(4, pair.b().receiveBurst(p, out, 32));
            p.freem(out, 4);
            assertEquals(4, pair.b().receiveBurst(p, out, 32));
            p.freem(out, 4);
            assertEquals(2, pair.b().receiveBurst(p, out, 32));
            p.freem(out, 2);
            assertPoolFull(pool);
        }
    }

    @Test
    void closeFreesThePacketsInFlightToIt() {
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            LoopbackPair pair = LoopbackPair.create("wire", 16, 32);
            int[] h = new int[8];
            for (int k = 0; k < h.length; k++) {
                h[k] = frame(p, k, 1514);
            }
            assertEquals(5, pair.a().transmitBurst(p, h, 0, 5));
            assertEquals(3, pair.b().transmitBurst(p, h, 5, 3));
            assertEquals(8, pool.stats().inUse() / 4);
            pair.b().close(p);
            assertEquals(5, pair.b().counters().rxDrops(PortCounters.Drop.PORT_CLOSED));
            assertEquals(3, pool.stats().inUse() / 4, "b's close freed what was on its way to b");
            pair.a().close(p);
            assertEquals(3, pair.a().counters().rxDrops(PortCounters.Drop.PORT_CLOSED));
            assertEquals(0, pair.a().counters().rxPackets());
            assertPoolFull(pool);
        }
    }

    /**
     * One thread transmits on a, another receives on b and frees at once, through a ring small enough that
     * most bursts are only partly taken. The transmitter must not touch a packet once the ring has it: the
     * receiver may already have freed it (checked mode catches a use after free). Bounded by the count and
     * by a time budget after which the sender stops early; a later hard deadline guards against hangs.
     */
    @Test
    void aTransmitterAndAReceiverOnTwoThreads() throws Exception {
        final int total = 300_000;
        final long budget = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        final long deadline = budget + TimeUnit.SECONDS.toNanos(6);
        try (PbufPool pool = PbufPool.create(1024)) {
            LoopbackPair pair = LoopbackPair.create("wire", 4, 8);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong sentBytes = new AtomicLong();
            AtomicLong sentPackets = new AtomicLong(-1); // set when the sender is done
            Thread sender = new Thread(() -> {
                try (Pbufs p = pool.local()) {
                    int[] h = new int[8];
                    int count = 0;
                    int next = 0;
                    int last = total;
                    long rounds = 0;
                    long bytes = 0;
                    long idle = 0;
                    while ((next < last || count > 0) && failure.get() == null) {
                        if ((++rounds & 0x3FF) == 0 && System.nanoTime() > budget) {
                            last = next; // out of time: send what is in hand, no more
                        }
                        while (count < h.length && next < last) {
                            int size = 60 + next % 7;
                            h[count++] = frame(p, next++, size);
                            bytes += size;
                        }
                        int k = pair.a().transmitBurst(p, h, 0, count);
                        System.arraycopy(h, k, h, 0, count - k);
                        count -= k;
                        if (k == 0 && (++idle & 0xFFF) == 0) {
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError("sender stalled at " + next);
                            }
                            Thread.yield();
                        }
                    }
                    p.freem(h, count);
                    sentBytes.set(bytes);
                    sentPackets.set(next);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "loopback-sender");
            sender.start();
            int got = 0;
            try (Pbufs p = pool.local()) {
                int[] out = new int[8];
                long idle = 0;
                while ((sentPackets.get() < 0 || got < sentPackets.get()) && failure.get() == null) {
                    int n = pair.b().receiveBurst(p, out, out.length);
                    for (int k = 0; k < n; k++) {
                        if (seqOf(p, out[k]) != got) {
                            failure.compareAndSet(null, new AssertionError("got " + seqOf(p, out[k]) + ", expected " + got));
                        }
                        got++;
                        p.freem(out[k]);
                    }
                    if (n == 0 && (++idle & 0xFFF) == 0) {
                        if (System.nanoTime() > deadline) {
                            failure.compareAndSet(null, new AssertionError("receiver stalled at " + got));
                        }
                        Thread.yield();
                    }
                }
            } finally {
                sender.join(TimeUnit.SECONDS.toMillis(15));
            }
            if (failure.get() != null) {
                throw new AssertionError("failed after " + got + " packets", failure.get());
            }
            assertFalse(sender.isAlive());
            assertEquals(sentPackets.get(), got);
            assertTrue(got >= Math.min(total, 20_000), "too few packets to mean anything: " + got);
            assertEquals(got, pair.a().counters().txPackets());
            assertEquals(got, pair.b().counters().rxPackets());
            assertEquals(sentBytes.get(), pair.a().counters().txBytes());
            assertEquals(sentBytes.get(), pair.b().counters().rxBytes());
            assertPoolFull(pool);
        }
    }

    private static void assertPoolFull(PbufPool pool) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> pool.leakReport().toString());
        assertEquals(s.total(), s.free() + s.cached(), "every slot is back on a free list");
    }
}
