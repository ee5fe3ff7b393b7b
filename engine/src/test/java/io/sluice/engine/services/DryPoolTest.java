package io.sluice.engine.services;

import static io.sluice.engine.services.ServiceNet.SERVER;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.services.ServiceNet.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A service that finds the pool empty while nothing of its is in flight gets no acknowledgment to bring it back:
 * it must retry from the stack's tick ({@code StreamSocket.requestTick}), and finish once the pool refills.
 */
@ExtendWith(PbufLeakExtension.class)
class DryPoolTest {
    private static final int BODY = 200_000;
    private static final int ROUNDS = 20_000;

    @Test
    void chargenStartsOnceAPoolThatWasEmptyAtTheHandshakeRefills() {
        try (ServiceNet net = new ServiceNet(4096)) {
            TcpChargen chargen = new TcpChargen();
            net.server.listen(0, TcpChargen.PORT, 8, chargen);
            Reader r = new Reader(BODY);
            assertNotNull(net.client.connect(net.p, SERVER, TcpChargen.PORT, r));
            net.deliverToServer(); // SYN
            net.deliverToClient(); // SYN-ACK: the client's ACK is on the wire
            net.drain(0);
            net.deliverToServer(); // established before an empty pool: chargen has nothing in flight
            assertEquals(1, chargen.connections());
            assertEquals(0, chargen.bytes());
            net.runUntil(() -> false, 100);
            assertEquals(0, r.received, "nothing to send while the pool is empty");
            net.refill();
            assertTrue(net.runUntil(() -> r.received >= BODY, ROUNDS), () -> "stalled at " + r.received + " bytes");
            assertArrayEquals(HttpServer.pattern(BODY), r.got);
            r.socket.close(net.p);
            assertTrue(net.runUntil(() -> r.closed, ROUNDS), "the connection closes");
        }
    }

    @Test
    void aBytesBodyGoesOnOnceAPoolThatRanDryAfterItsHeadRefills() {
        try (ServiceNet net = new ServiceNet(4096)) {
            HttpServer http = new HttpServer();
            net.server.listen(0, HttpServer.PORT, 8, http);
            byte[] request = ("GET /bytes/" + BODY + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
            Reader r = new Reader(BODY + 1024).request(request);
            assertNotNull(net.client.connect(net.p, SERVER, HttpServer.PORT, r));
            net.deliverToServer(); // SYN
            net.deliverToClient(); // SYN-ACK: the client's ACK and its request are on the wire
            net.drain(8); // room for the head and its segment, not for a chunk of the body
            net.deliverToServer();
            assertEquals(1, http.requests());
            net.runUntil(() -> false, 100);
            String head = new String(r.got, 0, (int) r.received, StandardCharsets.ISO_8859_1);
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.endsWith("\r\n\r\n"), head);
            assertEquals(0, http.bodyBytes(), "no body while the pool is empty");
            net.refill();
            long total = head.length() + BODY;
            assertTrue(net.runUntil(() -> r.peerClosed, ROUNDS), () -> "stalled at " + r.received + " bytes");
            assertEquals(total, r.received);
            assertArrayEquals(HttpServer.pattern(BODY), Arrays.copyOfRange(r.got, head.length(), (int) total));
            assertEquals(0, http.noBuffers());
            r.socket.close(net.p);
            assertTrue(net.runUntil(() -> r.closed, ROUNDS), "the connection closes");
        }
    }
}
