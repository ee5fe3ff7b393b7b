package io.sluice.bench.jmh;

import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;

/** The end of a benchmark trial that used a pool: close it, and fail the trial if any pbuf leaked. */
final class TrialPool {
    private TrialPool() {
    }

    /** Closes the thread's pbufs and the pool; throws if pbufs were still in use (a leak measured as speed). */
    static void closeChecked(Pbufs pbufs, PbufPool pool) {
        long inUse = pool.inUse();
        pbufs.close();
        pool.close();
        if (inUse != 0) {
            throw new IllegalStateException(inUse + " pbufs still in use at the end of the trial");
        }
    }
}
