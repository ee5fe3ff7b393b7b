package io.sluice.engine.transport.tcp;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.wire.Checksum;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.TcpHeader;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz test of TCP's input path: the fuzzer plays the peer (10.0.0.1) of a {@link TcpStack} (10.0.0.2) that listens
 * on port 80 and may open connections of its own. Its bytes are a script of crafted segments, clock ticks and
 * application calls, run against a stack with small limits (8 connections, a backlog of 2, an out-of-order queue
 * of 4 segments and 16 pbufs, 8 KiB buffers).
 *
 * <p>Properties, for any script: {@code deliver}, {@code tick} and the application's calls never throw; every
 * segment the stack sends is a well-formed TCP segment whose checksum verifies, from 10.0.0.2; the stack never
 * holds more connections than its limit; after {@link TcpStack#release} the pool has every pbuf back (checked mode
 * also throws on a double free or a use after free).
 *
 * <h2>Input format</h2>
 * Operations, each an opcode and its operands, big-endian, until the bytes run out (missing bytes read as 0):
 * <pre>
 *  0x00..0x9F  segment  u8 flags, u8 seq mode, i32 seq, u8 ack mode, i32 ack, u16 window, [u8 options length,
 *                       options], u16 payload length (mod 2049), u8 fill, u8 cut. Op bit 0: the peer's port 40000
 *                       or 40001; bit 1: to port 80 (listening) or 81 (closed); bit 2: a wrong checksum; bit 3:
 *                       options follow. Seq mode 1 adds seq to the connection's RCV.NXT, 2 to its IRS; ack mode 1
 *                       adds ack to its SND.NXT, 2 to its SND.UNA; otherwise they are taken as they are
 *  0xA0..0xBF  tick     u16 ms
 *  0xC0..0xCF  app      on the connection with peer port 40000 + (op &amp; 1): 0xC0/1 send u16 bytes, 0xC2/3 close,
 *                       0xC4/5 abort, 0xC6/7 hold received data / give it all back
 *  0xD0..0xDF  connect  to the peer's port 40000 + (op &amp; 1)
 * </pre>
 * <b>Regression mode</b> replays {@code src/test/resources/io/sluice/engine/transport/tcp/TcpFuzzTestInputs/input/};
 * fuzzing: {@code JAZZER_FUZZ=1 mvn -pl engine test -Dtest='TcpFuzzTest#input' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(PbufLeakExtension.class)
class TcpFuzzTest {
    static final int PEER = TcpSim.A;
    static final int US = TcpSim.B;
    static final long MS = 1_000_000L;

    @FuzzTest(maxDuration = "60s")
    void input(byte[] data) {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            Script s = new Script(p, ByteBuffer.wrap(data));
            try {
                s.run();
            } finally {
                s.finish();
                p.close();
            }
        }
    }

    /** The stack under test, its output checker, and the application. */
    static final class Script implements IpOutput, TcpHandler {
        final Pbufs p;
        final ByteBuffer in;
        final TcpStack stack;
        final Emitter emitter = new Emitter(16);
        final List<Integer> held = new ArrayList<>();
        final TcpConnection[] opened = new TcpConnection[2];
        boolean hold;
        long now = 1_000_000 * MS;

        Script(Pbufs p, ByteBuffer in) {
            this.p = p;
            this.in = in;
            stack = new TcpStack(new TcpConfig().maxConnections(8).synBacklog(2).ofoSegments(4).ofoPbufs(16)
                .sendBuffer(8192).receiveBuffer(8192).challengeAcksPerSecond(10).msl(1_000 * MS).minRto(50 * MS)
                .initialRto(200 * MS).seed(7));
            stack.attach(this);
            stack.listen(0, 80, c -> this);
            stack.tick(p, now);
        }

        int u8() {
            return in.hasRemaining() ? in.get() & 0xFF : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        int i32() {
            return u16() << 16 | u16();
        }

        void run() {
            while (in.hasRemaining()) {
                int op = u8();
                if (op < 0xA0) {
                    segment(op);
                } else if (op < 0xC0) {
                    now += (u16() % 70_000) * MS;
                    stack.tick(p, now);
                } else if (op < 0xD0) {
                    app(op);
                } else if (op < 0xE0) {
                    TcpConnection c = stack.connect(p, PEER, 40_000 + (op & 1), this);
                    if (c != null) {
                        opened[op & 1] = c;
                    }
                }
                assertTrue(stack.connections() <= 8);
            }
        }

        void segment(int op) {
            int peerPort = 40_000 + (op & 1);
            int localPort = (op & 2) != 0 ? 81 : 80;
            int flags = u8();
            int seqMode = u8();
            int seq = i32();
            int ackMode = u8();
            int ack = i32();
            int window = u16();
            byte[] options = new byte[0];
            if ((op & 8) != 0) {
                options = new byte[Math.min(u8(), 40) & ~3];
                in.get(options, 0, Math.min(options.length, in.remaining()));
            }
            int len = u16() % 2049;
            int fill = u8();
            int cut = u8();
            TcpConnection c = stack.find(US, localPort, PEER, peerPort);
            if (c == null && (seqMode != 0 || ackMode != 0)) {
                c = activeOpen(peerPort);
                if (c != null) {
                    localPort = c.localPort();
                }
            }
            if (c != null) {
                seq += seqMode == 1 ? c.rcvNxt : seqMode == 2 ? c.irs : 0;
                ack += ackMode == 1 ? c.sndNxt : ackMode == 2 ? c.sndUna : 0;
            }
            int hl = 20 + options.length;
            byte[] d = new byte[20 + hl + len];
            ByteBuffer b = ByteBuffer.wrap(d);
            b.put(0, (byte) 0x45).putShort(2, (short) d.length).put(8, (byte) 64).put(9, (byte) 6)
                .putInt(12, PEER).putInt(16, US);
            b.putShort(10, (short) checksum(d, 0, 20, 0));
            b.putShort(20, (short) peerPort).putShort(22, (short) localPort).putInt(24, seq).putInt(28, ack)
                .put(32, (byte) (hl / 4 << 4)).put(33, (byte) flags).putShort(34, (short) window);
            System.arraycopy(options, 0, d, 40, options.length);
            for (int i = 20 + hl; i < d.length; i++) {
                d[i] = (byte) (fill + i);
            }
            int sum = Checksum.pseudoHeaderSum(PEER, US, 6, hl + len);
            int tcpSum = checksum(d, 20, hl + len, sum);
            b.putShort(36, (short) ((op & 4) != 0 ? tcpSum ^ 1 : tcpSum));
            int h = chain(d, Math.max(20, cut == 0 ? PHLEN : cut));
            if (h != PbufHandle.NULL) {
                stack.deliver(p, h, 0, emitter);
            }
        }

        /** The connection an active open made to {@code peerPort}, if it is still that tuple's. */
        TcpConnection activeOpen(int peerPort) {
            TcpConnection c = opened[peerPort & 1];
            return c != null && stack.find(US, c.localPort(), PEER, peerPort) == c ? c : null;
        }

        static int checksum(byte[] d, int off, int len, int initial) {
            long acc = initial;
            for (int i = 0; i < len; i += 2) {
                acc += (d[off + i] & 0xFF) << 8 | (i + 1 < len ? d[off + i + 1] & 0xFF : 0);
            }
            while (acc >>> 16 != 0) {
                acc = (acc & 0xFFFF) + (acc >>> 16);
            }
            return (int) ~acc & 0xFFFF;
        }

        /** The bytes in pbufs of {@code piece} bytes each (the first at least the IPv4 header). */
        int chain(byte[] d, int piece) {
            int head = PbufHandle.NULL;
            for (int done = 0; done < d.length; ) {
                int n = Math.min(Math.min(piece, PHLEN), d.length - done);
                int h = head == PbufHandle.NULL ? p.getHdr(PbufType.DATA, Layer.RAW) : p.get(PbufType.DATA);
                if (h == PbufHandle.NULL) {
                    p.freem(head);
                    return PbufHandle.NULL;
                }
                p.reserve(h, PHLEN - n);
                p.setLen(h, n);
                MemorySegment.copy(MemorySegment.ofArray(d), done, p.segment(), p.address(h), n);
                if (head == PbufHandle.NULL) {
                    p.setPktLen(h, n);
                    head = h;
                } else {
                    p.cat(head, h);
                }
                done += n;
            }
            return head;
        }

        void app(int op) {
            int peerPort = 40_000 + (op & 1);
            TcpConnection c = stack.find(US, 80, PEER, peerPort);
            if (c == null) {
                c = activeOpen(peerPort);
            }
            int n = (op & 0xE) == 0 ? u16() % 20_000 : 0;
            if (c == null) {
                return;
            }
            switch (op & 0xE) {
                case 0 -> {
                    int h = p.alloc(Layer.RAW, n);
                    if (h != PbufHandle.NULL) {
                        p.freem(c.send(p, h));
                    }
                }
                case 2 -> c.close();
                case 4 -> c.abort();
                default -> {
                    hold = !hold;
                    if (!hold) {
                        release(c);
                    }
                }
            }
        }

        void release(TcpConnection c) {
            int n = 0;
            for (int h : held) {
                n += p.length(h);
                p.freem(h);
            }
            held.clear();
            c.consumed(n);
        }

        void finish() {
            stack.release(p);
            for (int h : held) {
                p.freem(h);
            }
            held.clear();
        }

        // ------------------------------------------------------------------------------ the stack's output

        @Override
        public int send(Pbufs p, int segment, int src, int dst, int protocol, int tos, boolean df) {
            try {
                assertEquals(US, src);
                assertEquals(PEER, dst);
                assertEquals(Ipv4Header.PROTOCOL_TCP, protocol);
                assertNull(p.check(segment));
                int len = p.length(segment);
                assertTrue(p.len(segment) >= TcpHeader.MIN_HEADER_LENGTH, "the header is in the first pbuf");
                assertEquals(WireError.OK, TcpHeader.check(p.segment(), p.address(segment), len));
                assertEquals(WireError.OK, TcpHeader.checkChecksum(p, segment, 0, len, src, dst));
            } finally {
                p.freem(segment);
            }
            return SENT;
        }

        @Override
        public int sourceFor(int dst) {
            return dst == PEER ? US : 0;
        }

        @Override
        public int mtuFor(int dst) {
            return 1500;
        }

        @Override
        public boolean isLocal(int address) {
            return address == US;
        }

        // ------------------------------------------------------------------------------ the application

        @Override
        public void onData(TcpConnection c, Pbufs p, int chain) {
            if (hold) {
                held.add(chain);
            } else {
                int n = p.length(chain);
                p.freem(chain);
                c.consumed(n);
            }
        }
    }
}
