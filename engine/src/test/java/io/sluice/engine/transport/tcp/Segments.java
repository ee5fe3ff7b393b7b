package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.TcpHeader;

/** Crafted IPv4 datagrams carrying one TCP segment, for tests that play an attacker or a peer by hand. */
final class Segments {
    private Segments() {
    }

    static int datagram(Pbufs p, int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int wnd,
                        byte[] data) {
        int len = data.length;
        int h = p.alloc(Layer.IP, TcpHeader.MIN_HEADER_LENGTH + len);
        if (h == PbufHandle.NULL) {
            throw new IllegalStateException("pool empty");
        }
        p.copyback(h, TcpHeader.MIN_HEADER_LENGTH, data, 0, len);
        TcpHeader.write(p.segment(), p.address(h), srcPort, dstPort, seq, ack, flags, wnd,
            TcpHeader.MIN_HEADER_LENGTH);
        TcpHeader.fillChecksum(p, h, 0, TcpHeader.MIN_HEADER_LENGTH + len, src, dst);
        h = p.prepend(h, Ipv4Header.MIN_HEADER_LENGTH);
        Ipv4Header.write(p.segment(), p.address(h), 0, Ipv4Header.MIN_HEADER_LENGTH + TcpHeader.MIN_HEADER_LENGTH
            + len, 0, Ipv4Header.FLAG_DF, 64, Ipv4Header.PROTOCOL_TCP, src, dst);
        return h;
    }

    static int datagram(Pbufs p, int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags) {
        return datagram(p, src, srcPort, dst, dstPort, seq, ack, flags, 65_535, new byte[0]);
    }
}
