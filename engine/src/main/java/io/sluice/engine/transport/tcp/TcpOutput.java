package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.TcpHeader;
import java.lang.foreign.MemorySegment;

/**
 * Builds TCP segments and hands them to IP: the header is prepended into the headroom of a segment allocated at
 * {@link Layer#TRANSPORT}, the payload copied from the connection's send queue, the checksum computed over the
 * chain. Also decides what a connection sends now ({@link #output}): the send window, the congestion window,
 * Nagle's algorithm and sender-side silly window avoidance.
 */
final class TcpOutput {
    private final TcpStack stack;
    private final TcpCounters counters;
    private IpOutput ip;
    /** Data bytes the last segment built carried: fewer than asked when the pool was dry. */
    int lastLength;

    TcpOutput(TcpStack stack, TcpCounters counters) {
        this.stack = stack;
        this.counters = counters;
    }

    void attach(IpOutput output) {
        this.ip = output;
    }

    IpOutput ip() {
        return ip;
    }

    /**
     * Sends what the connection may send now: new data as the windows allow, the FIN after the last byte, and a
     * pure ACK when one is owed and nothing else carried it.
     *
     * @param force send one byte (or the FIN) even against a zero window: the persist timer's probe
     * @return segments sent
     */
    int output(Pbufs p, TcpConnection c, long now, boolean force) {
        if (!TcpState.canSend(c.state)) {
            // An ACK owed in SYN-RECEIVED answers an unacceptable segment (a crossing SYN-ACK in a simultaneous
            // open, RFC 9293 3.5); in the closing states it acknowledges a FIN.
            if (c.ackNow && (TcpState.isSynchronized(c.state) || c.state == TcpState.SYN_RECEIVED)) {
                sendAck(p, c);
            }
            return 0;
        }
        int sent = 0;
        while (true) {
            int off = c.sndNxt - c.sndUna;
            int unsent = Math.max(0, c.sndQueueLen - off);
            boolean finPending = c.finQueued && !c.finAcked && off <= c.sndQueueLen;
            boolean retransmission = TcpSeq.lt(c.sndNxt, c.sndMax);
            int cwnd = c.cc.cwnd();
            if (!c.inRecovery && c.dupAcks > 0 && c.dupAcks < 3) {
                cwnd += c.dupAcks * c.mss; // RFC 3042 limited transmit: new data for the first two duplicates
            }
            int usable = Math.min(c.sndWnd, cwnd) - off;
            int len = Math.min(Math.min(unsent, c.mss), Math.max(usable, 0));
            if (force && sent == 0 && len == 0 && unsent > 0) {
                len = 1; // RFC 9293 3.8.6.1: a zero-window probe carries one byte
            }
            boolean fin = finPending && len == unsent;
            if (len == 0 && !fin) {
                break;
            }
            if (len < c.mss && len < unsent && !force && !retransmission && len < c.maxSndWnd / 2) {
                // RFC 9293 3.8.6.2.1: sender SWS avoidance: wait for a full segment or half the peer's window.
                break;
            }
            if (len > 0 && len == unsent && len < c.mss && !retransmission && !force && !fin && !c.noDelay
                && c.sndMax != c.sndUna) {
                // RFC 9293 3.7.4 (Nagle): one small segment in flight at a time.
                break;
            }
            int flags = TcpHeader.ACK | (fin ? TcpHeader.FIN : 0) | (len > 0 && len == unsent ? TcpHeader.PSH : 0);
            if (segment(p, c, c.sndNxt, len, flags) != IpOutput.SENT) {
                c.pendingOutput = true; // no room below or no pbufs: the next tick tries again
                break;
            }
            if (lastLength < len) {
                len = lastLength; // a smaller segment from the reserve: its FIN waits
                fin = false;
            }
            if (len > 0 && !retransmission && !c.rttTiming) {
                c.rttTiming = true; // Karn (RFC 6298 3): time new data only
                c.rttSeq = c.sndNxt;
                c.rttStart = now;
            }
            c.sndNxt += len + (fin ? 1 : 0);
            if (TcpSeq.gt(c.sndNxt, c.sndMax)) {
                c.sndMax = c.sndNxt;
            }
            if (!c.rtxOn && !c.persistOn) {
                stack.armRetransmit(c, now);
            }
            sent++;
            if (force) {
                break;
            }
        }
        if (sent == 0 && c.ackNow) {
            sendAck(p, c);
        }
        // RFC 9293 3.8.6.1: data waits behind a zero window and nothing is in flight to bring an update. A window
        // too small for the sender's SWS avoidance takes the same timer as its override (RFC 1122 4.2.3.4).
        int waiting = c.sndQueueLen - (c.sndNxt - c.sndUna);
        if (waiting > 0 && c.sndWnd < Math.min(c.mss, waiting) && c.sndMax == c.sndUna && !c.persistOn
            && TcpState.canSend(c.state)) {
            stack.armPersist(c, now);
        }
        return sent;
    }

    /** A pure ACK at SND.NXT. */
    void sendAck(Pbufs p, TcpConnection c) {
        segment(p, c, c.sndNxt, 0, TcpHeader.ACK);
    }

    /** Retransmits the first unacknowledged segment (fast retransmit, NewReno partial ACK), not moving SND.NXT. */
    void retransmitFirst(Pbufs p, TcpConnection c) {
        int len = Math.min(c.sndQueueLen, c.mss);
        boolean fin = c.finQueued && !c.finAcked && len == c.sndQueueLen && TcpSeq.gt(c.sndMax, c.sndUna + len);
        if (len == 0 && !fin) {
            return;
        }
        segment(p, c, c.sndUna, len, TcpHeader.ACK | (fin ? TcpHeader.FIN : 0));
        if (c.rttTiming) {
            c.rttTiming = false; // Karn: a sample across a retransmission is ambiguous
        }
    }

    /** SYN (active open) or SYN-ACK (passive), with the MSS and, when agreed, window scale options. */
    int sendSyn(Pbufs p, TcpConnection c, boolean ack, boolean offerScale) {
        return build(p, c, c.iss, 0, TcpHeader.SYN | (ack ? TcpHeader.ACK : 0), offerScale, true);
    }

    /**
     * One segment of the connection: {@code len} bytes of the send queue from {@code seq}, with {@code flags}.
     *
     * @return {@link IpOutput#SENT}, {@link IpOutput#NO_ROOM} or {@link IpOutput#DROPPED} (no pbufs counts too)
     */
    int segment(Pbufs p, TcpConnection c, int seq, int len, int flags) {
        return build(p, c, seq, len, flags, false, false);
    }

    private int build(Pbufs p, TcpConnection c, int seq, int len, int flags, boolean scale, boolean syn) {
        int optLen = syn ? 4 + (scale ? 4 : 0) : 0;
        int hl = TcpHeader.MIN_HEADER_LENGTH + optLen;
        // Segments without data (ACKs, SYNs, FINs) may take the pool's reserve: acknowledging is receive work,
        // and an ACK that frees the peer's queue (or ours) must not wait for pbufs that only it can free.
        int h = len == 0 ? p.getHdrReserve(PbufType.HEADER, Layer.TRANSPORT) : p.alloc(Layer.TRANSPORT, len);
        if (h == PbufHandle.NULL && len > 0) {
            // The pool is dry (send queues, ours included, may hold it all): send less, in one pbuf from the
            // reserve, so that the connection keeps moving and the ACKs it draws free the queues.
            h = p.getHdrReserve(PbufType.DATA, Layer.TRANSPORT);
            if (h != PbufHandle.NULL) {
                len = Math.min(len, p.tailroom(h));
                p.setLen(h, len);
                p.setPktLen(h, len);
                flags &= ~(TcpHeader.FIN | TcpHeader.PSH);
                counters.inc(TcpMib.tcpReserveSegs);
            }
        }
        if (h == PbufHandle.NULL) {
            counters.drop(TcpDrop.NO_BUFFERS);
            stack.pressure(p);
            return IpOutput.DROPPED;
        }
        lastLength = len;
        if (len > 0) {
            copyFromQueue(p, c.sndQueue, seq - c.sndUna, h);
        }
        h = p.prepend(h, hl); // into the headroom: no copy, no new pbuf
        if (h == PbufHandle.NULL) {
            counters.drop(TcpDrop.NO_BUFFERS);
            return IpOutput.DROPPED;
        }
        MemorySegment s = p.segment();
        long at = p.address(h);
        int window = window(c, syn);
        int ackNo = (flags & TcpHeader.ACK) != 0 ? c.rcvNxt : 0;
        TcpHeader.write(s, at, c.localPort, c.remotePort, seq, ackNo, flags, window, hl);
        if (syn) {
            TcpHeader.writeMss(s, at + TcpHeader.MIN_HEADER_LENGTH, ourMss(c.remoteAddr));
            if (scale) {
                TcpHeader.writeWindowScale(s, at + TcpHeader.MIN_HEADER_LENGTH + 4, c.rcvScale);
            }
        }
        TcpHeader.fillChecksum(p, h, 0, hl + len, c.localAddr, c.remoteAddr);
        boolean retransmission = len > 0 && TcpSeq.lt(seq, c.sndMax) || syn && c.retries > 0;
        int r = send(p, h, c.localAddr, c.remoteAddr, retransmission, (flags & TcpHeader.RST) != 0);
        if (r == IpOutput.SENT && (flags & TcpHeader.ACK) != 0) {
            c.ackNow = false; // the ACK owed went out with this segment
            c.delackOn = false;
            c.segsSinceAck = 0;
        }
        return r;
    }

    /** A RST (or RST-ACK) for a segment no connection takes (RFC 9293 3.10.7.1), or to abort a connection. */
    void sendReset(Pbufs p, int src, int srcPort, int dst, int dstPort, int seq, int ack, boolean withAck) {
        int flags = TcpHeader.RST | (withAck ? TcpHeader.ACK : 0);
        bare(p, src, srcPort, dst, dstPort, seq, withAck ? ack : 0, flags, 0, 0);
    }

    /** A SYN-ACK whose ISN is a SYN cookie: no connection holds it, so it carries only the MSS option. */
    void sendSynCookie(Pbufs p, int src, int srcPort, int dst, int dstPort, int iss, int ack, int mss, int window) {
        bare(p, src, srcPort, dst, dstPort, iss, ack, TcpHeader.SYN | TcpHeader.ACK, window, mss);
    }

    /** A segment without a connection and without data; with an MSS option when {@code mss > 0}. */
    private void bare(Pbufs p, int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window,
                      int mss) {
        int hl = TcpHeader.MIN_HEADER_LENGTH + (mss > 0 ? 4 : 0);
        int h = p.getHdrReserve(PbufType.HEADER, Layer.TRANSPORT);
        if (h == PbufHandle.NULL) {
            counters.drop(TcpDrop.NO_BUFFERS);
            stack.pressure(p);
            return;
        }
        h = p.prepend(h, hl);
        if (h == PbufHandle.NULL) {
            counters.drop(TcpDrop.NO_BUFFERS);
            return;
        }
        MemorySegment s = p.segment();
        long at = p.address(h);
        TcpHeader.write(s, at, srcPort, dstPort, seq, ack, flags, window, hl);
        if (mss > 0) {
            TcpHeader.writeMss(s, at + TcpHeader.MIN_HEADER_LENGTH, mss);
        }
        TcpHeader.fillChecksum(p, h, 0, hl, src, dst);
        send(p, h, src, dst, false, (flags & TcpHeader.RST) != 0);
    }

    private int send(Pbufs p, int h, int src, int dst, boolean retransmission, boolean rst) {
        int r = ip.send(p, h, src, dst, Ipv4Header.PROTOCOL_TCP, 0, true);
        if (r == IpOutput.NO_ROOM) {
            p.freem(h);
            counters.drop(TcpDrop.OUTPUT_FULL);
            return r;
        }
        if (r == IpOutput.DROPPED) {
            counters.drop(TcpDrop.OUTPUT_DROPPED);
            return r;
        }
        counters.inc(retransmission ? TcpMib.tcpRetransSegs : TcpMib.tcpOutSegs);
        if (rst) {
            counters.inc(TcpMib.tcpOutRsts);
        }
        return r;
    }

    /** Fills the pbufs of {@code dst} from the queue, from byte {@code off} on, piece by piece. */
    private static void copyFromQueue(Pbufs p, int queue, int off, int dst) {
        MemorySegment s = p.segment();
        long located = p.locate(queue, off);
        int src = Pbufs.locatedPbuf(located);
        int so = Pbufs.locatedOffset(located);
        for (int d = dst; d != PbufHandle.NULL; d = p.next(d)) {
            int dl = p.len(d);
            int done = 0;
            while (done < dl) {
                int n = Math.min(p.len(src) - so, dl - done);
                MemorySegment.copy(s, p.address(src) + so, s, p.address(d) + done, n);
                so += n;
                done += n;
                if (so == p.len(src) && done < dl) {
                    src = p.next(src);
                    so = 0;
                    while (p.len(src) == 0) {
                        src = p.next(src);
                    }
                }
            }
        }
    }

    /**
     * The window field to send, and the right edge it sets. The edge never moves left (RFC 9293 3.8.6), and it
     * moves right only by at least min(buffer / 2, MSS) (receiver SWS avoidance, RFC 9293 3.8.6.2.2). Windows of
     * SYN segments are never scaled (RFC 7323 2.2).
     */
    private static int window(TcpConnection c, boolean syn) {
        int free = Math.max(0, c.receiveBuffer - c.rcvHeld);
        int cur = Math.max(0, c.rcvAdvEdge - c.rcvNxt);
        int win = free;
        if (win <= cur) {
            win = cur;
        } else if (win - cur < Math.min(c.receiveBuffer / 2, c.mss) && win < c.receiveBuffer) {
            win = cur;
        }
        int field;
        int adv;
        if (syn) {
            field = Math.min(win, 0xFFFF);
            adv = field;
        } else {
            field = Math.min(win >>> c.rcvScale, 0xFFFF);
            adv = field << c.rcvScale;
            if (adv < cur) {
                field = Math.min((cur + (1 << c.rcvScale) - 1) >>> c.rcvScale, 0xFFFF);
                adv = field << c.rcvScale;
            }
        }
        if (TcpState.isSynchronized(c.state) || c.state == TcpState.SYN_RECEIVED) {
            c.rcvAdvEdge = c.rcvNxt + adv;
        }
        return field;
    }

    /** The MSS we announce: the egress MTU less the IPv4 and TCP headers (RFC 9293 3.7.1), 536 without one. */
    int ourMss(int remote) {
        int mtu = ip.mtuFor(remote);
        return mtu >= 68 + 40 ? mtu - 40 : 536;
    }
}
