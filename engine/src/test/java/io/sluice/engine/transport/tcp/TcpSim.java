package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.phy.PcapWriter;
import io.sluice.engine.wire.EthernetFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.wire.Ipv4Header;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;

/**
 * A deterministic network of two hosts, each with its own {@link TcpStack}, joined by an in-memory wire with a
 * virtual clock: one-way delay, an optional bottleneck rate, and seeded faults (loss, duplication, reordering).
 * The test drives time; nothing depends on the wall clock. Both stacks share one pool, which must be full again
 * when the simulation is closed.
 */
final class TcpSim implements AutoCloseable {
    static final int A = 0x0A000001;
    static final int B = 0x0A000002;
    static final long MS = 1_000_000L;

    final PbufPool pool;
    final Pbufs p;
    final TcpStack a;
    final TcpStack b;
    final End endA;
    final End endB;
    final Random rnd;
    long now = 1_000 * MS;
    long tickNanos = MS / 10;
    long delay = MS;
    /** Bytes per second of each direction's bottleneck; 0 for none. */
    long bytesPerSecond;
    double loss;
    double duplicate;
    double reorder;
    long reorderExtra = 3 * MS;
    /** Frames dropped on purpose by a test (on top of {@link #loss}). */
    IntPredicate filter;
    int mtu = 1500;
    long delivered;
    /** Runs after each tick: an application's retries (a source whose pool ran dry). */
    Runnable onTick = () -> { };
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long order;
    private final Emitter emitter = new Emitter(64);
    /** When set, every datagram either host sends is written here (in an Ethernet frame), loss or not. */
    private PcapWriter capture;

    private record Event(long at, long order, int handle, End to) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }

    TcpSim(long seed, TcpConfig ca, TcpConfig cb) {
        this(seed, ca, cb, 1 << 15);
    }

    TcpSim(long seed, TcpConfig ca, TcpConfig cb, int slots) {
        pool = PbufPool.create(slots);
        p = pool.local();
        rnd = new Random(seed);
        a = new TcpStack(ca.seed(seed * 31 + 1));
        b = new TcpStack(cb.seed(seed * 31 + 2));
        endA = new End(A, a);
        endB = new End(B, b);
        endA.peer = endB;
        endB.peer = endA;
        a.attach(endA);
        b.attach(endB);
        a.tick(p, now);
        b.tick(p, now);
    }

    static TcpConfig config() {
        return new TcpConfig().maxConnections(2048).msl(500 * MS).minRto(20 * MS).initialRto(100 * MS)
            .delayedAck(5 * MS);
    }

    /** One host's side of the wire: its IP output. */
    final class End implements IpOutput {
        final int addr;
        final TcpStack stack;
        End peer;
        long busyUntil;
        long sent;
        /** When true, every send answers NO_ROOM (a full transmit path). */
        boolean full;

        End(int addr, TcpStack stack) {
            this.addr = addr;
            this.stack = stack;
        }

        @Override
        public int send(Pbufs p, int segment, int src, int dst, int protocol, int tos, boolean df) {
            if (full) {
                return NO_ROOM;
            }
            if (dst != peer.addr) {
                p.freem(segment);
                return DROPPED;
            }
            int h = p.prepend(segment, Ipv4Header.MIN_HEADER_LENGTH);
            if (h == PbufHandle.NULL) {
                return DROPPED;
            }
            int total = p.length(h);
            Ipv4Header.write(p.segment(), p.address(h), tos, total, 0, Ipv4Header.FLAG_DF, 64, protocol, src, dst);
            sent++;
            record(p, h);
            if (filter != null && !filter.test(h) || loss > 0 && rnd.nextDouble() < loss) {
                p.freem(h);
                return SENT;
            }
            long depart = now;
            if (bytesPerSecond > 0) {
                depart = Math.max(now, busyUntil) + total * 1_000_000_000L / bytesPerSecond;
                busyUntil = depart;
            }
            long at = depart + delay;
            if (reorder > 0 && rnd.nextDouble() < reorder) {
                at += reorderExtra;
            }
            if (duplicate > 0 && rnd.nextDouble() < duplicate) {
                int copy = p.dup(h);
                if (copy != PbufHandle.NULL) {
                    events.add(new Event(at + MS / 2, order++, copy, peer));
                }
            }
            events.add(new Event(at, order++, h, peer));
            return SENT;
        }

        @Override
        public int sourceFor(int dst) {
            return dst == peer.addr ? addr : 0;
        }

        @Override
        public int mtuFor(int dst) {
            return dst == peer.addr ? mtu : 0;
        }

        @Override
        public boolean isLocal(int address) {
            return address == addr;
        }
    }

    /** Writes every datagram sent from now on to a pcap file (tcpdump and Wireshark read it); virtual times. */
    void capture(Path file) throws IOException {
        capture = PcapWriter.create(file);
    }

    private void record(Pbufs p, int datagram) {
        if (capture == null) {
            return;
        }
        int copy = p.dup(datagram);
        if (copy == PbufHandle.NULL) {
            return;
        }
        copy = p.prepend(copy, EthernetFrame.HEADER_LENGTH);
        if (copy == PbufHandle.NULL) {
            return;
        }
        int src = Ipv4Header.src(p.segment(), p.address(copy) + EthernetFrame.HEADER_LENGTH);
        EthernetFrame.write(p.segment(), p.address(copy), 0x0200_0000_0000L | (src == A ? B : A) & 0xFF,
            0x0200_0000_0000L | src & 0xFF, EthernetFrame.ETHERTYPE_IPV4);
        try {
            capture.write(p, copy, now);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            p.freem(copy);
        }
    }

    /** Injects a raw IPv4 datagram (a test's crafted segment) to a host, at the current time. */
    void inject(End to, int datagram) {
        events.add(new Event(now, order++, datagram, to));
    }

    /** Runs until {@code done} holds or {@code maxNanos} of virtual time pass; returns whether it held. */
    boolean runUntil(BooleanSupplier done, long maxNanos) {
        long deadline = now + maxNanos;
        long nextTick = now + tickNanos;
        while (!done.getAsBoolean()) {
            if (now - deadline >= 0) {
                return false;
            }
            Event e = events.peek();
            if (e != null && e.at <= nextTick) {
                events.poll();
                now = Math.max(now, e.at);
                delivered++;
                e.to.stack.deliver(p, e.handle, 0, emitter);
            } else {
                now = nextTick;
                nextTick += tickNanos;
                a.tick(p, now);
                b.tick(p, now);
                onTick.run();
            }
        }
        return true;
    }

    void run(long nanos) {
        runUntil(() -> false, nanos);
    }

    @Override
    public void close() {
        if (capture != null) {
            try {
                capture.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        a.release(p);
        b.release(p);
        while (!events.isEmpty()) {
            p.freem(events.poll().handle);
        }
        p.close();
        pool.close();
    }
}
