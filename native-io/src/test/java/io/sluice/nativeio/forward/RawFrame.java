package io.sluice.nativeio.forward;

import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Ethernet/IPv4 frames for the lab's adversarial tests, built correct (header checksum included) and then spoiled
 * on purpose by the caller, and the python3 command that writes them raw onto an interface.
 */
final class RawFrame {
    /** More Fragments, in the flags-and-offset field. */
    static final int MF = 0x2000;

    private final byte[] dst;
    private final byte[] src;

    RawFrame(byte[] dstMac, byte[] srcMac) {
        this.dst = dstMac.clone();
        this.src = srcMac.clone();
    }

    /**
     * A frame with a 20-byte IPv4 header (protocol UDP, the checksum right) and {@code payload} zero bytes.
     *
     * @param fragment the flags-and-offset field (offset in 8-byte units)
     * @param spoil    changes the frame before the header checksum is computed (offsets from the start of the
     *                 frame: the IP header is at 14), so that the checks after the checksum see the damage
     */
    byte[] ipv4(int ttl, int srcIp, int dstIp, int id, int fragment, int payload, Consumer<byte[]> spoil) {
        byte[] f = new byte[14 + 20 + payload];
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        f[12] = 0x08;
        f[14] = 0x45;
        put16(f, 16, 20 + payload);
        put16(f, 18, id);
        put16(f, 20, fragment);
        f[22] = (byte) ttl;
        f[23] = 17;
        put32(f, 26, srcIp);
        put32(f, 30, dstIp);
        spoil.accept(f);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += i == 24 ? 0 : (f[i] & 0xFF) << 8 | f[i + 1] & 0xFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum += sum >>> 16;
        put16(f, 24, ~sum & 0xFFFF);
        return f;
    }

    /** As {@link #ipv4} with nothing spoiled but the header checksum. */
    byte[] badChecksum(int ttl, int srcIp, int dstIp) {
        byte[] f = ipv4(ttl, srcIp, dstIp, 0, 0, 8, c -> { });
        f[25] ^= 0x55;
        return f;
    }

    /** The command (for {@link RouterLab#in}) that sends {@code frames} raw, in order, out of {@code ifname}. */
    static String[] sender(String ifname, List<byte[]> frames) {
        String[] cmd = new String[4 + frames.size()];
        cmd[0] = "python3";
        cmd[1] = "-c";
        cmd[2] = "import socket, sys\n"
            + "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n"
            + "s.bind((sys.argv[1], 0))\n"
            + "for h in sys.argv[2:]:\n"
            + "    s.send(bytes.fromhex(h))\n";
        cmd[3] = ifname;
        for (int i = 0; i < frames.size(); i++) {
            cmd[4 + i] = HexFormat.of().formatHex(frames.get(i));
        }
        return cmd;
    }

    private static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }

    private static void put32(byte[] f, int at, int v) {
        put16(f, at, v >>> 16);
        put16(f, at + 2, v);
    }
}
