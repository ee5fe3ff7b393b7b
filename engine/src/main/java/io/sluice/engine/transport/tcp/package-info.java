/**
 * TCP (RFC 9293) over pbufs, as a {@link io.sluice.engine.transport.TransportProtocol} of the plane.
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link io.sluice.engine.transport.tcp.TcpStack}: the connection table (open addressing on the 4-tuple
 *       over primitive arrays, then the listen table, an array by port), the application's calls, the timers
 *       ({@code tick}: retransmission, persist, delayed ACK, keepalive, TIME-WAIT).</li>
 *   <li>{@code TcpInput}: "segment arrives" (RFC 9293 3.10.7) in the order of the RFC's checks, with RFC 5961's
 *       challenge ACKs (rate limited), SYN cookies (RFC 4987 3.6) past a listener's bounded backlog, the bounded
 *       {@code OutOfOrderQueue}, NewReno (RFC 6582).</li>
 *   <li>{@code TcpOutput}: what a connection may send (send and congestion windows, Nagle, sender SWS
 *       avoidance, RFC 3042 limited transmit) and the segments themselves: the header prepended into the
 *       headroom of a segment allocated at {@link io.sluice.engine.pbuf.Layer#TRANSPORT}, the checksum over the
 *       chain.</li>
 *   <li>{@link io.sluice.engine.transport.tcp.CongestionControl}: slow start and the reaction to loss, with
 *       {@link io.sluice.engine.transport.tcp.Reno} and {@link io.sluice.engine.transport.tcp.Cubic} (RFC 9438)
 *       pluggable ({@link io.sluice.engine.transport.tcp.TcpConfig#congestion}); {@code RttEstimator}: RFC 6298;
 *       {@code KeyedHash}: SipHash for RFC 6528 ISNs, cookies and RFC 6056 ephemeral ports.</li>
 * </ul>
 *
 * <h2>Using it</h2>
 * Everything runs on the stage's thread; callbacks must not block. A server:
 * <pre>{@code
 * TcpStack tcp = new TcpStack(new TcpConfig());
 * plane.protocol(6, tcp); tcp.attach(ipOutput);          // the plane's side (its IpOutput)
 * tcp.listen(0, 7, c -> new TcpHandler() {                // echo
 *     public void onData(TcpConnection c, Pbufs p, int chain) {
 *         int n = p.length(chain);
 *         int rest = c.send(p, chain);                    // takes what fits in the send buffer
 *         p.freem(rest);                                  // (a real echo keeps it for onSendSpace)
 *         c.consumed(n);                                  // the window opens again
 *     }
 *     public void onPeerClosed(TcpConnection c) { c.close(); }
 * });
 * }</pre>
 * A client: {@code tcp.connect(p, dst, port, handler)}; {@code onConnected} says when it may send.
 *
 * <h2>Ownership</h2>
 * {@link io.sluice.engine.transport.tcp.TcpConnection#send} takes the bytes it accepts (the chain, or its head
 * when it returns a remainder). Received data is handed over as chains, zero copy: the application frees them and
 * reports the bytes with {@link io.sluice.engine.transport.tcp.TcpConnection#consumed}; until then they count
 * against the receive window, so a slow reader closes the window (back-pressure to the peer, with persist
 * probes from it). A pbuf has one owner and no reference count, so the send queue keeps the application's
 * chain and each transmission (first or again) copies its bytes into a new segment behind the header.
 *
 * <h2>Pool pressure</h2>
 * ACKs and control segments take the pool's reserve; a data segment that finds no pbufs goes smaller, in one
 * reserve pbuf; when even the reserve is dry the out-of-order queues are pruned. A connection therefore never
 * waits for pbufs that only its own progress can free.
 */
package io.sluice.engine.transport.tcp;
