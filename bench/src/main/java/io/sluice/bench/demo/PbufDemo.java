package io.sluice.bench.demo;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.ring.SpscRing;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool demo: a sender thread builds packets of mixed sizes the way a stack does (payload at the
 * transport layer, then UDP, IPv4 and Ethernet headers prepended into headroom) and passes them through an
 * SPSC ring to a receiver thread, which checks each packet's length and sequence number, strips the headers
 * and frees it. At the end the pool must be full again.
 */
public final class PbufDemo {
    /** Payload sizes, a simple IMIX: 7 small, 4 medium, 1 full-size frame out of 12. */
    private static final int[] PAYLOADS = {18, 18, 18, 18, 18, 18, 18, 552, 552, 552, 552, 1472};
    private static final int HEADERS = 14 + 20 + 8;
    private static final int BURST = 32;

    private final long packets;
    private final int slots;
    private final int maxSeconds;
    private final PrintStream out;

    public record Result(long sent, long received, long errors, boolean poolFull, long nanos) {
        public boolean ok() {
            return errors == 0 && poolFull && sent == received;
        }
    }

    public PbufDemo(long packets, int slots, int maxSeconds, PrintStream out) {
        this.packets = packets;
        this.slots = slots;
        this.maxSeconds = maxSeconds;
        this.out = out;
    }

    public Result run() {
        PoolConfig config = PoolConfig.fromSystemProperties().slots(slots).name("demo");
        try (PbufPool pool = PbufPool.create(config)) {
            int senderId = pool.registerOwner("sender");
            int receiverId = pool.registerOwner("receiver");
            SpscRing ring = new SpscRing("sender->receiver", 1024);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            AtomicLong sent = new AtomicLong();
            AtomicLong received = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            AtomicLong denied = new AtomicLong();
            long start = System.nanoTime();

            AtomicBoolean senderDone = new AtomicBoolean();
            Thread sender = new Thread(() -> {
                try (Pbufs p = pool.local()) {
                    p.owner(senderId);
                    sent.set(send(p, ring, deadline, denied));
                } finally {
                    senderDone.set(true);
                }
            }, "sender");
            Thread receiver = new Thread(() -> {
                try (Pbufs p = pool.local()) {
                    p.owner(receiverId);
                    receive(p, ring, senderDone, received, errors, bytes);
                }
            }, "receiver");
            receiver.start();
            sender.start();
            join(sender);
            join(receiver);
            long nanos = System.nanoTime() - start;
            long leftInRing = drain(pool, ring);
            if (leftInRing > 0) {
                out.printf("freed %,d packets left in the ring%n", leftInRing);
            }

            PbufStats stats = pool.stats();
            boolean full = stats.inUse() == 0 && stats.free() + stats.cached() == stats.total();
            double seconds = nanos / 1e9;
            out.printf("sluice demo: %,d packets (%,d bytes) sent and received across two threads in %.3f s%n",
                received.get(), bytes.get(), seconds);
            out.printf("  %.2f Mpps, %.2f Gbit/s of frames, %,d checks failed, %,d gets denied (retried)%n",
                received.get() / seconds / 1e6, bytes.get() * 8 / seconds / 1e9, errors.get(), denied.get());
            out.printf("  ring %s: high water %d of %d, %,d full and %,d empty events%n", ring.name(),
                ring.highWater(), ring.capacity(), ring.fullEvents(), ring.emptyEvents());
            out.println();
            out.println("netstat -m:");
            out.print(pool.netstat());
            out.println(full ? "pool full again: every pbuf came back" : "POOL NOT FULL: " + pool.leakReport());
            return new Result(sent.get(), received.get(), errors.get(), full, nanos);
        }
    }

    private long send(Pbufs p, SpscRing ring, long deadline, AtomicLong denied) {
        MemorySegment seg = p.segment();
        int[] burst = new int[BURST];
        long seq = 0;
        while (seq < packets && System.nanoTime() < deadline) {
            int n = 0;
            while (n < BURST && seq < packets) {
                int payload = PAYLOADS[(int) (seq % PAYLOADS.length)];
                int h = p.alloc(Layer.TRANSPORT, payload);
                if (h == PbufHandle.NULL) {
                    denied.incrementAndGet();
                    break;
                }
                seg.set(ValueLayout.JAVA_LONG_UNALIGNED, p.address(h), seq);
                h = p.prepend(h, 8);    // UDP
                h = p.prepend(h, 20);   // IPv4
                h = p.prepend(h, 14);   // Ethernet
                long eth = p.address(h);
                seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, eth + 12, (short) 0x0008); // 0x0800 on the wire
                seg.set(ValueLayout.JAVA_BYTE, eth + 14, (byte) 0x45);
                burst[n++] = h;
                seq++;
            }
            int off = 0;
            while (off < n) {
                off += ring.offerBurst(burst, off, n - off);
                if (off < n) {
                    if (System.nanoTime() >= deadline) {
                        for (int k = off; k < n; k++) {
                            p.freem(burst[k]);
                        }
                        return seq - (n - off);
                    }
                    Thread.onSpinWait();
                }
            }
        }
        return seq;
    }

    /** Frees what is still in the ring, should the receiver have stopped early: nothing is lost. */
    private static long drain(PbufPool pool, SpscRing ring) {
        long n = 0;
        try (Pbufs p = pool.local()) {
            for (int h = ring.poll(PbufHandle.NULL); h != PbufHandle.NULL; h = ring.poll(PbufHandle.NULL)) {
                p.freem(h);
                n++;
            }
        }
        return n;
    }

    private void receive(Pbufs p, SpscRing ring, AtomicBoolean senderDone, AtomicLong received,
                         AtomicLong errors, AtomicLong bytes) {
        MemorySegment seg = p.segment();
        int[] burst = new int[BURST];
        long expected = 0;
        long byteCount = 0;
        while (true) {
            int n = ring.pollBurst(burst, 0, BURST);
            if (n == 0) {
                if (senderDone.get() && ring.size() == 0) {
                    break;
                }
                Thread.onSpinWait();
                continue;
            }
            for (int k = 0; k < n; k++) {
                int h = burst[k];
                p.claim(h);
                int len = p.pktLen(h);
                int payload = PAYLOADS[(int) (expected % PAYLOADS.length)];
                byteCount += len;
                h = p.adj(h, HEADERS);
                long seq = p.len(h) >= 8 ? seg.get(ValueLayout.JAVA_LONG_UNALIGNED, p.address(h)) : -1;
                if (len != payload + HEADERS || seq != expected) {
                    errors.incrementAndGet();
                }
                expected++;
                p.freem(h);
            }
        }
        received.set(expected);
        bytes.set(byteCount);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + t.getName(), e);
        }
    }
}
