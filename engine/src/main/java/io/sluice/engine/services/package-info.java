/**
 * Small example services on the socket API, for {@code ./sluice serve} and the tests: the RFC 862 echo, RFC
 * 863 discard and RFC 864 character generator over UDP. Each is a {@link
 * io.sluice.engine.socket.DatagramHandler} that runs on the stack's thread and allocates nothing per datagram.
 */
package io.sluice.engine.services;
