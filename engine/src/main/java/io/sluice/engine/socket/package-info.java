/**
 * The application's view of the stack: one socket API over UDP ({@code transport.udp.UdpProtocol}) and TCP
 * ({@code transport.tcp.TcpTransport}).
 *
 * <h2>Two ways to use it</h2>
 * <ul>
 *   <li><b>Data path</b>: code that runs on the stack's thread (the plane's IP stage). Sockets are opened
 *       there ({@link io.sluice.engine.socket.CommandQueue#submit} gets you there from any thread, or do it
 *       before the forwarder starts), and the stack calls the application back: {@link
 *       io.sluice.engine.socket.DatagramHandler#onDatagram} for UDP, {@link io.sluice.engine.socket.StreamHandler}
 *       for TCP. Or the application polls ({@link io.sluice.engine.socket.DatagramSocket#poll}). Nothing
 *       blocks and nothing allocates per packet. Receive is zero copy: the application gets the pbuf chain the
 *       datagram arrived in, its data starting at the payload, and owns it (frees it, or sends it back).
 *       Send takes a chain whose data is the payload and prepends the headers into its headroom
 *       ({@link io.sluice.engine.pbuf.Layer#TRANSPORT}; a received chain has room for the headers it lost).</li>
 *   <li><b>Plain code</b>: {@link io.sluice.engine.socket.BlockingSockets}, usable from virtual threads. Each
 *       call is a command handed to the stack's thread over a bounded MPSC queue ({@link
 *       io.sluice.engine.socket.CommandQueue}); the caller parks until the stack completes it ({@link
 *       io.sluice.engine.socket.Completion}, LockSupport). Data is copied between the caller's arrays and pbufs
 *       on the stack's thread, so no pbuf ever crosses to an application thread and the stack's data
 *       structures need no lock.</li>
 * </ul>
 *
 * <h2>Results</h2>
 * Full, empty and refused are return values ({@link io.sluice.engine.socket.SocketResult}); exceptions are
 * for misuse (an address in use, the wrong thread) on the control path.
 *
 * <h2>Back-pressure</h2>
 * Each socket's receive queue is bounded (drops counted under the transport's receive-buffer counter); a send
 * that finds the stage's output full returns {@link io.sluice.engine.socket.SocketResult#NO_ROOM} with the
 * chain still the caller's; the blocking adapter refuses a send when the pool has no pbuf for it, and its
 * callers wait when the command queue is full. TCP adds its windows: {@link io.sluice.engine.socket.StreamHandler#onSendSpace}
 * when the send buffer drains, and on the receive side the bytes an application was handed count against the
 * window until it reports them with {@link io.sluice.engine.socket.StreamSocket#consumed}; the blocking adapter
 * reports them as {@link io.sluice.engine.socket.BlockingStreamSocket#read} copies them out, so a slow reader
 * makes the peer wait. A handler that finds the pool empty with nothing in flight (no acknowledgment is coming)
 * asks for {@link io.sluice.engine.socket.StreamHandler#onTick} with
 * {@link io.sluice.engine.socket.StreamSocket#requestTick} and tries again there.
 */
package io.sluice.engine.socket;
