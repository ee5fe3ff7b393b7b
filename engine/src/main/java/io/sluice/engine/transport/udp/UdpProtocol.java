package io.sluice.engine.transport.udp;

import io.sluice.engine.inet.LocalProtocol;
import io.sluice.engine.pbuf.PacketFlags;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.CommandQueue;
import io.sluice.engine.socket.DatagramHandler;
import io.sluice.engine.socket.DatagramSocket;
import io.sluice.engine.socket.DatagramTransport;
import io.sluice.engine.socket.SocketResult;
import io.sluice.engine.stage.Emitter;
import io.sluice.engine.transport.IpOutput;
import io.sluice.engine.transport.TransportProtocol;
import io.sluice.engine.wire.Ipv4Header;
import io.sluice.engine.wire.UdpHeader;
import io.sluice.engine.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Objects;

/**
 * UDP (RFC 768, RFC 1122 4.1) plugged into the plane: input checks, demultiplexing to bound sockets, output.
 *
 * <p>Input: the length checks ({@link UdpHeader#check}), the checksum over the pseudo-header and the whole
 * datagram through its chain (a zero field means the sender computed none, RFC 768; RFC 1122 4.1.3.4 says
 * drop one that does not verify, silently; a frame the receive port marked {@link PacketFlags#CSUM_TRUSTED}, as
 * Linux marks one from a local peer with offload, is not verified), then the socket bound to (destination, port) or to (any, port).
 * With none, {@link LocalProtocol#PORT_UNREACHABLE} goes back to the plane, which sends the ICMP error when RFC
 * 1122 4.1.3.1 and RFC 1812 allow (not for broadcasts, fragments past the first, ...). A datagram a socket takes
 * is stripped to its payload in place (the data offset moves; nothing is copied) and handed over.
 *
 * <p>Output: the UDP header is prepended into the chain's headroom and the checksum computed, then
 * {@link IpOutput#send}.
 *
 * <p>Everything runs on the IP stage's thread. Application threads reach it through {@link #commands()},
 * drained at each tick.
 */
public final class UdpProtocol implements TransportProtocol, DatagramTransport {
    /** Commands the default queue holds in flight. */
    public static final int DEFAULT_COMMANDS = 1024;
    /** The largest payload: 65535 less the IP (20) and UDP (8) headers. */
    public static final int MAX_PAYLOAD = 65_535 - Ipv4Header.MIN_HEADER_LENGTH - UdpHeader.HEADER_LENGTH;

    private final CommandQueue commands;
    private final UdpCounters counters = new UdpCounters();
    private final UdpSocketTable sockets = new UdpSocketTable();
    private IpOutput ip;
    private Thread stackThread;

    /** @param commands the stack's command queue, shared with the other transports (TCP) */
    public UdpProtocol(CommandQueue commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    public UdpProtocol() {
        this(new CommandQueue(DEFAULT_COMMANDS));
    }

    /** Where application threads hand work to the stack's thread (the blocking adapter does). */
    public CommandQueue commands() {
        return commands;
    }

    public UdpCounters counters() {
        return counters;
    }

    @Override
    public int protocolNumber() {
        return Ipv4Header.PROTOCOL_UDP;
    }

    @Override
    public String name() {
        return "udp";
    }

    @Override
    public Map<String, Long> nonZeroCounters() {
        return counters.nonZero();
    }

    @Override
    public void attach(IpOutput output) {
        this.ip = output;
    }

    // ----------------------------------------------------------------------------------------- input

    @Override
    public int deliver(Pbufs p, int h, int l3, Emitter out) {
        if (stackThread == null) {
            stackThread = Thread.currentThread();
        }
        MemorySegment s = p.segment();
        long ip4 = p.address(h) + l3;
        int hl = Ipv4Header.headerLength(s, ip4);
        int available = Ipv4Header.totalLength(s, ip4) - hl;
        int src = Ipv4Header.src(s, ip4);
        int dst = Ipv4Header.dst(s, ip4);
        int l4 = l3 + hl;
        if (available >= UdpHeader.HEADER_LENGTH && p.len(h) < l4 + UdpHeader.HEADER_LENGTH) {
            // The plane made its headers contiguous; the UDP header may start a later pbuf (a reassembled
            // datagram). The packet holds it, so pullup cannot fail and keeps the head.
            h = p.pullup(h, l4 + UdpHeader.HEADER_LENGTH);
            s = p.segment();
        }
        long udp = p.address(h) + l4;
        WireError e = UdpHeader.check(s, udp, available);
        if (e == WireError.OK && (p.pktFlags(h) & PacketFlags.CSUM_TRUSTED) == 0) {
            e = UdpHeader.checkChecksum(p, h, l4, src, dst);
            if (e != WireError.OK) {
                counters.inc(UdpMib.udpInCsumErrors);
            }
        }
        if (e != WireError.OK) {
            counters.drop(e);
            p.freem(h);
            return TAKEN;
        }
        int length = UdpHeader.length(s, udp);
        int srcPort = UdpHeader.srcPort(s, udp);
        UdpSocket socket = sockets.lookup(dst, UdpHeader.dstPort(s, udp), src, srcPort);
        if (socket == null) {
            counters.inc(UdpMib.udpNoPorts);
            return PORT_UNREACHABLE;
        }
        // To the payload, in place: headers off the front, and past UDP's length whatever IP carried beyond it.
        h = p.adj(h, l4 + UdpHeader.HEADER_LENGTH);
        if (available > length) {
            h = p.adj(h, -(available - length));
        }
        socket.deliver(p, h, src, srcPort, counters);
        return TAKEN;
    }

    /**
     * An ICMP error about a datagram UDP sent: to the socket connected to the quoted destination, as BSD does
     * (RFC 1122 4.1.3.3 says pass them up; an unconnected socket has no single peer the error could be about).
     */
    @Override
    public void icmpError(Pbufs p, int packet, int quoteOffset, int type, int code, int rest) {
        MemorySegment s = p.segment();
        long q = p.address(packet) + quoteOffset;
        long udp = q + Ipv4Header.headerLength(s, q);
        UdpSocket socket = sockets.lookup(Ipv4Header.src(s, q), UdpHeader.srcPort(s, udp), Ipv4Header.dst(s, q),
            UdpHeader.dstPort(s, udp));
        if (socket != null && socket.icmpError(p, type, code)) {
            counters.inc(UdpMib.udpIcmpErrors);
        } else {
            counters.inc(UdpMib.udpIcmpErrorsIgnored);
        }
    }

    // ---------------------------------------------------------------------------------------- output

    /**
     * Sends a payload chain from {@code srcAddr:srcPort} (address 0: the egress port's) to {@code dst:dstPort}.
     * See {@link DatagramSocket#sendTo} for the result and ownership.
     */
    int output(Pbufs p, int chain, int srcAddr, int srcPort, int dst, int dstPort) {
        if (dst == 0 || dstPort == 0) {
            return refuse(p, chain, UdpDrop.OUT_BAD_DESTINATION);
        }
        int payload = p.pktLen(chain);
        if (payload > MAX_PAYLOAD) {
            return refuse(p, chain, UdpDrop.OUT_TOO_LONG);
        }
        int src = srcAddr != 0 ? srcAddr : ip.sourceFor(dst);
        if (src == 0) {
            return refuse(p, chain, UdpDrop.OUT_NO_ROUTE);
        }
        int h = p.prepend(chain, UdpHeader.HEADER_LENGTH);
        if (h == PbufHandle.NULL) { // prepend freed it
            counters.drop(UdpDrop.OUT_NO_BUFFERS);
            return SocketResult.DROPPED;
        }
        MemorySegment s = p.segment();
        long udp = p.address(h);
        UdpHeader.write(s, udp, srcPort, dstPort, UdpHeader.HEADER_LENGTH + payload);
        UdpHeader.fillChecksum(p, h, 0, src, dst);
        int r = ip.send(p, h, src, dst, Ipv4Header.PROTOCOL_UDP, 0, false);
        switch (r) {
            case IpOutput.SENT -> counters.inc(UdpMib.udpOutDatagrams);
            // Give the chain back as it came: adj takes the header off again (and frees a pbuf prepend added).
            case IpOutput.NO_ROOM -> p.adj(h, UdpHeader.HEADER_LENGTH);
            default -> counters.drop(UdpDrop.OUT_IP_DROPPED);
        }
        return r;
    }

    /** Frees a chain that cannot be sent and counts why. */
    int refuse(Pbufs p, int chain, UdpDrop reason) {
        counters.drop(reason);
        p.freem(chain);
        return SocketResult.DROPPED;
    }

    // --------------------------------------------------------------------------------------- sockets

    @Override
    public DatagramSocket bind(int localAddr, int localPort, DatagramHandler handler, int queueCapacity) {
        checkThread();
        if (localPort < 0 || localPort > 65_535) {
            throw new IllegalArgumentException("port " + localPort + " is not in 0..65535");
        }
        if (localAddr != 0 && ip != null && !ip.isLocal(localAddr)) {
            throw new IllegalArgumentException(io.sluice.engine.wire.Ipv4Address.toString(localAddr)
                + " is not one of this host's addresses");
        }
        int port = localPort;
        if (port == 0) {
            port = sockets.ephemeral(localAddr);
            if (port == 0) {
                throw new IllegalStateException("no free ephemeral UDP port");
            }
        } else if (!sockets.available(localAddr, port)) {
            throw new IllegalStateException("UDP port " + port + " is in use");
        }
        UdpSocket socket = new UdpSocket(this, localAddr, port, handler, queueCapacity);
        sockets.add(socket);
        return socket;
    }

    void unbind(UdpSocket socket) {
        checkThread();
        sockets.remove(socket);
    }

    /** Sockets bound now. */
    public int bound() {
        return sockets.size();
    }

    private void checkThread() {
        Thread t = stackThread;
        if (t != null && t != Thread.currentThread()) {
            throw new IllegalStateException("UDP sockets are the stack thread's (" + t.getName() + "); from "
                + Thread.currentThread().getName() + " go through commands().submit(...) or BlockingSockets");
        }
    }

    // ---------------------------------------------------------------------------------------- timers

    @Override
    public int tick(Pbufs p, long nanoTime) {
        if (stackThread == null) {
            stackThread = Thread.currentThread();
        }
        return commands.drain(p);
    }

    /** The stack stops: every socket closes (its queue freed) and pending commands fail their callers. */
    @Override
    public void release(Pbufs p) {
        commands.close(p);
        for (UdpSocket s : sockets.all()) {
            s.close(p);
        }
    }
}
