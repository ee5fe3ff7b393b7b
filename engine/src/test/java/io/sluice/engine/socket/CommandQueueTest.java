package io.sluice.engine.socket;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The queue between application threads and the stack's thread, as the stack stops. */
class CommandQueueTest {
    @Test
    void closeTellsEveryCommandItAcceptedAndRefusesTheRest() throws Exception {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            CommandQueue q = new CommandQueue(4);
            AtomicLong stopped = new AtomicLong();
            StackCommand waits = new StackCommand() {
                @Override
                public boolean run(Pbufs p) {
                    return false; // a receive that finds nothing: kept to run again
                }

                @Override
                public void stopped(Pbufs p) {
                    stopped.incrementAndGet();
                }
            };
            assertTrue(q.submit(waits));
            q.drain(p);
            assertTrue(q.submit(waits));
            q.close(p);
            assertEquals(2, stopped.get(), "the pending command and the queued one fail");
            assertFalse(q.submit(waits), "refused once closed");
            q.close(p);
            assertEquals(2, stopped.get(), "idempotent");
            p.close();
        }
    }

    /**
     * Submitters race the close: every command that {@link CommandQueue#submit} accepted is either run or told it
     * stopped, never left in the queue with its caller waiting.
     */
    @Test
    void aCommandSubmittedAsTheQueueClosesIsNeverStranded() throws Exception {
        int threads = 6;
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            long deadline = System.nanoTime() + 500_000_000L;
            int rounds = 0;
            while (System.nanoTime() < deadline) {
                rounds++;
                CommandQueue q = new CommandQueue(1 << 12);
                AtomicLong accepted = new AtomicLong();
                AtomicLong finished = new AtomicLong();
                StackCommand c = new StackCommand() {
                    @Override
                    public boolean run(Pbufs p) {
                        finished.incrementAndGet();
                        return true;
                    }

                    @Override
                    public void stopped(Pbufs p) {
                        finished.incrementAndGet();
                    }
                };
                CountDownLatch started = new CountDownLatch(threads);
                List<Thread> submitters = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    submitters.add(Thread.ofPlatform().start(() -> {
                        started.countDown();
                        while (!q.isClosed()) {
                            if (q.submit(c)) {
                                accepted.incrementAndGet();
                            }
                        }
                    }));
                }
                started.await();
                for (int k = 0; k < 20; k++) {
                    q.drain(p); // keeps room in the queue, so that submits go on succeeding up to the close
                }
                q.close(p);
                for (Thread t : submitters) {
                    t.join();
                }
                assertEquals(accepted.get(), finished.get(), "round " + rounds + ": every accepted command finished");
            }
            p.close();
        }
    }
}
