package io.sluice.nativeio.afpacket;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.TestFrame;
import java.util.HexFormat;

/** Test frames: an experimental ethertype that no kernel stack answers, VLAN-tagged ones, and UDP flows. */
public final class Frames {
    /** IEEE 802 local experimental ethertype 1: the kernel has no handler for it. */
    public static final int ETHERTYPE = 0x88B5;
    public static final byte[] DST = {0x02, 0, 0, 0, 0, 0x02};
    public static final byte[] SRC = {0x02, 0, 0, 0, 0, 0x01};

    private Frames() {
    }

    /** {@code size} bytes: MACs, the experimental ethertype, then a payload that differs by {@code seq}. */
    public static byte[] experimental(int size, int seq) {
        byte[] f = new byte[size];
        System.arraycopy(DST, 0, f, 0, 6);
        System.arraycopy(SRC, 0, f, 6, 6);
        f[12] = (byte) (ETHERTYPE >>> 8);
        f[13] = (byte) ETHERTYPE;
        for (int i = 14; i < size; i++) {
            f[i] = (byte) (i * 7 + seq * 31);
        }
        if (size >= 18) {
            f[14] = (byte) (seq >>> 24);
            f[15] = (byte) (seq >>> 16);
            f[16] = (byte) (seq >>> 8);
            f[17] = (byte) seq;
        }
        return f;
    }

    /** {@code size} bytes with an 802.1Q tag (TPID 0x8100, {@code tci}) in front of the experimental ethertype. */
    public static byte[] vlan(int size, int tci, int seq) {
        byte[] inner = experimental(size - 4, seq);
        byte[] f = new byte[size];
        System.arraycopy(inner, 0, f, 0, 12);
        f[12] = (byte) 0x81;
        f[13] = 0x00;
        f[14] = (byte) (tci >>> 8);
        f[15] = (byte) tci;
        System.arraycopy(inner, 12, f, 16, inner.length - 12);
        return f;
    }

    /** An IPv4/UDP frame of flow {@code flow} (UDP source port 1024 + flow), for fan-out by hash. */
    public static byte[] udp(int size, int flow, int seq) {
        byte[] f = TestFrame.template(size, DST, SRC, 0xC6120001 + flow, 0xC6130001);
        int port = TestFrame.FIRST_FLOW_PORT + flow;
        f[TestFrame.UDP_SRC_PORT_OFFSET] = (byte) (port >>> 8);
        f[TestFrame.UDP_SRC_PORT_OFFSET + 1] = (byte) port;
        f[TestFrame.SEQ_OFFSET] = (byte) (seq >>> 24);
        f[TestFrame.SEQ_OFFSET + 1] = (byte) (seq >>> 16);
        f[TestFrame.SEQ_OFFSET + 2] = (byte) (seq >>> 8);
        f[TestFrame.SEQ_OFFSET + 3] = (byte) seq;
        return f;
    }

    public static int udpFlow(byte[] f) {
        return ((f[TestFrame.UDP_SRC_PORT_OFFSET] & 0xFF) << 8 | (f[TestFrame.UDP_SRC_PORT_OFFSET + 1] & 0xFF))
            - TestFrame.FIRST_FLOW_PORT;
    }

    /** The ethertype after any VLAN tags. */
    public static int ethertype(byte[] f) {
        int off = 12;
        while (f.length >= off + 2) {
            int t = (f[off] & 0xFF) << 8 | (f[off + 1] & 0xFF);
            if (t != 0x8100 && t != 0x88A8) {
                return t;
            }
            off += 4;
        }
        return -1;
    }

    /** The frame as a packet (chain with a packet header) in pbufs. */
    public static int toPbufs(Pbufs p, byte[] frame) {
        int h = p.alloc(Layer.RAW, frame.length);
        if (h == PbufHandle.NULL) {
            throw new AssertionError("pool empty");
        }
        if (!p.copyback(h, 0, frame, 0, frame.length)) {
            throw new AssertionError("copyback failed");
        }
        return h;
    }

    public static String hex(byte[] f) {
        return HexFormat.of().formatHex(f);
    }
}
