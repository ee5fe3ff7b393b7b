package io.sluice.engine.services;

import static io.sluice.engine.services.ServiceNet.SERVER;
import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.services.ServiceNet.Reader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What {@link HttpServer} answers to request heads, well formed or not, with CR LF or bare LF line ends. */
@ExtendWith(PbufLeakExtension.class)
class HttpServerTest {
    private static final int ROUNDS = 2_000;

    /** The answers to {@code requests} on one connection, and whether the server closed it. */
    private record Exchange(String text, boolean closed, long requests) {
    }

    private static Exchange exchange(String requests) {
        try (ServiceNet net = new ServiceNet(4096)) {
            HttpServer http = new HttpServer();
            net.server.listen(0, HttpServer.PORT, 8, http);
            Reader r = new Reader(64 * 1024).request(requests.getBytes(StandardCharsets.ISO_8859_1));
            assertNotNull(net.client.connect(net.p, SERVER, HttpServer.PORT, r));
            net.runUntil(() -> r.peerClosed, ROUNDS);
            return new Exchange(new String(r.got, 0, (int) Math.min(r.received, r.got.length),
                StandardCharsets.ISO_8859_1), r.peerClosed, http.requests());
        }
    }

    /** Sends {@code requests}; the server must answer exactly {@code answer}, then close. */
    private static void assertClosesAfter(String requests, String answer) {
        Exchange e = exchange(requests);
        assertEquals(answer, e.text(), requests);
        assertTrue(e.closed(), requests);
    }

    /** A text/plain answer that closes the connection. */
    private static String plainClose(String status, String body) {
        return "HTTP/1.1 " + status + "\r\nServer: sluice\r\nContent-Type: text/plain\r\nContent-Length: "
            + body.length() + "\r\nConnection: close\r\n\r\n" + body;
    }

    @Test
    void headsEndedByBareLineFeedsAreAnswered() {
        Exchange e = exchange("GET / HTTP/1.1\n\nGET /bytes/10 HTTP/1.1\r\nHost: x\n\r\n"
            + "HEAD /nothing HTTP/1.0\nHost: y\n\n");
        String[] answers = e.text().split("(?=HTTP/1\\.1 )");
        assertEquals(3, answers.length, e.text());
        assertTrue(answers[0].startsWith("HTTP/1.1 200 OK\r\n") && answers[0].contains("<h1>Sluice</h1>"), answers[0]);
        assertTrue(answers[0].contains("Content-Type: text/html\r\n") && !answers[0].contains("Connection: close"));
        assertEquals("HTTP/1.1 200 OK\r\nServer: sluice\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: 10\r\n\r\n" + new String(HttpServer.pattern(10), StandardCharsets.ISO_8859_1),
            answers[1]);
        assertEquals(plainClose("404 Not Found", "Not found\n").replace("Not found\n", ""), answers[2]);
        assertTrue(e.closed(), "HTTP/1.0 without keep-alive closes");
        assertEquals(3, e.requests());
    }

    @Test
    void aConnectionHeaderLineEndedByABareLineFeedCounts() {
        assertClosesAfter("GET /bytes/0 HTTP/1.1\nConnection: close\nHost: x\n\n", "HTTP/1.1 200 OK\r\n"
            + "Server: sluice\r\nContent-Type: application/octet-stream\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n");
    }

    @Test
    void malformedRequestLinesAre400AndClose() {
        for (String line : new String[] {"GET  / HTTP/1.1", "get / HTTP/1.1", "GET x HTTP/1.1", "GET / HTTP/2.0",
            "GET / HTTP/1.1 x", "GET /", "GET  HTTP/1.1", " GET / HTTP/1.1", "NONSENSE", "", "GET / HTTP/1.1\r\r"}) {
            assertClosesAfter(line + "\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n",
                plainClose("400 Bad Request", "Bad request\n"));
        }
    }

    @Test
    void otherMethodsAre405AndClose() {
        assertClosesAfter("POST / HTTP/1.1\r\nHost: x\r\n\r\n", plainClose("405 Method Not Allowed",
            "Method not allowed\n"));
    }

    @Test
    void targetsThatAreNotAPageOrACountAre404() {
        for (String target : new String[] {"/bytes/", "/bytes/1x", "/bytes/1234567890123456", "/bytes", "/index",
            "//", "/bytes/-1"}) {
            assertClosesAfter("GET " + target + " HTTP/1.1\r\nConnection: close\r\n\r\n",
                plainClose("404 Not Found", "Not found\n"));
        }
        Exchange e = exchange("HEAD /bytes/123456789012345 HTTP/1.1\r\nConnection: close\r\n\r\n");
        assertTrue(e.text().contains("Content-Length: 123456789012345\r\nConnection: close\r\n\r\n"), e.text());
    }

    @Test
    void persistenceFollowsVersionAndHeaders() {
        // HTTP/1.0 keeps the connection when asked (any case, among other tokens); HTTP/1.1 closes when asked.
        Exchange e = exchange("GET /index.html HTTP/1.0\r\nconnection :  Foo, Keep-Alive \r\n\r\n"
            + "HEAD / HTTP/1.1\r\nCONNECTION: CLOSE\r\n\r\n");
        assertEquals(2, e.requests());
        assertTrue(e.closed());
        String[] answers = e.text().split("(?=HTTP/1\\.1 )");
        assertEquals(2, answers.length, e.text());
        assertFalse(answers[0].contains("Connection: close"), answers[0]);
        assertTrue(answers[1].endsWith("Connection: close\r\n\r\n"), answers[1]);
        // A body the server does not read: the answer, then the connection closes.
        for (String h : new String[] {"Content-Length: 5", "Transfer-Encoding: chunked"}) {
            e = exchange("GET / HTTP/1.1\r\n" + h + "\r\n\r\nhello");
            assertTrue(e.closed() && e.text().contains("Connection: close\r\n"), h);
        }
        e = exchange("GET /bytes/1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertFalse(e.closed(), e.text());
        assertFalse(e.text().contains("Connection: close"), e.text());
    }
}
