package io.sluice.engine.transport.udp;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.socket.DatagramHandler;
import io.sluice.engine.socket.DatagramSocket;
import io.sluice.engine.wire.Ipv4Address;

/**
 * A bound UDP socket: its binding, its optional connected peer, its handler, and a bounded receive queue of
 * (chain, source address, source port) in three parallel arrays used as a ring, so that queueing allocates
 * nothing. The stack's thread only.
 */
final class UdpSocket implements DatagramSocket {
    private final UdpProtocol udp;
    private final int localAddr;
    private final int localPort;
    private final int[] chains;
    private final int[] addrs;
    private final int[] ports;
    private DatagramHandler handler;
    private int peerAddr;
    private int peerPort;
    private int error;
    private int head;
    private int count;
    private boolean closed;

    UdpSocket(UdpProtocol udp, int localAddr, int localPort, DatagramHandler handler, int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity=" + queueCapacity + " must be >= 1");
        }
        this.udp = udp;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.handler = handler;
        this.chains = new int[queueCapacity];
        this.addrs = new int[queueCapacity];
        this.ports = new int[queueCapacity];
    }

    @Override
    public int localAddress() {
        return localAddr;
    }

    @Override
    public int localPort() {
        return localPort;
    }

    /** Whether a datagram from {@code src:srcPort} is this socket's: any, unless it is connected to a peer. */
    boolean accepts(int src, int srcPort) {
        return peerPort == 0 || (src == peerAddr && srcPort == peerPort);
    }

    /** Takes a received datagram (its payload chain): to the handler, or into the queue; counts it. */
    void deliver(Pbufs p, int chain, int src, int srcPort, UdpCounters counters) {
        if (handler != null) {
            counters.inc(UdpMib.udpInDatagrams);
            handler.onDatagram(p, this, chain, src, srcPort);
            return;
        }
        if (count == chains.length) {
            counters.drop(UdpDrop.RECEIVE_QUEUE_FULL);
            counters.inc(UdpMib.udpInErrors); // RFC 4113: udpInErrors covers "lack of buffer space"
            p.freem(chain);
            return;
        }
        int tail = (head + count) % chains.length;
        chains[tail] = chain;
        addrs[tail] = src;
        ports[tail] = srcPort;
        count++;
        counters.inc(UdpMib.udpInDatagrams);
    }

    /** An ICMP error about a datagram this socket sent: kept and reported when the socket is connected. */
    boolean icmpError(Pbufs p, int type, int code) {
        if (peerPort == 0) {
            return false;
        }
        error = type << 8 | code;
        if (handler != null) {
            handler.onError(p, this, type, code);
        }
        return true;
    }

    @Override
    public int takeError() {
        int e = error;
        error = 0;
        return e;
    }

    @Override
    public int poll(Pbufs p, DatagramHandler h, int max) {
        int n = 0;
        while (n < max && count > 0) {
            int chain = chains[head];
            int src = addrs[head];
            int srcPort = ports[head];
            chains[head] = PbufHandle.NULL;
            head = (head + 1) % chains.length;
            count--;
            n++;
            h.onDatagram(p, this, chain, src, srcPort);
        }
        return n;
    }

    @Override
    public int queued() {
        return count;
    }

    @Override
    public int sendTo(Pbufs p, int chain, int dstAddr, int dstPort) {
        if (closed) {
            return udp.refuse(p, chain, UdpDrop.OUT_SOCKET_CLOSED);
        }
        return udp.output(p, chain, localAddr, localPort, dstAddr, dstPort);
    }

    @Override
    public int send(Pbufs p, int chain) {
        if (peerPort == 0) {
            throw new IllegalStateException("send() on a socket that is not connected; use sendTo()");
        }
        return sendTo(p, chain, peerAddr, peerPort);
    }

    @Override
    public void connect(int addr, int port) {
        if ((port < 0 || port > 65_535) || (port == 0) != (addr == 0)) {
            throw new IllegalArgumentException("connect to " + addr + ":" + port + ": both or neither must be 0");
        }
        peerAddr = addr;
        peerPort = port;
    }

    @Override
    public void handler(DatagramHandler h) {
        this.handler = h;
    }

    @Override
    public void close(Pbufs p) {
        if (closed) {
            return;
        }
        udp.unbind(this);
        closed = true;
        while (count > 0) {
            p.freem(chains[head]);
            chains[head] = PbufHandle.NULL;
            head = (head + 1) % chains.length;
            count--;
            udp.counters().drop(UdpDrop.CLOSED_WITH_DATA);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "udp " + Ipv4Address.toString(localAddr) + ":" + localPort
            + (peerPort != 0 ? " -> " + Ipv4Address.toString(peerAddr) + ":" + peerPort : "")
            + (closed ? " closed" : "") + ", " + count + " queued";
    }
}
