package io.sluice.engine.services;

import static io.sluice.engine.services.ServiceNet.SERVER;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.management.ThreadMXBean;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.services.ServiceNet.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP server allocates nothing per request: a client on one persistent connection sends the same pipelined
 * batch (the page, a {@code /bytes/N} body, a HEAD that is a 404, a head with bare LFs) again and again, and after
 * a warm-up thousands of requests leave the thread's allocation counter (client, both stacks and server all run
 * on it) where it was.
 */
@ExtendWith(PbufLeakExtension.class)
class HttpServerAllocationTest {
    private static final long SLACK_BYTES = 64 * 1024;
    private static final byte[] BATCH = ("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n"
        + "GET /bytes/5000 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
        + "HEAD /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /index.html HTTP/1.1\nHost: x\n\n").getBytes(StandardCharsets.US_ASCII);
    private static final int PER_BATCH = 4;
    private static final int WARM_UP = 2_000;
    private static final int MEASURED = 2_000;

    @Test
    void requestsInSteadyStateAllocateNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ServiceNet net = new ServiceNet(4096)) {
            HttpServer http = new HttpServer();
            net.server.listen(0, HttpServer.PORT, 8, http);
            Reader r = new Reader(64 * 1024).request(BATCH);
            assertNotNull(net.client.connect(net.p, SERVER, HttpServer.PORT, r));
            assertTrue(net.runUntil(() -> http.requests() == PER_BATCH, 1_000), "the first batch is answered");
            net.runUntil(() -> false, 100); // the rest of its answer arrives
            long perBatch = r.received;
            assertTrue(perBatch > 5_000, "answered " + perBatch + " bytes");
            long tid = Thread.currentThread().threadId();
            long before = 0;
            for (int batch = 1; batch < 1 + WARM_UP + MEASURED; batch++) {
                if (batch == 1 + WARM_UP) {
                    before = threads.getThreadAllocatedBytes(tid);
                }
                r.send(net.p);
                long target = perBatch * (batch + 1);
                for (int round = 0; r.received < target; round++) {
                    if (round == 1_000 || r.peerClosed) {
                        throw new AssertionError("batch " + batch + " was not answered: " + r.received + " bytes");
                    }
                    net.round();
                }
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertEquals((long) PER_BATCH * (1 + WARM_UP + MEASURED), http.requests());
            assertEquals(perBatch * (1 + WARM_UP + MEASURED), r.received);
            assertTrue(allocated < SLACK_BYTES, () -> allocated + " bytes allocated while " + PER_BATCH * MEASURED
                + " requests were answered");
            System.out.printf("HTTP server: %,d bytes allocated while %,d requests were answered%n", allocated,
                PER_BATCH * MEASURED);
        }
    }
}
