package io.sluice.engine.route;

/**
 * A reader thread's registration with a {@link RouteTable}: the handle through which it reports quiescent
 * states, so that the writer knows when a tbl8 group it unlinked can no longer be in use and may be reused.
 *
 * <p>A reader thread (a stage that forwards packets) does:
 * <pre>{@code
 * RouteReader reader = table.registerReader("ip-0");   // online from here
 * while (running) {
 *     for (int i = 0; i < burst; i++) {
 *         int hop = table.lookup(dst[i]);              // two loads at most, no allocation, no lock
 *         ...
 *     }
 *     reader.quiescent();                               // between bursts: "I hold nothing from before"
 * }
 * reader.close();                                       // after the last lookup
 * }</pre>
 *
 * <p>{@link #quiescent()} must be called at points where the thread holds no value read from the table that
 * it will still use to read the table again; in practice between bursts, every few microseconds. A reader
 * that stops calling it while registered does not make lookups wrong, it keeps the writer from reusing freed
 * groups: once the free ones are gone, adds that need a new group fail with
 * {@link RouteTable#TBL8_EXHAUSTED}. A thread that blocks or parks for long (an idle stage) calls
 * {@link #offline()} first and {@link #online()} before its next lookup; offline readers never hold the
 * writer back.
 *
 * <p>A {@code RouteReader} belongs to one thread at a time and is not thread-safe. It allocates nothing.
 */
public final class RouteReader implements AutoCloseable {
    private final ReaderEpochs epochs;
    private final int slot;
    private final String name;
    /** The epoch last reported, {@link ReaderEpochs#OFFLINE}, or {@link ReaderEpochs#FREE} once closed. */
    private long reported;

    RouteReader(ReaderEpochs epochs, int slot, String name, long epoch) {
        this.epochs = epochs;
        this.slot = slot;
        this.name = name;
        this.reported = epoch;
    }

    /**
     * Reports a quiescent state: every lookup this thread made before the call is finished with. One acquire
     * load of the writer's epoch and, only when it moved since the last report, one release store to this
     * reader's own cache line.
     *
     * @throws IllegalStateException when the reader is offline (call {@link #online()} first) or closed
     */
    public void quiescent() {
        long g = epochs.global();
        if (g != reported) {
            if (reported < 0 || reported == ReaderEpochs.OFFLINE) {
                throw new IllegalStateException("reader " + name + " is " + state() + ": no lookups allowed");
            }
            epochs.report(slot, g);
            reported = g;
        }
    }

    /** Stops holding the writer back until {@link #online()}; no lookups in between. Idempotent. */
    public void offline() {
        checkOpen();
        if (reported != ReaderEpochs.OFFLINE) {
            epochs.goOffline(slot);
            reported = ReaderEpochs.OFFLINE;
        }
    }

    /** Comes back from {@link #offline()}: lookups are allowed again after this returns. Idempotent. */
    public void online() {
        checkOpen();
        if (reported == ReaderEpochs.OFFLINE) {
            reported = epochs.goOnline(slot);
        }
    }

    public boolean isOnline() {
        return reported >= 0 && reported != ReaderEpochs.OFFLINE;
    }

    public String name() {
        return name;
    }

    /** Deregisters: call after the thread's last lookup. The slot can then be taken by another reader. */
    @Override
    public void close() {
        if (reported != ReaderEpochs.FREE) {
            epochs.deregister(slot);
            reported = ReaderEpochs.FREE;
        }
    }

    private void checkOpen() {
        if (reported == ReaderEpochs.FREE) {
            throw new IllegalStateException("reader " + name + " is closed");
        }
    }

    private String state() {
        return reported == ReaderEpochs.FREE ? "closed" : reported == ReaderEpochs.OFFLINE ? "offline" : "online";
    }

    @Override
    public String toString() {
        return "RouteReader{" + name + ", slot " + slot + ", " + state() + "}";
    }
}
