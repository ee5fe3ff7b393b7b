package io.sluice.engine.transport.tcp;

import static io.sluice.engine.wire.TcpHeader.ACK;
import static io.sluice.engine.wire.TcpHeader.FIN;
import static io.sluice.engine.wire.TcpHeader.RST;
import static io.sluice.engine.wire.TcpHeader.SYN;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.TcpHeader;
import io.sluice.engine.wire.TcpOptions;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.MemorySegment;

/**
 * "Segment arrives" (RFC 9293 3.10.7): checks a received segment, finds its connection (the 4-tuple table, then
 * the listen table) and runs the state machine in the order of the RFC's checks, with RFC 5961's answers to blind
 * resets, SYNs and ACKs. The segment's fields are held in this object while it is processed, so nothing is
 * allocated per segment; every path frees or hands on the payload.
 */
final class TcpInput {
    private final TcpStack stack;
    private final TcpCounters counters;
    private final TcpOptions opts = new TcpOptions();
    private final SynCookies cookies;
    /** The toolkit of the current call. */
    private Pbufs pbufs;

    // The segment being processed.
    private int src;
    private int dst;
    private int srcPort;
    private int dstPort;
    private int seq;
    private int ack;
    private int flags;
    private int wnd;
    /** Data bytes (without SYN and FIN). */
    private int dataLen;
    /** The data as a chain of its own (headers trimmed), or NULL. */
    private int payload;

    TcpInput(TcpStack stack, TcpCounters counters) {
        this.stack = stack;
        this.counters = counters;
        this.cookies = new SynCookies(stack.hash);
    }

    void segment(Pbufs p, int frame, int l3) {
        pbufs = p;
        counters.inc(TcpMib.tcpInSegs);
        // The plane delivers the IPv4 header contiguous; a caller that does not is served by a pullup.
        int ipNeed = Math.min(p.length(frame), l3 + Ipv4Header.MAX_HEADER_LENGTH);
        if (p.len(frame) < ipNeed) {
            frame = p.pullup(frame, ipNeed);
        }
        MemorySegment s = p.segment();
        long ip = p.address(frame) + l3;
        int ihl = Ipv4Header.headerLength(s, ip);
        int tcpLen = Ipv4Header.totalLength(s, ip) - ihl;
        int off = l3 + ihl;
        if (tcpLen < TcpHeader.MIN_HEADER_LENGTH || p.length(frame) < off + tcpLen) {
            counters.drop(WireError.TCP_TOO_SHORT);
            p.freem(frame);
            return;
        }
        src = Ipv4Header.src(s, ip);
        dst = Ipv4Header.dst(s, ip);
        int need = off + Math.min(tcpLen, TcpHeader.MAX_HEADER_LENGTH);
        if (p.len(frame) < need) {
            frame = p.pullup(frame, need);
            if (frame == PbufHandle.NULL) {
                counters.drop(WireError.TCP_TOO_SHORT);
                return;
            }
        }
        long th = p.address(frame) + off;
        WireError e = TcpHeader.check(s, th, tcpLen);
        // A frame a local kernel marked as checked or left to offload (a veth peer) is not verified, as UDP does.
        if (e == WireError.OK && (p.pktFlags(frame) & io.sluice.engine.pbuf.PacketFlags.CSUM_TRUSTED) == 0) {
            e = TcpHeader.checkChecksum(p, frame, off, tcpLen, src, dst);
        }
        if (e != WireError.OK) {
            counters.drop(e);
            p.freem(frame);
            return;
        }
        if (!stack.out.ip().isLocal(dst) || isMulticastOrBroadcast(src)) {
            // RFC 9293 3.10.7.2: segments to or from broadcast or multicast addresses are never answered.
            counters.drop(TcpDrop.NOT_LOCAL);
            p.freem(frame);
            return;
        }
        srcPort = TcpHeader.srcPort(s, th);
        dstPort = TcpHeader.dstPort(s, th);
        seq = TcpHeader.seq(s, th);
        ack = TcpHeader.ack(s, th);
        flags = TcpHeader.flags(s, th);
        wnd = TcpHeader.window(s, th);
        int hl = TcpHeader.headerLength(s, th);
        if ((flags & SYN) != 0) {
            TcpHeader.parseOptions(s, th, opts);
        } else {
            opts.reset();
        }
        dataLen = tcpLen - hl;
        if (dataLen == 0) {
            p.freem(frame);
            payload = PbufHandle.NULL;
        } else {
            payload = p.adj(frame, off + hl);
            int extra = p.length(payload) - dataLen; // Ethernet padding past the IP datagram
            if (extra > 0) {
                payload = p.adj(payload, -extra);
            }
        }

        TcpConnection c = stack.find(dst, dstPort, src, srcPort);
        TcpListener l = stack.listener(dstPort, dst);
        if (c != null && !c.dead && c.state == TcpState.TIME_WAIT && l != null && (flags & (SYN | ACK | RST)) == SYN
            && TcpSeq.gt(seq, c.rcvNxt)) {
            // RFC 1122 4.2.2.13 (and RFC 6191): a new SYN for a tuple in TIME-WAIT whose sequence number is past
            // everything the old connection carried may open a new connection at once. A client reuses its port
            // as soon as it closed second (it holds no TIME-WAIT), and a server that closed first would otherwise
            // answer it with ACKs until 2 MSL are over.
            stack.reuseTimeWait(p, c);
            c = null;
        }
        if (c != null && !c.dead) {
            if (c.state == TcpState.SYN_SENT) {
                synSent(p, c);
            } else {
                otherStates(p, c);
            }
            return;
        }
        if (l != null && c == null) {
            listen(p, l);
        } else {
            closed(p);
        }
    }

    private static boolean isMulticastOrBroadcast(int addr) {
        return (addr >>> 28) == 0xE || addr == -1;
    }

    private int segLen() {
        return dataLen + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
    }

    private void dropPayload(Pbufs p) {
        p.freem(payload);
        payload = PbufHandle.NULL;
    }

    // ------------------------------------------------------------------------------ RFC 9293 3.10.7.1 CLOSED

    private void closed(Pbufs p) {
        dropPayload(p);
        if ((flags & RST) != 0) {
            counters.drop(TcpDrop.RST_NO_SOCKET);
            return;
        }
        counters.drop(TcpDrop.NO_SOCKET);
        sendResetFor(p);
    }

    /** The RST that answers this segment: SEQ = SEG.ACK if it had an ACK, else ACK = SEG.SEQ + SEG.LEN. */
    private void sendResetFor(Pbufs p) {
        if ((flags & ACK) != 0) {
            stack.out.sendReset(p, dst, dstPort, src, srcPort, ack, 0, false);
        } else {
            stack.out.sendReset(p, dst, dstPort, src, srcPort, 0, seq + segLen(), true);
        }
    }

    // ------------------------------------------------------------------------------ RFC 9293 3.10.7.2 LISTEN

    private void listen(Pbufs p, TcpListener l) {
        if ((flags & (RST | SYN | ACK)) == ACK && l.cookiesSent && stack.now - l.lastCookieAt < 128_000_000_000L) {
            int idx = cookies.check(dst, dstPort, src, srcPort, seq - 1, ack - 1, stack.now);
            if (idx >= 0) {
                cookieEstablished(p, l, idx);
                return;
            }
        }
        dropPayload(p); // data on a SYN is not kept: the peer sends it again once established
        if ((flags & RST) != 0) {
            counters.drop(TcpDrop.RST_NO_SOCKET);
            return;
        }
        if ((flags & ACK) != 0) {
            counters.drop(TcpDrop.LISTEN_BAD_SEGMENT);
            sendResetFor(p);
            return;
        }
        if ((flags & SYN) == 0) {
            counters.drop(TcpDrop.LISTEN_BAD_SEGMENT);
            return;
        }
        if (l.backlog >= l.backlogLimit) {
            // SYN-flood protection: the half-open connections of a listener are bounded; past the bound, a SYN
            // cookie answers and no state is kept (RFC 4987 3.6).
            if (!stack.config.synCookies()) {
                counters.drop(TcpDrop.LISTEN_OVERFLOW);
                return;
            }
            int peerMss = opts.mss == TcpOptions.NO_MSS ? 536 : opts.mss;
            int idx = SynCookies.mssIndex(Math.min(peerMss, stack.out.ourMss(src)));
            int cookie = cookies.make(dst, dstPort, src, srcPort, seq, idx, stack.now);
            stack.out.sendSynCookie(p, dst, dstPort, src, srcPort, cookie, seq + 1, SynCookies.MSS[idx],
                Math.min(stack.config.receiveBuffer(), 0xFFFF));
            counters.inc(TcpMib.tcpSynCookiesSent);
            l.cookiesSent = true;
            l.lastCookieAt = stack.now;
            return;
        }
        TcpConnection c = stack.allocate(p, dst, dstPort, src, srcPort);
        if (c == null) {
            return; // counted as TABLE_FULL
        }
        counters.inc(TcpMib.tcpPassiveOpens);
        c.listener = l;
        l.backlog++;
        c.state = TcpState.SYN_RECEIVED;
        c.irs = seq;
        c.rcvNxt = seq + 1;
        c.rcvAdvEdge = c.rcvNxt;
        c.iss = stack.isn(dst, dstPort, src, srcPort);
        c.sndUna = c.iss;
        c.sndNxt = c.iss + 1;
        c.sndMax = c.iss + 1;
        c.recover = c.iss;
        negotiate(c);
        c.sndWnd = wnd; // RFC 7323 2.2: the window of a SYN is never scaled
        c.maxSndWnd = wnd;
        c.sndWl1 = seq;
        c.sndWl2 = c.iss;
        stack.out.sendSyn(p, c, true, opts.windowScale != TcpOptions.NO_WSCALE);
        c.rttTiming = true;
        c.rttSeq = c.iss;
        c.rttStart = stack.now;
        stack.armRetransmit(c, stack.now);
    }

    /**
     * The ACK of a SYN cookie: the connection is made as if it had waited in SYN-RECEIVED, without window
     * scaling, and the segment goes on through the usual checks (its ACK completes the handshake, its data is
     * taken).
     */
    private void cookieEstablished(Pbufs p, TcpListener l, int mssIndex) {
        TcpConnection c = stack.allocate(p, dst, dstPort, src, srcPort);
        if (c == null) {
            dropPayload(p);
            return;
        }
        counters.inc(TcpMib.tcpSynCookiesRecv);
        counters.inc(TcpMib.tcpPassiveOpens);
        c.listener = l;
        l.backlog++;
        c.state = TcpState.SYN_RECEIVED;
        c.irs = seq - 1;
        c.rcvNxt = seq;
        c.rcvAdvEdge = seq + Math.min(c.receiveBuffer, 0xFFFF);
        c.iss = ack - 1;
        c.sndUna = c.iss;
        c.sndNxt = ack;
        c.sndMax = ack;
        c.recover = c.iss;
        c.mss = Math.min(SynCookies.MSS[mssIndex], stack.out.ourMss(src));
        c.cc.init(c.mss, stack.config.initialWindow());
        c.sndWnd = wnd;
        c.maxSndWnd = wnd;
        c.sndWl1 = seq;
        c.sndWl2 = c.iss;
        otherStates(p, c);
    }

    /** MSS (RFC 9293 3.7.1) and window scaling (RFC 7323 2.2: only when both SYNs carry the option). */
    private void negotiate(TcpConnection c) {
        int peerMss = opts.mss == TcpOptions.NO_MSS ? 536 : Math.max(opts.mss, 64);
        c.mss = Math.min(peerMss, stack.out.ourMss(c.remoteAddr));
        if (opts.windowScale != TcpOptions.NO_WSCALE) {
            c.sndScale = opts.windowScale;
            c.rcvScale = TcpStack.windowShift(c.receiveBuffer);
        } else {
            c.sndScale = 0;
            c.rcvScale = 0;
        }
        c.cc.init(c.mss, stack.config.initialWindow());
    }

    // ------------------------------------------------------------------------------ RFC 9293 3.10.7.3 SYN-SENT

    private void synSent(Pbufs p, TcpConnection c) {
        dropPayload(p); // data on a SYN-ACK is not kept: it is not acknowledged, so it comes again
        boolean hasAck = (flags & ACK) != 0;
        if (hasAck && (TcpSeq.leq(ack, c.iss) || TcpSeq.gt(ack, c.sndMax))) {
            counters.drop(TcpDrop.SYN_SENT_BAD_SEGMENT);
            if ((flags & RST) == 0) {
                stack.out.sendReset(p, dst, dstPort, src, srcPort, ack, 0, false);
            }
            return;
        }
        if ((flags & RST) != 0) {
            if (hasAck) { // RFC 5961 3.2 leaves SYN-SENT as RFC 793 had it: an acceptable ACK makes it real
                counters.inc(TcpMib.tcpAttemptFails);
                stack.closeConnection(c, TcpCloseReason.REFUSED);
            } else {
                counters.drop(TcpDrop.SYN_SENT_BAD_SEGMENT);
            }
            return;
        }
        if ((flags & SYN) == 0) {
            counters.drop(TcpDrop.SYN_SENT_BAD_SEGMENT);
            return;
        }
        c.irs = seq;
        c.rcvNxt = seq + 1;
        c.rcvAdvEdge = c.rcvNxt;
        int ourScale = c.rcvScale;
        negotiate(c);
        if (opts.windowScale != TcpOptions.NO_WSCALE) {
            c.rcvScale = ourScale;
        }
        c.sndWnd = wnd;
        c.maxSndWnd = wnd;
        c.sndWl1 = seq;
        if (hasAck) {
            c.sndUna = ack;
            c.sndWl2 = ack;
            if (c.rttTiming && c.retries == 0) {
                c.rtt.sample(stack.now - c.rttStart);
            }
            c.rttTiming = false;
            c.retries = 0;
            c.rtxOn = false;
            c.state = TcpState.ESTABLISHED;
            stack.touchKeepalive(c, stack.now);
            c.ackNow = true;
            stack.schedule(c);
            c.handler.onConnected(c);
            return;
        }
        // Simultaneous open (RFC 9293 3.5, figure 8): SYN-RECEIVED, and our SYN again with an ACK.
        c.state = TcpState.SYN_RECEIVED;
        c.sndWl2 = c.iss;
        stack.out.sendSyn(p, c, true, opts.windowScale != TcpOptions.NO_WSCALE);
    }

    // ------------------------------------------------------------------------------ RFC 9293 3.10.7.4 the rest

    private void otherStates(Pbufs p, TcpConnection c) {
        long now = stack.now;
        if (c.state == TcpState.SYN_RECEIVED && (flags & (SYN | ACK | RST)) == SYN && seq == c.irs) {
            // The peer sent its SYN again: our SYN-ACK was lost. Send it again at once.
            dropPayload(p);
            stack.out.sendSyn(p, c, true, c.sndScale > 0 || c.rcvScale > 0);
            return;
        }
        // First: is the segment acceptable (in the receive window)?
        int rcvWnd = Math.max(0, c.rcvAdvEdge - c.rcvNxt);
        int len = segLen();
        boolean acceptable;
        if (len == 0) {
            acceptable = rcvWnd == 0 ? seq == c.rcvNxt : TcpSeq.inRange(seq, c.rcvNxt, c.rcvNxt + rcvWnd);
        } else if (rcvWnd == 0) {
            acceptable = false;
        } else {
            acceptable = TcpSeq.inRange(seq, c.rcvNxt, c.rcvNxt + rcvWnd)
                || TcpSeq.inRange(seq + len - 1, c.rcvNxt, c.rcvNxt + rcvWnd);
        }
        if (!acceptable && rcvWnd == 0 && seq == c.rcvNxt && (flags & (SYN | RST)) == 0) {
            // "Special allowance" for a zero window: take the ACK, drop the data (a window probe), and answer.
            dropPayload(p);
            dataLen = 0;
            flags &= ~FIN;
            c.ackNow = true;
            acceptable = true;
        }
        if (!acceptable) {
            dropPayload(p);
            if ((flags & RST) != 0) {
                counters.drop(TcpDrop.RST_OUT_OF_WINDOW); // RFC 5961 3.2: silently
                return;
            }
            counters.drop(TcpDrop.OUT_OF_WINDOW);
            c.ackNow = true;
            if (c.state == TcpState.TIME_WAIT && (flags & FIN) != 0) {
                c.timeWaitAt = now + 2 * stack.config.msl(); // a retransmitted FIN restarts the 2 MSL
            }
            stack.schedule(c);
            return;
        }
        // Second: RST (RFC 5961 3.2: only an exact match resets; any other in-window RST is challenged).
        if ((flags & RST) != 0) {
            dropPayload(p);
            if (c.state == TcpState.TIME_WAIT) {
                counters.drop(TcpDrop.RST_IN_TIME_WAIT);
                return;
            }
            if (seq != c.rcvNxt) {
                counters.drop(TcpDrop.RST_CHALLENGED);
                challengeAck(p, c);
                return;
            }
            reset(c);
            return;
        }
        // Fourth: SYN in a synchronized state (RFC 5961 4.2): a challenge ACK, whatever its sequence number.
        if ((flags & SYN) != 0) {
            dropPayload(p);
            counters.drop(TcpDrop.SYN_CHALLENGED);
            challengeAck(p, c);
            return;
        }
        // Fifth: ACK.
        if ((flags & ACK) == 0) {
            dropPayload(p);
            counters.drop(TcpDrop.NO_ACK);
            return;
        }
        if (c.state == TcpState.SYN_RECEIVED) {
            if (!TcpSeq.gt(ack, c.sndUna) || TcpSeq.gt(ack, c.sndMax)) {
                dropPayload(p);
                counters.drop(TcpDrop.ACK_UNACCEPTABLE);
                stack.out.sendReset(p, dst, dstPort, src, srcPort, ack, 0, false);
                return;
            }
            if (!established(c)) {
                dropPayload(p);
                return;
            }
        }
        // RFC 5961 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.MAX].
        if (TcpSeq.gt(ack, c.sndMax) || TcpSeq.lt(ack, c.sndUna - Math.max(c.maxSndWnd, 1))) {
            dropPayload(p);
            counters.drop(TcpDrop.ACK_UNACCEPTABLE);
            challengeAck(p, c);
            return;
        }
        processAck(p, c, now);
        if (c.dead) {
            dropPayload(p);
            return;
        }
        // Seventh: the segment text.
        boolean fin = (flags & FIN) != 0;
        boolean finNext = fin && dataLen == 0 && seq == c.rcvNxt;
        if (dataLen > 0) {
            if (c.state == TcpState.ESTABLISHED || c.state == TcpState.FIN_WAIT_1
                || c.state == TcpState.FIN_WAIT_2) {
                finNext = receiveData(p, c, now, fin);
                if (c.dead) {
                    return;
                }
            } else {
                dropPayload(p);
                counters.drop(TcpDrop.DATA_AFTER_FIN);
                c.ackNow = true;
            }
        }
        // Eighth: FIN, when it is the next byte expected (it may have waited out of order behind its data).
        if (finNext) {
            receiveFin(c, now);
        } else if (fin) {
            c.ackNow = true;
        }
        if (c.ackNow || c.sndQueueLen > 0 || c.finQueued) {
            stack.schedule(c);
        }
    }

    /** SYN-RECEIVED to ESTABLISHED: the handshake is complete. Returns false when the acceptor refused it. */
    private boolean established(TcpConnection c) {
        TcpListener l = c.listener;
        if (l != null) {
            l.backlog--;
            c.listener = null;
        }
        c.sndUna = c.iss + 1;
        if (c.rttTiming && c.retries == 0) {
            c.rtt.sample(stack.now - c.rttStart);
        }
        c.rttTiming = false;
        c.retries = 0;
        c.rtxOn = false;
        c.sndWnd = wnd << c.sndScale;
        c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
        c.sndWl1 = seq;
        c.sndWl2 = ack;
        c.state = c.finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
        stack.touchKeepalive(c, stack.now);
        if (c.handler == null) {
            TcpHandler h = l != null && l.open ? l.acceptor.onAccept(c) : null;
            if (h == null) {
                counters.drop(TcpDrop.ACCEPT_REFUSED);
                stack.resetAndClose(pbufs, c, TcpCloseReason.ABORTED);
                return false;
            }
            c.handler = h;
        }
        c.visible = true;
        c.handler.onConnected(c);
        return !c.dead;
    }


    /** RFC 5961 3.2: the exact RST. What it does depends on the state (RFC 9293 3.10.7.4, second check). */
    private void reset(TcpConnection c) {
        switch (c.state) {
            case TcpState.SYN_RECEIVED -> {
                counters.inc(TcpMib.tcpAttemptFails);
                stack.closeConnection(c, c.visible ? TcpCloseReason.REFUSED : TcpCloseReason.RESET);
            }
            case TcpState.ESTABLISHED, TcpState.CLOSE_WAIT -> {
                counters.inc(TcpMib.tcpEstabResets);
                stack.closeConnection(c, TcpCloseReason.RESET);
            }
            case TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2 -> stack.closeConnection(c, TcpCloseReason.RESET);
            default -> stack.closeConnection(c, TcpCloseReason.NORMAL); // CLOSING, LAST-ACK, TIME-WAIT
        }
    }

    /** RFC 5961 3.2, 4.2, 5.2: an ACK that tells a genuine peer where we are, rate limited (7). */
    private void challengeAck(Pbufs p, TcpConnection c) {
        if (!stack.challengeAcks.tryAcquire(stack.now)) {
            counters.drop(TcpDrop.CHALLENGE_ACK_LIMITED);
            return;
        }
        counters.inc(TcpMib.tcpChallengeAcks);
        stack.out.sendAck(p, c);
    }

    /** The fifth check for synchronized states: SND.UNA, the window, RTT, congestion control, FIN acknowledged. */
    private void processAck(Pbufs p, TcpConnection c, long now) {
        int sndWndBefore = c.sndWnd;
        if (TcpSeq.gt(ack, c.sndUna)) {
            int acked = ack - c.sndUna;
            int dataAcked = Math.min(acked, c.sndQueueLen);
            if (dataAcked > 0) {
                SendQueue.trim(p, c, dataAcked);
            }
            if (acked > dataAcked && c.finQueued) {
                c.finAcked = true;
            }
            c.sndUna = ack;
            if (TcpSeq.lt(c.sndNxt, ack)) {
                c.sndNxt = ack;
            }
            if (c.rttTiming && TcpSeq.gt(ack, c.rttSeq)) {
                c.rtt.sample(now - c.rttStart);
                c.rttTiming = false;
            }
            c.retries = 0;
            if (c.inRecovery) {
                if (TcpSeq.geq(ack, c.recover)) {
                    // RFC 6582 3.2 step 3, full acknowledgment: deflate and leave recovery.
                    c.inRecovery = false;
                    c.dupAcks = 0;
                    c.cc.onRecoveryEnd(c.sndMax - c.sndUna);
                } else {
                    // Partial acknowledgment: the next hole is lost too. Retransmit it, deflate by what was
                    // acknowledged, add back one MSS, and restart the timer (RFC 6582 3.2 step 3).
                    stack.out.retransmitFirst(p, c);
                    c.cc.setCwnd(c.cc.cwnd() - acked + (acked >= c.mss ? c.mss : 0));
                    stack.armRetransmit(c, now);
                }
            } else {
                c.dupAcks = 0;
                c.cc.onAck(acked, now, c.rtt.srtt());
            }
            // RFC 6298 5.2 and 5.3: stop the timer when everything is acknowledged, else restart it.
            if (c.sndUna == c.sndMax) {
                c.rtxOn = false;
            } else if (!c.inRecovery || TcpSeq.geq(ack, c.recover)) {
                stack.armRetransmit(c, now);
            }
            if (c.wantSendSpace && c.sendSpace() > 0 && c.handler != null && c.visible) {
                c.wantSendSpace = false;
                c.handler.onSendSpace(c, c.sendSpace());
                if (c.dead) {
                    return;
                }
            }
        } else if (ack == c.sndUna && dataLen == 0 && (flags & (SYN | FIN)) == 0 && c.sndMax != c.sndUna
            && (wnd << c.sndScale) == sndWndBefore) {
            duplicateAck(p, c, now);
        }
        // The send window (RFC 9293 3.10.7.4): update from the newest segment only (WL1, WL2).
        if (TcpSeq.lt(c.sndWl1, seq) || c.sndWl1 == seq && TcpSeq.leq(c.sndWl2, ack)) {
            c.sndWnd = wnd << c.sndScale;
            c.sndWl1 = seq;
            c.sndWl2 = ack;
            if (c.sndWnd > c.maxSndWnd) {
                c.maxSndWnd = c.sndWnd;
            }
            if (c.sndWnd > 0 && c.persistOn) {
                // The window opened: back to the retransmission timer, from SND.UNA (a probe byte the peer
                // dropped goes again in order).
                c.persistOn = false;
                c.persistBackoff = 0;
                c.sndNxt = c.sndUna;
                c.rttTiming = false;
            }
        }
        stack.touchKeepalive(c, now);
        if (c.finAcked) {
            switch (c.state) {
                case TcpState.FIN_WAIT_1 -> c.state = TcpState.FIN_WAIT_2;
                case TcpState.CLOSING -> stack.enterTimeWait(c, now);
                case TcpState.LAST_ACK -> stack.closeConnection(c, TcpCloseReason.NORMAL);
                default -> {
                }
            }
        }
    }

    /** RFC 5681 3.2 (fast retransmit) and RFC 6582 3.2 (NewReno), on a duplicate acknowledgment. */
    private void duplicateAck(Pbufs p, TcpConnection c, long now) {
        c.dupAcks++;
        if (c.dupAcks < 3) {
            stack.schedule(c); // limited transmit (RFC 3042): see TcpOutput
        }
        if (c.inRecovery) {
            c.cc.setCwnd(c.cc.cwnd() + c.mss); // step 4: inflate for the segment that left the network
            return;
        }
        if (c.dupAcks == 3 && TcpSeq.gt(ack - 1, c.recover - 1)) {
            // Step 2: the third duplicate and not a loss from before the last recovery (RFC 6582 4.1).
            int flight = c.sndMax - c.sndUna;
            c.cc.onCongestion(flight, now);
            c.recover = c.sndMax;
            c.inRecovery = true;
            counters.inc(TcpMib.tcpFastRetrans);
            stack.out.retransmitFirst(p, c);
            c.cc.setCwnd(c.cc.ssthresh() + 3 * c.mss);
            stack.armRetransmit(c, now);
        }
    }

    /**
     * Takes the data of an acceptable segment: trimmed to the window, handed to the application when in order
     * (with whatever the out-of-order queue then completes), held when not.
     *
     * @return whether a FIN now follows RCV.NXT: this segment's (unless trimmed off with data past the window),
     *     or that of a held segment the gap-fill completed
     */
    private boolean receiveData(Pbufs p, TcpConnection c, long now, boolean fin) {
        if (TcpSeq.lt(seq, c.rcvNxt)) {
            int d = c.rcvNxt - seq; // already received: trim the front
            payload = p.adj(payload, d);
            seq += d;
            dataLen -= d;
        }
        int right = c.rcvAdvEdge;
        if (TcpSeq.gt(seq + dataLen, right)) {
            int cut = seq + dataLen - right; // past the window: trim the end (RFC 9293 3.10.7.4)
            payload = p.adj(payload, -cut);
            dataLen -= cut;
            fin = false;
        }
        if (dataLen <= 0) {
            dropPayload(p);
            dataLen = 0;
            c.ackNow = true;
            return fin;
        }
        if (seq != c.rcvNxt) {
            int r = c.ofo.insert(p, seq, dataLen, payload, fin);
            payload = PbufHandle.NULL;
            if (r == OutOfOrderQueue.QUEUED) {
                counters.inc(TcpMib.tcpOfoQueued);
            } else {
                counters.drop(r == OutOfOrderQueue.FULL ? TcpDrop.OFO_QUEUE_FULL : TcpDrop.OFO_DUPLICATE);
            }
            c.ackNow = true; // RFC 5681 4.2: an out-of-order segment is acknowledged at once (a duplicate ACK)
            return false;
        }
        boolean gapFilled = !c.ofo.isEmpty();
        int chain = payload;
        payload = PbufHandle.NULL;
        deliver(p, c, chain, dataLen);
        boolean finNext = fin;
        while (!fin && !c.ofo.isEmpty() && !c.dead && TcpSeq.leq(c.ofo.firstSeq(), c.rcvNxt)) {
            int s = c.ofo.firstSeq();
            int l = c.ofo.firstLen();
            boolean f = c.ofo.firstFin();
            int h = c.ofo.takeFirst(p);
            if (TcpSeq.leq(s + l, c.rcvNxt)) {
                p.freem(h);
                continue;
            }
            int d = c.rcvNxt - s;
            if (d > 0) {
                h = p.adj(h, d);
            }
            deliver(p, c, h, l - d);
            finNext = f;
            if (f) {
                break;
            }
        }
        if (gapFilled) {
            c.ackNow = true; // RFC 5681 4.2: ACK at once when a gap fills
        } else if (++c.segsSinceAck >= 2) {
            c.ackNow = true; // RFC 1122 4.2.3.2: at least every second full-sized segment
        } else {
            stack.armDelayedAck(c, now);
        }
        return finNext && !c.dead;
    }

    private void deliver(Pbufs p, TcpConnection c, int chain, int len) {
        c.rcvNxt += len;
        c.rcvHeld += len;
        if (c.handler == null || c.dead) {
            p.freem(chain);
            return;
        }
        c.handler.onData(c, p, chain);
    }

    private void receiveFin(TcpConnection c, long now) {
        if (c.finReceived) {
            c.ackNow = true;
            return;
        }
        c.finReceived = true;
        c.rcvNxt += 1;
        c.ackNow = true;
        switch (c.state) {
            case TcpState.SYN_RECEIVED, TcpState.ESTABLISHED -> c.state = TcpState.CLOSE_WAIT;
            case TcpState.FIN_WAIT_1 -> {
                if (c.finAcked) {
                    stack.out.sendAck(pbufs, c); // the ACK of their FIN, before TIME-WAIT holds the tuple
                    stack.enterTimeWait(c, now);
                    return;
                }
                c.state = TcpState.CLOSING;
            }
            case TcpState.FIN_WAIT_2 -> {
                stack.out.sendAck(pbufs, c);
                stack.enterTimeWait(c, now);
                return;
            }
            default -> {
                return;
            }
        }
        if (c.handler != null && c.visible) {
            c.handler.onPeerClosed(c);
        }
    }
}
