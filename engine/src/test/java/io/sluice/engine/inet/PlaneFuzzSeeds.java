package io.sluice.engine.inet;

import static io.sluice.engine.inet.PlaneFuzzTest.*;

import io.sluice.engine.wire.Ipv4Header;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the seed corpus of {@link PlaneFuzzTest} (scripts in its input format) into
 * {@code <dir>/frames/} and {@code <dir>/reassembly/}. Run once by hand, from the engine's test classpath:
 * <pre>
 * mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test   # in engine/
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.sluice.engine.inet.PlaneFuzzSeeds \
 *   src/test/resources/io/sluice/engine/inet/PlaneFuzzTestInputs
 * </pre>
 * Inputs found by fuzzing (crashes, once fixed) are saved in the same directories by hand.
 */
final class PlaneFuzzSeeds {
    /** Port 1 MTU 1500, an emitter of 64. */
    private static final int ROOMY = 31 << 2;
    private static final int MTU_576 = ROOMY | 1;
    private static final int MTU_68 = ROOMY | 2;
    /** Compared with runs from a clock that wraps and with unchained frames. */
    private static final int COMPARED = COMPARE | ROOMY;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final int UDP = Ipv4Header.PROTOCOL_UDP;
    private static final int ICMP = Ipv4Header.PROTOCOL_ICMP;
    private static final byte[] NONE = {};

    private PlaneFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        write(dir.resolve("frames"), frames());
        write(dir.resolve("reassembly"), reassembly());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(dir.resolve(e.getKey() + ".bin"), e.getValue());
        }
    }

    /** A script under construction. */
    private static final class Script {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Script(int config) {
            b.write(config);
        }

        Script u8(int v) {
            b.write(v);
            return this;
        }

        Script u16(int v) {
            b.write(v >>> 8);
            b.write(v);
            return this;
        }

        /** frames: a frame received on {@code rcvif}. */
        Script frame(int rcvif, int cut, byte[] f) {
            return frame(rcvif == 2 ? 0x18 : rcvif, cut, f, 0);
        }

        /** frames: a frame, its checksums set right by the harness when {@code fix} says (op bits 1, 2). */
        Script frame(int rcvif, int cut, byte[] f, int fix) {
            u8(rcvif | fix).u8(cut).u16(f.length);
            b.writeBytes(f);
            return this;
        }

        Script tick(int ms) {
            return u8(FRAMES_TICK).u16(ms);
        }

        /** reassembly: a hand-made fragment (see {@link PlaneFuzzTest#fragment}). */
        Script fragment(int op, int flags, int srcProto, int id, int units, int length, int fill, int cut) {
            return u8(REASM_FRAGMENT | op).u8(flags).u8(srcProto).u8(id).u16(units).u16(length).u8(fill).u8(cut);
        }

        /** reassembly: a whole datagram in fragments (see {@link PlaneFuzzTest#datagram}). */
        Script datagram(int flags, int srcProto, int id, int size, int unit, int seed, int cut) {
            return u8(REASM_DATAGRAM).u8(flags).u8(srcProto).u8(id).u16(size).u8(unit).u8(seed).u8(cut);
        }

        Script repeat(boolean otherPort, int cut) {
            return u8(REASM_REPEAT | (otherPort ? 8 : 0)).u8(cut);
        }

        Script mutate(int position, int cut) {
            return u8(REASM_MUTATE).u8(position).u8(cut);
        }

        Script reasmTick(int ms) {
            return u8(REASM_TICK).u16(ms);
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }

    private static byte[] udpFrame(int rcvif, int src, int dst, int ttl, int flags, int dataLength) {
        return ipv4Frame(rcvif == 1 ? SINK_MAC : GEN_MAC, rcvif == 1 ? HOST_SINK : HOST_GEN, src, dst, ttl, UDP, 7,
            flags, NONE, udp(40000, 53, dataLength));
    }

    private static byte[] echoFrame(int rcvif, int src, int dst, int id, int dataLength) {
        return ipv4Frame(rcvif == 1 ? SINK_MAC : GEN_MAC, rcvif == 1 ? HOST_SINK : HOST_GEN, src, dst, 64, ICMP, id, 0,
            NONE, echoRequest(id, 1, dataLength));
    }

    static Map<String, byte[]> frames() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("udp_forward", new Script(ROOMY)
            .frame(0, 0, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 32)).bytes());
        m.put("udp_forward_chained", new Script(ROOMY)
            .frame(0, 0x85, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 600))
            .frame(0, 0x13, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 600))
            .frame(1, 0x31, udpFrame(1, HOST_SINK_IP, HOST_GEN_IP + 5, 64, 0, 16)).bytes());
        m.put("arp_request", new Script(ROOMY)
            .frame(0, 0, arpFrame(BROADCAST, HOST_GEN, 1, HOST_GEN, HOST_GEN_IP, 0, GEN_IP)).bytes());
        m.put("echo_request", new Script(ROOMY)
            .frame(1, 0, echoFrame(1, HOST_SINK_IP, SINK_IP, 1, 56)).bytes());
        m.put("echo_then_arp_reply", new Script(ROOMY)
            .frame(0, 0, echoFrame(0, HOST_GEN_IP, GEN_IP, 2, 56))
            .tick(5)
            .frame(0, 0x47, arpFrame(GEN_MAC, HOST_GEN, 2, HOST_GEN, HOST_GEN_IP, GEN_MAC, GEN_IP)).bytes());
        byte[] whole = ipv4Frame(SINK_MAC, HOST_SINK, HOST_SINK_IP, SINK_IP, 64, ICMP, 0x77, 0, NONE,
            echoRequest(0x77, 3, 92));
        m.put("two_fragments", new Script(ROOMY)
            .frame(1, 0, Frames.cut(whole, 14, 48, 52, false))
            .frame(1, 0x29, Frames.cut(whole, 14, 0, 48, true)).bytes());
        m.put("overlapping_fragments", new Script(ROOMY)
            .frame(1, 0, Frames.cut(whole, 14, 0, 48, true))
            .frame(1, 0, Frames.cut(whole, 14, 40, 60, false)).bytes());
        m.put("ttl_1", new Script(ROOMY)
            .frame(1, 0, udpFrame(1, HOST_SINK_IP, HOST_GEN_IP, 1, 0, 20)).bytes());
        // An echo request with 40 bytes of options (IHL 15) and TTL 1, to forward, its first pbuf 6 bytes long:
        // whether it gets a Time Exceeded (it should; not if it were an ICMP error, RFC 1812 4.3.2.7) must not
        // depend on the chain (the ICMP type sits just past the 74 bytes pulled up). The harness sets both
        // checksums.
        byte[] options = new byte[40];
        Arrays.fill(options, (byte) 1); // NOPs
        byte[] longHeader = ipv4Frame(SINK_MAC, HOST_SINK, HOST_SINK_IP, REMOTE_IP, 1, ICMP, 9, 0, options,
            echoRequest(9, 1, 32));
        m.put("ttl_1_ihl_15_icmp_chained", new Script(COMPARED)
            .frame(1, 0x05, longHeader, FIX_IP_CHECKSUM | FIX_ICMP_CHECKSUM).bytes());
        byte[] truncated = Arrays.copyOf(udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 20), 24);
        m.put("truncated_ip_header", new Script(ROOMY).frame(0, 0, truncated).bytes());
        m.put("fragment_or_frag_needed", new Script(MTU_576)
            .frame(0, 0, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 1000))
            .frame(0, 0x90, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, Ipv4Header.FLAG_DF, 1000)).bytes());
        m.put("arp_unresolved", new Script(ROOMY)
            .frame(1, 0, udpFrame(1, HOST_SINK_IP, FAR_IP, 64, 0, 20))
            .frame(1, 0, udpFrame(1, HOST_SINK_IP, ip(10, 10, 1, 50), 64, 0, 20))
            .tick(1100).tick(1100).tick(1100).tick(1100).bytes());
        // From behind the gateway that never answers, to another host behind it: the Host Unreachable about it
        // goes back through that same gateway, while the cache gives up on it.
        m.put("arp_unresolved_error_via_same_gateway", new Script(ROOMY)
            .frame(1, 0, udpFrame(1, FAR_IP, FAR_IP + 1, 64, 0, 20))
            .tick(1100).tick(1100).tick(1100).tick(1100).tick(1100).bytes());
        m.put("reassembly_timeout", new Script(ROOMY)
            .frame(1, 0, Frames.cut(whole, 14, 0, 48, true))
            .tick(1500).bytes());
        m.put("no_route_blackhole_udp_to_us", new Script(ROOMY)
            .frame(1, 0, udpFrame(1, HOST_SINK_IP, NO_ROUTE_IP, 64, 0, 20))
            .frame(1, 0, udpFrame(1, HOST_SINK_IP, BLACKHOLE_IP, 64, 0, 20))
            .frame(1, 0, udpFrame(1, HOST_SINK_IP, SINK_IP, 64, 0, 20))
            .frame(2, 0, udpFrame(1, HOST_SINK_IP, SINK_IP, 64, 0, 20)).bytes());
        m.put("wrapping_clock", new Script(COMPARED)
            .frame(0, 0, udpFrame(0, HOST_GEN_IP, ip(10, 10, 2, 9), 64, 0, 20))
            .frame(1, 0, Frames.cut(whole, 14, 0, 48, true))
            .tick(6000).tick(6000).tick(6000).bytes());
        m.put("mtu_68_fragments", new Script(MTU_68)
            .frame(0, 0, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 1400)).bytes());
        m.put("small_batch_fragments", new Script(2 << 2 | 2) // an emitter of 6, MTU 68: 30 fragments do not fit, 2 do
            .frame(0, 0, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 1400))
            .frame(0, 0, udpFrame(0, HOST_GEN_IP, REMOTE_IP, 64, 0, 60)).bytes());
        return m;
    }

    static Map<String, byte[]> reassembly() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        // Sources: 0 HOST_SINK_IP (static neighbour), 1 HOST_GEN_IP (unresolved); protocols << 3: 0 ICMP, 1 UDP.
        m.put("two_fragment_echo", new Script(ROOMY)
            .datagram(0, 0, 1, 90, 5, 0, 0).bytes());
        m.put("reversed_with_options", new Script(ROOMY)
            .datagram(0x71, 0, 2, 3000, 181, 0, 0x40).bytes());
        m.put("shuffled_udp", new Script(ROOMY)
            .datagram(0x02, 1 << 3, 3, 2000, 100, 7, 0x22).bytes());
        m.put("duplicate_and_missing", new Script(ROOMY)
            .datagram(0x0C, 0, 4, 2000, 50, 9, 0)
            .reasmTick(1500).bytes());
        m.put("overlap", new Script(ROOMY)
            .fragment(0, 1, 0, 5, 0, 48, 1, 0)
            .fragment(0, 0, 0, 5, 5, 40, 1, 0).bytes());
        m.put("exact_duplicate", new Script(ROOMY)
            .fragment(0, 1, 1 << 3, 6, 0, 48, 1, 0)
            .repeat(false, 0x33)
            .fragment(0, 0, 1 << 3, 6, 6, 16, 1, 0).bytes());
        m.put("mutated_duplicate", new Script(ROOMY)
            .fragment(0, 1, 1 << 3, 6, 0, 48, 1, 0)
            .mutate(17, 0).bytes());
        m.put("too_many_fragments", new Script(ROOMY)
            .datagram(0, 0, 7, 200, 0, 0, 0).bytes());
        Script flood = new Script(ROOMY);
        for (int id = 10; id < 16; id++) {
            flood.fragment(0, 1, 0, id, 0, 64, id, 0);
        }
        m.put("datagram_flood", flood.reasmTick(1000).bytes());
        m.put("pbuf_limit", new Script(ROOMY)
            .fragment(0, 1, 0, 20, 0, 64, 1, 0)
            .fragment(0, 1, 0, 20, 8, 256, 1, 0x81) // 1..7-byte pieces: more pbufs than the limit leaves
            .datagram(0, 0, 21, 1000, 60, 0, 0x81).bytes());
        m.put("bad_fragments", new Script(ROOMY)
            .fragment(0, 1, 0, 9, 0, 13, 1, 0) // MF, payload not a multiple of 8
            .fragment(0, 0, 0, 9, 0x1FFF, 100, 1, 0) // ends past 65535
            .fragment(8, 1, 0, 9, 0, 8, 1, 0) // padded to 60 bytes
            .fragment(0x10, 1, 0, 9, 1, 16, 1, 0) // truncated by a byte
            .fragment(0, 5, 0, 9, 2, 16, 1, 0).bytes()); // bad header checksum
        m.put("echo_reply_fragmented", new Script(MTU_68)
            .datagram(0x10, 0, 11, 1000, 60, 0, 0).bytes());
        m.put("timeout_time_exceeded", new Script(COMPARED)
            .datagram(0x04, 0, 12, 500, 20, 2, 0)
            .reasmTick(900).reasmTick(200).bytes());
        return m;
    }
}
