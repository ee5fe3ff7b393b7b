package io.sluice.engine.socket;

import io.sluice.engine.pbuf.Pbufs;

/** Accepts the connections a listening socket completes, on the stack's thread. */
@FunctionalInterface
public interface StreamListener {
    /**
     * A connection completed its handshake on a listening socket.
     *
     * @return the handler for it, or null to refuse it (the transport resets it)
     */
    StreamHandler onAccept(Pbufs p, StreamSocket connection);
}
