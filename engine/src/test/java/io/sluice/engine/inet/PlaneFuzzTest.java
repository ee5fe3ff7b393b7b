package io.sluice.engine.inet;

import static io.sluice.engine.inet.Frames.checksum;
import static io.sluice.engine.inet.Frames.put16;
import static io.sluice.engine.inet.Frames.u16;
import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.config.RouteTableConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.route.NextHopTable;
import io.sluice.engine.route.RouteReader;
import io.sluice.engine.route.RouteTable;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.stage.EmitterProbe;
import io.sluice.engine.wire.ArpPacket;
import io.sluice.engine.wire.EthernetFrame;
import io.sluice.engine.wire.IcmpHeader;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz tests of the {@link ForwardingPlane}'s input path and of its {@link Reassembler}: the fuzzer's bytes are a
 * script of frames (each copied into a pbuf chain cut where the script says, received on port 0 or 1) and clock
 * ticks, run against a fresh two-port plane set up like the forwarder's lab: port 0 {@code 10.10.1.1/24}, port 1
 * {@code 10.10.2.1/24}, {@code 198.19.0.0/16} via the static neighbour {@code 10.10.2.2}, {@code 198.18.0.0/15}
 * via {@code 10.10.1.3} (never answers ARP), {@code 203.0.113.0/24} a blackhole; a small ARP cache, a small
 * reassembler.
 *
 * <p>Properties, for any script: {@code process} and {@code tick} never throw; every packet returned or emitted
 * is a sane chain holding a frame the plane may send (at least 14 bytes, {@code txif} a port, source MAC that
 * port's, a resolved destination MAC, a valid ARP packet or a valid IPv4 datagram no longer than the port's MTU
 * and exactly as long as the frame, with a valid ICMP message when it is a whole one the plane made); the test
 * frees each. At the end, after {@link ForwardingPlane#release}, the pool has every pbuf back (nothing leaked;
 * checked mode, {@code -Dsluice.pbuf.checked=true}, also throws on any double free or use after free) and
 * {@link Mib#ethInFrames} counts every frame fed. The reassembly target also checks after every step that the
 * reassembler holds no more datagrams and pbufs than its limits.
 *
 * <h2>Input format</h2>
 * Byte 0 configures the plane: bits 0-1 port 1's MTU ({@link #SINK_MTUS}), bits 2-6 the emitter's capacity
 * ({@code 2 + 2 * n}, so that small batches run out of room), bit 7 runs the script twice more, once with the
 * fake clock starting 10 s before it wraps instead of at 1000 s (a {@code nanoTime} may have any origin: only
 * differences mean anything) and once with every frame in one chain as a port receives it, and requires the
 * same frames sent and counters counted each time (see {@link Outcome}): the plane must read nothing of a
 * frame but its bytes.
 * Then operations, each an opcode and its operands, big-endian, until the bytes run out (missing operand bytes
 * read as 0). {@code frames}:
 * <pre>
 *  0xE0..0xFF  tick    u16 ms             advance the clock, then tick
 *  0x00..0xDF  frame   u8 cut, u16 len, len bytes: received on port (op &amp; 1), or port 2 (no such port) when
 *                      (op &amp; 0x18) == 0x18; op bit 1 sets the IP header checksum right, bit 2 the ICMP one
 *                      (when the bytes have room for them); cut 0 is one pbuf chain as a port receives it,
 *                      else see chain()
 * </pre>
 * {@code reassembly} ({@code op & 7} selects; the other bits are per operation):
 * <pre>
 *  0,1,2  fragment    u8 flags, u8 src/proto, u8 id, u16 offset (8-byte units), u16 payload length, u8 fill, u8 cut
 *                     op bit 3 pads the frame to 60 bytes, op bit 4 cuts 1 + (op &gt;&gt;&gt; 5) bytes off its end
 *  3      datagram    u8 flags, u8 src/proto, u8 id, u16 size, u8 fragment size (8-byte units - 1), u8 seed,
 *                     u8 cut: a whole echo request (or UDP, ...) cut into fragments fed in the order flags say
 *  4      repeat      u8 cut: the last fragment again, through the other port if op bit 3
 *  5      mutate      u8 position, u8 cut: the last fragment again with one payload byte changed
 *  6,7    tick        u16 ms
 * </pre>
 * The fields are decoded in {@link #fragment} and {@link #datagram}. {@link PlaneFuzzSeeds} writes the seeds.
 *
 * <p><b>Regression mode</b> (plain {@code mvn test}) replays the inputs under
 * {@code src/test/resources/io/sluice/engine/inet/PlaneFuzzTestInputs/<method>/}. <b>Fuzzing</b>, one method at
 * a time (see {@code WireFuzzTest}):
 * <pre>
 * JAZZER_FUZZ=1 JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 \
 *   mvn -B -pl engine test -Dtest='PlaneFuzzTest#frames' -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@ExtendWith(PbufLeakExtension.class)
class PlaneFuzzTest {
    private static final String FUZZ_TIME = "60s";

    static final long GEN_MAC = 0x02_00_00_00_01_01L;
    static final long SINK_MAC = 0x02_00_00_00_02_01L;
    static final long HOST_GEN = 0x02_00_00_00_01_02L;
    static final long HOST_SINK = 0x02_00_00_00_02_02L;
    static final int GEN_IP = ip(10, 10, 1, 1);
    static final int SINK_IP = ip(10, 10, 2, 1);
    static final int HOST_GEN_IP = ip(10, 10, 1, 2);
    static final int HOST_SINK_IP = ip(10, 10, 2, 2);
    /** Via {@link #HOST_SINK_IP}, a static neighbour: forwarded at once. */
    static final int REMOTE_IP = ip(198, 19, 0, 7);
    /** Via 10.10.1.3, which never answers: queued for ARP, then Host Unreachable. */
    static final int FAR_IP = ip(198, 18, 0, 9);
    static final int BLACKHOLE_IP = ip(203, 0, 113, 9);
    static final int NO_ROUTE_IP = ip(192, 0, 2, 1);
    /** Sources the reassembly target picks from: resolved, unresolved, remote, unroutable, blackholed, martian. */
    static final int[] SOURCES = {HOST_SINK_IP, HOST_GEN_IP, REMOTE_IP, NO_ROUTE_IP, BLACKHOLE_IP, FAR_IP,
        ip(10, 10, 1, 77), 0};
    static final int[] PROTOCOLS = {Ipv4Header.PROTOCOL_ICMP, Ipv4Header.PROTOCOL_UDP, Ipv4Header.PROTOCOL_TCP, 253};
    static final int[] SINK_MTUS = {1500, 576, 68, 1280};

    static final int MAX_DATAGRAMS = 4;
    static final int MAX_FRAGMENTS = 8;
    static final int MAX_PBUFS = 48;
    static final long MILLI = 1_000_000L;
    static final long SECOND = 1000 * MILLI;
    static final long REASM_TIMEOUT = SECOND;
    static final int ARP_ENTRIES = 6;
    static final int ARP_PENDING = 3;
    static final long ARP_TIMEOUT = 20 * SECOND;
    /** Where the fake clock starts. */
    static final long ORIGIN = 1000 * SECOND;
    /**
     * Config bit: run the script again from {@link #WRAPPING_ORIGIN}, and again with every frame in one chain as
     * a port receives it; each must send and count the same.
     */
    static final int COMPARE = 0x80;
    /** 10 s before {@code nanoTime} wraps: {@link System#nanoTime} may have any origin. */
    static final long WRAPPING_ORIGIN = Long.MAX_VALUE - 10 * SECOND;
    /** The txif of a frame as received: any packet the plane passes on without setting it fails the check. */
    static final int UNSET_TXIF = 0xEE;

    // Opcodes (see the class comment).
    static final int FRAMES_TICK = 0xE0;
    static final int FIX_IP_CHECKSUM = 2;
    static final int FIX_ICMP_CHECKSUM = 4;
    static final int REASM_FRAGMENT = 0;
    static final int REASM_DATAGRAM = 3;
    static final int REASM_REPEAT = 4;
    static final int REASM_MUTATE = 5;
    static final int REASM_TICK = 6;
    /** A copied option (loose source route, 7 bytes) and End of Option List: IHL 7. */
    static final byte[] OPTIONS = {(byte) 0x83, 7, 4, 10, 10, 1, 2, 0};

    private static PbufPool pool;
    private static NextHopTable hops;
    private static RouteTable routes;

    @BeforeAll
    static void createPoolAndRoutes() {
        // A 4 KiB input cut into 1-byte pieces, plus what the plane holds and makes, fits many times over.
        pool = PbufPool.create(16_384);
        hops = new NextHopTable(16);
        routes = new RouteTable(new RouteTableConfig().name("fuzz.routes").nextHops(hops.capacity()));
        assertEquals(RouteTable.OK, routes.add(ip(10, 10, 1, 0), 24, hops.intern(0, NextHopTable.NO_GATEWAY, 0)));
        assertEquals(RouteTable.OK, routes.add(ip(10, 10, 2, 0), 24, hops.intern(1, NextHopTable.NO_GATEWAY, 0)));
        assertEquals(RouteTable.OK, routes.add(ip(198, 19, 0, 0), 16, hops.intern(1, HOST_SINK_IP, 0)));
        assertEquals(RouteTable.OK, routes.add(ip(198, 18, 0, 0), 15, hops.intern(0, ip(10, 10, 1, 3), 0)));
        assertEquals(RouteTable.OK, routes.add(ip(203, 0, 113, 0), 24,
            hops.intern(0, NextHopTable.NO_GATEWAY, NextHopTable.FLAG_BLACKHOLE)));
    }

    @AfterAll
    static void closePool() {
        pool.local().close();
        pool.close();
    }

    // ------------------------------------------------------------------------------------------------
    // Targets
    // ------------------------------------------------------------------------------------------------

    @FuzzTest(maxDuration = FUZZ_TIME)
    void frames(byte[] data) {
        Outcome outcome = frames(data, ORIGIN, true);
        if (data.length > 0 && (data[0] & COMPARE) != 0) {
            outcome.assertSame(frames(data, WRAPPING_ORIGIN, true), "with a clock that wraps");
            outcome.assertSame(frames(data, ORIGIN, false), "with each frame in one chain as received");
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void reassembly(byte[] data) {
        Outcome outcome = reassembly(data, ORIGIN, true);
        if (data.length > 0 && (data[0] & COMPARE) != 0) {
            outcome.assertSame(reassembly(data, WRAPPING_ORIGIN, true), "with a clock that wraps");
            outcome.assertSame(reassembly(data, ORIGIN, false), "with each frame in one chain as received");
        }
    }

    /** A datagram that cannot be fragmented is one drop, under the fragmenter's reason (not also the plane's). */
    @Test
    void aFragmentationFailureIsCountedOnce() {
        byte[] frame = ipv4Frame(GEN_MAC, HOST_GEN, HOST_GEN_IP, REMOTE_IP, 64, Ipv4Header.PROTOCOL_UDP, 1, 0,
            new byte[0], udp(40000, 53, 1400));
        try (Lab lab = new Lab(2 << 2 | 2, ORIGIN, true)) { // an emitter of 6, port 1's MTU 68: 30 fragments
            lab.feed(frame, 0, frame.length, 0, 0);
            assertEquals(1, lab.counters.get(InetDrop.IP_FRAG_NO_BUFFERS));
            assertEquals(1, lab.counters.get(Mib.ipFragFails));
            assertEquals(1, lab.counters.drops());
            lab.finish();
        }
    }

    private static Outcome frames(byte[] data, long origin, boolean cuts) {
        Script in = new Script(data);
        try (Lab lab = new Lab(in.u8(), origin, cuts)) {
            while (in.more()) {
                int op = in.u8();
                if (op >= FRAMES_TICK) {
                    lab.tick(in.u16() * MILLI);
                    continue;
                }
                int rcvif = (op & 0x18) == 0x18 ? 2 : op & 1;
                int cut = in.u8();
                int len = Math.min(in.u16(), in.remaining());
                int at = in.skip(len);
                byte[] frame = Arrays.copyOfRange(data, at, at + len);
                if ((op & FIX_ICMP_CHECKSUM) != 0) {
                    fixIcmpChecksum(frame);
                }
                if ((op & FIX_IP_CHECKSUM) != 0) {
                    fixIpChecksum(frame);
                }
                lab.feed(frame, 0, len, rcvif, cut);
            }
            return lab.finish();
        }
    }

    private static Outcome reassembly(byte[] data, long origin, boolean cuts) {
        Script in = new Script(data);
        try (Lab lab = new Lab(in.u8(), origin, cuts)) {
            byte[] last = null;
            int lastRcvif = 0;
            while (in.more()) {
                int op = in.u8();
                switch (op & 7) {
                    case 0, 1, 2 -> {
                        int flags = in.u8();
                        lastRcvif = flags >>> 3 & 1;
                        last = fragment(op, flags, in);
                        lab.feed(last, 0, last.length, lastRcvif, in.u8());
                    }
                    case REASM_DATAGRAM -> {
                        int flags = in.u8();
                        int rcvif = flags >>> 6 & 1;
                        List<byte[]> frags = datagram(flags, in);
                        int cut = in.u8();
                        for (byte[] f : frags) {
                            lab.feed(f, 0, f.length, rcvif, cut);
                            lab.checkReassembler();
                            last = f;
                            lastRcvif = rcvif;
                        }
                    }
                    case REASM_REPEAT -> {
                        int cut = in.u8();
                        if (last != null) {
                            byte[] f = last;
                            int rcvif = lastRcvif;
                            if ((op & 8) != 0) { // the same datagram can come in through either port
                                rcvif = 1 - lastRcvif;
                                f = last.clone();
                                if (mac(f, 0) == (lastRcvif == 1 ? SINK_MAC : GEN_MAC)) {
                                    putMac(f, 0, rcvif == 1 ? SINK_MAC : GEN_MAC);
                                }
                            }
                            lab.feed(f, 0, f.length, rcvif, cut);
                        }
                    }
                    case REASM_MUTATE -> {
                        int pos = in.u8();
                        int cut = in.u8();
                        if (last != null && last.length > 14 + 20) {
                            byte[] m = last.clone();
                            int payload = 14 + Frames.ihlBytes(m, 14);
                            if (payload < m.length) {
                                m[payload + pos % (m.length - payload)] ^= (byte) (1 + (op >>> 3));
                            }
                            lab.feed(m, 0, m.length, lastRcvif, cut);
                        }
                    }
                    default -> lab.tick(in.u16() * MILLI);
                }
                lab.checkReassembler();
            }
            return lab.finish();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // The reassembly target's frames
    // ------------------------------------------------------------------------------------------------

    /**
     * A fragment to one of our addresses: flags bit 0 MF, bit 1 DF, bit 2 a wrong header checksum, bit 3 port 1
     * (else port 0), bit 4 to 10.10.2.1 (else 10.10.1.1), bit 5 with {@link #OPTIONS}, bit 6 to the port's
     * directed broadcast, bit 7 a link broadcast; src/proto bits 0-2 the source ({@link #SOURCES}), bits 3-4 the
     * protocol ({@link #PROTOCOLS}), bit 5 TTL 1; the identification is {@code 0x4200 + id}; the payload
     * bytes are {@code fill + 7 * (their offset in the datagram)}, so that fragments with the same fill agree
     * where they overlap.
     */
    static byte[] fragment(int op, int flags, Script in) {
        int srcProto = in.u8();
        int id = 0x4200 + in.u8();
        int units = in.u16() & Ipv4Header.FRAGMENT_OFFSET_MASK;
        int length = in.u16() % 1481;
        int fill = in.u8();
        boolean port1 = (flags & 8) != 0;
        int dst = (flags & 0x10) != 0 ? SINK_IP : GEN_IP;
        if ((flags & 0x40) != 0) {
            dst |= 0xFF;
        }
        long dstMac = (flags & 0x80) != 0 ? -1L & 0xFFFF_FFFF_FFFFL : port1 ? SINK_MAC : GEN_MAC;
        byte[] payload = new byte[length];
        for (int k = 0; k < length; k++) {
            payload[k] = (byte) (fill + 7 * (units * 8 + k));
        }
        int frag = (flags & 1) * Ipv4Header.FLAG_MF | (flags & 2) / 2 * Ipv4Header.FLAG_DF | units;
        byte[] f = ipv4Frame(dstMac, port1 ? HOST_SINK : HOST_GEN, SOURCES[srcProto & 7], dst,
            (srcProto & 0x20) != 0 ? 1 : 64, PROTOCOLS[srcProto >>> 3 & 3], id, frag,
            (flags & 0x20) != 0 ? OPTIONS : new byte[0], payload);
        if ((flags & 4) != 0) {
            f[14 + 10] ^= 0x55;
        }
        if ((op & 8) != 0 && f.length < EthernetFrame.MIN_FRAME_LENGTH) {
            f = Arrays.copyOf(f, EthernetFrame.MIN_FRAME_LENGTH);
        }
        if ((op & 0x10) != 0) {
            f = Arrays.copyOf(f, Math.max(0, f.length - 1 - (op >>> 5)));
        }
        return f;
    }

    /**
     * A datagram to one of our addresses cut into fragments: flags bits 0-1 the order (as cut, reversed,
     * shuffled, last first), bit 2 leaves one out, bit 3 sends one twice, bit 4 to 10.10.2.1 (else 10.10.1.1),
     * bit 5 with {@link #OPTIONS} in every fragment, bit 6 received on port 1, bit 7 DF set; src/proto as in
     * {@link #fragment} (an ICMP datagram is an echo request with a right checksum, a UDP one has a UDP
     * header); size the bytes after the IP header (at least 8; at most two fragments more than the limit);
     * the fragments carry {@code 8 * (1 + n % 182)} payload bytes each but the last; seed picks the shuffle
     * and what is left out or sent twice; cut (for every fragment) as in {@link #chain}.
     */
    static List<byte[]> datagram(int flags, Script in) {
        int srcProto = in.u8();
        int id = 0x4200 + in.u8();
        int size = Math.max(8, in.u16());
        int unit = 8 * (1 + in.u8() % 182);
        int seed = in.u8();
        size = Math.min(size, (MAX_FRAGMENTS + 2) * unit);
        int protocol = PROTOCOLS[srcProto >>> 3 & 3];
        boolean port1 = (flags & 0x40) != 0;
        int dst = (flags & 0x10) != 0 ? SINK_IP : GEN_IP;
        byte[] l4 = protocol == Ipv4Header.PROTOCOL_ICMP ? echoRequest(id, seed, size - 8)
            : protocol == Ipv4Header.PROTOCOL_UDP ? udp(40000 + seed, 7, size - 8) : pattern(size, seed);
        byte[] whole = ipv4Frame(port1 ? SINK_MAC : GEN_MAC, port1 ? HOST_SINK : HOST_GEN, SOURCES[srcProto & 7], dst,
            (srcProto & 0x20) != 0 ? 1 : 64, protocol, id, (flags & 0x80) != 0 ? Ipv4Header.FLAG_DF : 0,
            (flags & 0x20) != 0 ? OPTIONS : new byte[0], l4);
        List<byte[]> frags = new ArrayList<>();
        for (int off = 0; off < size; off += unit) {
            int len = Math.min(unit, size - off);
            frags.add(Frames.cut(whole, 14, off, len, off + len < size));
        }
        int n = frags.size();
        switch (flags & 3) {
            case 1 -> Collections.reverse(frags);
            case 2 -> Collections.shuffle(frags, new Random(seed));
            case 3 -> frags.addFirst(frags.removeLast());
            default -> { }
        }
        if ((flags & 8) != 0) {
            frags.add(seed % (n + 1), frags.get(seed % n));
        }
        if ((flags & 4) != 0) {
            frags.remove(seed / 2 % frags.size());
        }
        return frags;
    }

    // ------------------------------------------------------------------------------------------------
    // The plane under test
    // ------------------------------------------------------------------------------------------------

    /** A fresh plane for one input, its emitter, a fake clock, and the checks of what comes out. */
    private static final class Lab implements AutoCloseable {
        final Pbufs p = pool.local();
        /** Pbufs in use before the run: 0, unless an earlier input leaked (and failed for it). */
        final long inUseBefore = pool.inUse();
        final InetPort[] ports;
        final InetCounters counters = new InetCounters();
        final Reassembler reassembler = new Reassembler(MAX_DATAGRAMS, MAX_FRAGMENTS, MAX_PBUFS, REASM_TIMEOUT,
            counters);
        final RouteReader reader = routes.registerReader("fuzz.ip");
        final ForwardingPlane plane;
        final Emitter out;
        final int[] emitted;
        /** Every frame the plane sent, in order, when runs are compared. */
        final List<byte[]> sent = new ArrayList<>();
        final boolean record;
        /** Whether frames are cut into chains as the script says, or each is one chain as a port receives it. */
        final boolean cuts;
        long now;
        long fed;
        /** Whether a datagram fed claimed one of our addresses as its source: the plane forwards it as it is. */
        boolean spoofed;

        Lab(int config, long origin, boolean cuts) {
            ports = new InetPort[] {
                new InetPort(0, "gen", GEN_MAC, GEN_IP, 24, 1500),
                new InetPort(1, "sink", SINK_MAC, SINK_IP, 24, SINK_MTUS[config & 3])};
            ArpCache arp = new ArpCache(ARP_ENTRIES, ARP_PENDING, ARP_TIMEOUT);
            arp.putStatic(HOST_SINK_IP, HOST_SINK, 1);
            plane = new ForwardingPlane(ports, routes, hops, reader, arp, reassembler, new IcmpRateLimiter(100), 64,
                counters);
            out = new Emitter(2 + 2 * (config >>> 2 & 31));
            emitted = new int[EmitterProbe.capacity(out)];
            record = (config & COMPARE) != 0;
            this.cuts = cuts;
            now = origin;
            tick(0); // the plane's clock is the fake one from here on
        }

        /** Feeds {@code data[off, off + len)} as a frame received on {@code rcvif}, then checks what came out. */
        void feed(byte[] data, int off, int len, int rcvif, int cut) {
            if (len >= 14 + 20 && u16(data, off + 12) == EthernetFrame.ETHERTYPE_IPV4) {
                int src = u16(data, off + 26) << 16 | u16(data, off + 28);
                spoofed |= src == GEN_IP || src == SINK_IP;
            }
            int h = chain(p, data, off, len, cuts ? cut : 0);
            p.setRcvif(h, rcvif);
            p.setTxif(h, UNSET_TXIF);
            fed++;
            EmitterProbe.begin(out, 1);
            int r = plane.process(p, h, out);
            collect(r);
        }

        void tick(long delta) {
            now += delta;
            EmitterProbe.begin(out, 0);
            plane.tick(p, now, out);
            collect(NULL);
        }

        void checkReassembler() {
            assertTrue(reassembler.pbufsHeld() <= MAX_PBUFS, () -> reassembler.pbufsHeld() + " pbufs held");
            assertTrue(reassembler.datagrams() <= MAX_DATAGRAMS, () -> reassembler.datagrams() + " datagrams");
        }

        private void collect(int returned) {
            int n = EmitterProbe.drain(out, emitted);
            for (int k = 0; k < n; k++) {
                checkAndFree(emitted[k], "emitted packet " + k);
            }
            if (returned != NULL) {
                checkAndFree(returned, "returned packet");
            }
        }

        /** The packet is a frame the plane may send out of its {@code txif}; frees it. */
        private void checkAndFree(int h, String what) {
            try {
                assertNull(p.check(h), what);
                int length = p.pktLen(h);
                assertEquals(p.length(h), length, what + ": packet length");
                assertTrue(length >= EthernetFrame.HEADER_LENGTH, what + ": " + length + " bytes");
                int txif = p.txif(h);
                assertTrue(txif < ports.length, what + ": txif " + txif);
                InetPort port = ports[txif];
                byte[] f = p.toArray(h);
                if (record) {
                    sent.add(f);
                }
                MemorySegment s = MemorySegment.ofArray(f);
                assertEquals(port.mac(), mac(f, 6), what + ": source MAC");
                assertNotEquals(0L, mac(f, 0), what + ": destination MAC unresolved");
                int available = length - 14;
                switch (u16(f, 12)) {
                    case EthernetFrame.ETHERTYPE_ARP -> assertEquals(WireError.OK, ArpPacket.check(s, 14, available),
                        what);
                    case EthernetFrame.ETHERTYPE_IPV4 -> {
                        assertEquals(WireError.OK, Ipv4Header.check(s, 14, available), what);
                        int total = Ipv4Header.totalLength(s, 14);
                        assertEquals(available, total, what + ": frame and datagram lengths");
                        assertTrue(total <= port.mtu(), what + ": " + total + " bytes for MTU " + port.mtu());
                        int hl = Ipv4Header.headerLength(s, 14);
                        // ICMP the plane made (from one of our addresses, which no datagram fed claimed: it forwards
                        // whatever it is given) is whole and summed right.
                        int src = Ipv4Header.src(s, 14);
                        boolean ours = (src == GEN_IP || src == SINK_IP) && !spoofed;
                        if (ours && Ipv4Header.protocol(s, 14) == Ipv4Header.PROTOCOL_ICMP
                            && !Ipv4Header.isFragment(s, 14)) {
                            assertEquals(WireError.OK, IcmpHeader.check(s, 14 + hl, total - hl), what + ": ICMP");
                        }
                    }
                    default -> fail(what + ": EtherType " + Integer.toHexString(u16(f, 12)));
                }
            } finally {
                p.freem(h);
            }
        }

        /** Releases what the plane holds; the pool must then be full again, and every frame counted. */
        Outcome finish() {
            plane.release(p);
            assertEquals(0, reassembler.datagrams());
            assertEquals(0, reassembler.pbufsHeld());
            assertEquals(fed, counters.get(Mib.ethInFrames), "ethInFrames");
            assertEquals(inUseBefore, pool.inUse(), "every pbuf back in the pool");
            return new Outcome(sent, counters.nonZero());
        }

        @Override
        public void close() {
            plane.release(p); // a failed run: leave nothing held for the next input (idempotent)
            reader.close();
        }
    }

    /**
     * What a run sent and counted. The same whatever the clock's origin (only differences of {@code nanoTime}
     * mean anything) and however the frames were cut into pbufs, except where the reassembler's pbuf limit
     * (which counts pbufs) made a difference.
     */
    record Outcome(List<byte[]> sent, Map<String, Long> counters) {
        void assertSame(Outcome other, String how) {
            String limit = "drop." + InetDrop.REASM_PBUF_LIMIT.name();
            if (counters.containsKey(limit) || other.counters.containsKey(limit)) {
                return;
            }
            assertEquals(counters, other.counters, "counters " + how);
            assertEquals(sent.size(), other.sent.size(), "frames sent " + how);
            for (int k = 0; k < sent.size(); k++) {
                assertArrayEquals(sent.get(k), other.sent.get(k), "frame " + k + " sent " + how);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Chains and frames
    // ------------------------------------------------------------------------------------------------

    /**
     * {@code d[off, off + len)} as a packet. {@code cut} 0: as a port receives it, filled from the first byte of
     * a chain of whole pbufs. Otherwise a chain of pieces: the first {@code 1 + (cut & 0x7F) % 80} bytes (so that
     * any header can be cut anywhere), then pieces of 1..7 bytes up to byte 200 (cut bit 7 set) and of 1..160
     * bytes after, their lengths drawn from a generator seeded by {@code cut}; each piece after the first sits at
     * the end of its pbuf, so that {@link Pbufs#cat} links rather than copies it, and pieces start at odd
     * addresses.
     */
    static int chain(Pbufs p, byte[] d, int off, int len, int cut) {
        if (cut == 0 || len <= 1) {
            int h = p.allocReceive(len);
            assertNotEquals(NULL, h, "pool empty");
            p.copyback(h, 0, d, off, len);
            return h;
        }
        int x = cut * 0x9E3779B9 | 1;
        int head = NULL;
        int tail = NULL;
        int done = 0;
        while (done < len) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            int r = x >>> 1;
            int n = head == NULL ? 1 + (cut & 0x7F) % 80 : 1 + r % ((cut & 0x80) != 0 && done < 200 ? 7 : 160);
            n = Math.min(n, len - done);
            int h = head == NULL ? p.getHdr(PbufType.DATA, Layer.RAW) : p.get(PbufType.DATA);
            assertNotEquals(NULL, h, "pool empty");
            // At the end of its pbuf, so that the next piece is linked; the first anywhere (the next is copied
            // into its tailroom if it fits).
            p.reserve(h, head != NULL || (r & 0x100) != 0 ? PHLEN - n : (r >>> 9) % (PHLEN - n + 1));
            p.setLen(h, n);
            MemorySegment.copy(MemorySegment.ofArray(d), off + done, p.segment(), p.address(h), n);
            if (head == NULL) {
                p.setPktLen(h, n);
                head = h;
                tail = h;
            } else {
                p.cat(tail, h); // onto the last pbuf, not the head: cat walks to the end of what it is given
                tail = p.last(tail);
            }
            done += n;
        }
        p.setPktLen(head, len);
        return head;
    }

    /** Sets the IP header checksum of an IPv4 frame right, if it has a whole header. */
    static void fixIpChecksum(byte[] f) {
        if (f.length < 14 + 20 || u16(f, 12) != EthernetFrame.ETHERTYPE_IPV4) {
            return;
        }
        int hl = Frames.ihlBytes(f, 14);
        if (hl >= 20 && 14 + hl <= f.length) {
            put16(f, 24, 0);
            put16(f, 24, checksum(f, 14, hl));
        }
    }

    /** Sets the ICMP checksum of an IPv4 frame carrying ICMP right, if it holds the whole message. */
    static void fixIcmpChecksum(byte[] f) {
        if (f.length < 14 + 20 || u16(f, 12) != EthernetFrame.ETHERTYPE_IPV4 || f[23] != Ipv4Header.PROTOCOL_ICMP) {
            return;
        }
        int hl = Frames.ihlBytes(f, 14);
        int icmp = 14 + hl;
        int length = u16(f, 16) - hl;
        if (hl >= 20 && length >= 4 && icmp + length <= f.length) {
            put16(f, icmp + 2, 0);
            put16(f, icmp + 2, checksum(f, icmp, length));
        }
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static long mac(byte[] f, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (f[off + i] & 0xFF);
        }
        return m;
    }

    static void putMac(byte[] f, int off, long mac) {
        for (int i = 0; i < 6; i++) {
            f[off + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    static void put32(byte[] f, int off, int v) {
        put16(f, off, v >>> 16);
        put16(f, off + 2, v);
    }

    /** Ethernet + IPv4 (+ options) + payload, header checksum right, no padding. */
    static byte[] ipv4Frame(long dstMac, long srcMac, int src, int dst, int ttl, int protocol, int id, int flagsFrag,
                            byte[] options, byte[] payload) {
        int hl = 20 + options.length;
        byte[] f = new byte[14 + hl + payload.length];
        putMac(f, 0, dstMac);
        putMac(f, 6, srcMac);
        put16(f, 12, EthernetFrame.ETHERTYPE_IPV4);
        f[14] = (byte) (0x40 | hl / 4);
        put16(f, 16, hl + payload.length);
        put16(f, 18, id);
        put16(f, 20, flagsFrag);
        f[22] = (byte) ttl;
        f[23] = (byte) protocol;
        put32(f, 26, src);
        put32(f, 30, dst);
        System.arraycopy(options, 0, f, 34, options.length);
        put16(f, 24, checksum(f, 14, hl));
        System.arraycopy(payload, 0, f, 14 + hl, payload.length);
        return f;
    }

    /** An ARP frame, padded to 60 bytes. */
    static byte[] arpFrame(long dstMac, long srcMac, int op, long sha, int spa, long tha, int tpa) {
        byte[] f = new byte[60];
        putMac(f, 0, dstMac);
        putMac(f, 6, srcMac);
        put16(f, 12, EthernetFrame.ETHERTYPE_ARP);
        put16(f, 14, 1);
        put16(f, 16, 0x0800);
        f[18] = 6;
        f[19] = 4;
        put16(f, 20, op);
        putMac(f, 22, sha);
        put32(f, 28, spa);
        putMac(f, 32, tha);
        put32(f, 38, tpa);
        return f;
    }

    /** An ICMP echo request with {@code dataLength} bytes of data, checksum right. */
    static byte[] echoRequest(int id, int seq, int dataLength) {
        byte[] m = new byte[8 + dataLength];
        m[0] = (byte) IcmpHeader.TYPE_ECHO_REQUEST;
        put16(m, 4, id);
        put16(m, 6, seq);
        for (int i = 0; i < dataLength; i++) {
            m[8 + i] = (byte) (i * 13 + seq);
        }
        put16(m, 2, checksum(m, 0, m.length));
        return m;
    }

    /** A UDP datagram without checksum. */
    static byte[] udp(int srcPort, int dstPort, int dataLength) {
        byte[] u = pattern(8 + dataLength, srcPort);
        put16(u, 0, srcPort);
        put16(u, 2, dstPort);
        put16(u, 4, 8 + dataLength);
        put16(u, 6, 0);
        return u;
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + seed);
        }
        return b;
    }

    /** The fuzzer's bytes, read in order; reads past the end give 0. */
    static final class Script {
        private final byte[] d;
        private int pos;

        Script(byte[] d) {
            this.d = d;
        }

        boolean more() {
            return pos < d.length;
        }

        int remaining() {
            return d.length - pos;
        }

        int u8() {
            return pos < d.length ? d[pos++] & 0xFF : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        /** Skips {@code n} bytes (at most what is left) and returns where they started. */
        int skip(int n) {
            int at = pos;
            pos += Math.min(n, remaining());
            return at;
        }
    }
}
