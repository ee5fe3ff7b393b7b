package io.sluice.bench.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufType;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Publication of a chunk through the pool's shared free list, tested through the public API only.
 *
 * <p>Each state has its own tiny pool: 6 slots, thread caches of 4 (so chunks of 2 slots), no reserve. The
 * shared list starts with three chunks of two. Thread A ({@link #writer}) gets pbufs until the pool says no,
 * writes a marker ({@code MARK + slot index}) into the first data word of each, and frees them: its cache
 * fills and flushes a chunk to the shared list, and closing its toolkit flushes the rest, each chunk's
 * {@code next} links rewritten by A in its own stack order. Thread B ({@link #reader}) gets two pbufs (one
 * refill: one whole chunk) and reads the first data word of each, without any synchronisation of its own:
 * the only ordering between A's writes and B's reads is the release CAS of the push and the acquire load of
 * the pop. B keeps its two pbufs (never frees them), so a slot B holds can never be written by A afterwards.
 *
 * <p>The arbiter classifies each of B's pbufs and then walks the whole pool with its own toolkit: it must get
 * back exactly the slots B does not hold, each once. A stale or torn {@code next} link in a chunk B or the
 * arbiter popped shows up there as a lost or duplicated slot.
 *
 * <p>In checked mode ({@code -Dsluice.pbuf.checked=true}) a free poisons the data area, so the value A leaves
 * behind is the poison word, not the marker; the test expects that instead.
 */
@JCStressTest
@Description("A pbuf freed by one thread and got by another through the shared free list shows the data its "
    + "last owner wrote before the free (the chunk push publishes it), and the chunk's links are intact.")
@Outcome(id = {"2, 2, 0"}, expect = ACCEPTABLE_INTERESTING,
    desc = "B popped a chunk A had flushed: both slots show A's writes (the publication under test).")
@Outcome(id = {"1, 1, 0"}, expect = ACCEPTABLE,
    desc = "B popped one of the pool's initial chunks before A touched it: untouched slots, data still 0.")
@Outcome(id = {"0, 0, 0"}, expect = ACCEPTABLE,
    desc = "A held every slot when B asked: B's gets failed (pool empty, counted as denied).")
@Outcome(id = {"0, 2, 0", "0, 1, 0"}, expect = ACCEPTABLE,
    desc = "B's first get found the pool empty, its second popped a chunk A flushed meanwhile.")
@Outcome(id = {"3, 3, 0", "3, 2, 0", "2, 3, 0", "3, 1, 0", "1, 3, 0", "3, 0, 0", "0, 3, 0"}, expect = FORBIDDEN,
    desc = "STALE: B got a slot that A wrote and freed, but read the value from before A's write (0): the "
        + "chunk reached B before A's data did, or the slot was handed out twice.")
@Outcome(expect = FORBIDDEN,
    desc = "Anything else is broken: 4 = TORN (B read a value nobody wrote), 5 = BAD (a handle out of range, "
        + "the same slot twice, a header not as get() leaves it, or B's get threw); third field 1 = the pool "
        + "walk after the run lost or duplicated a slot (a stale or torn next/nextpkt link in a chunk).")
@State
public class PbufFreeListPublicationTest {
    static final int SLOTS = 6;
    static final int MARK = 0x5A000000;
    static final int POISON_WORD = 0xDBDBDBDB;

    static final int EMPTY = 0;
    static final int UNTOUCHED = 1;
    static final int SEEN = 2;
    static final int STALE = 3;
    static final int TORN = 4;
    static final int BAD = 5;

    final PbufPool pool = PbufPool.create(new PoolConfig().slots(SLOTS).cacheSize(4).reserve(0).jmx(false)
        .name("jcstress-freelist"));

    /** Slots A wrote (bit per index); written by A, read by the arbiter. */
    int aWrote;
    /** B's handles and the first data word of each, as B read them; NULL handle when B's get failed. */
    int bHandle1, bHandle2, bValue1, bValue2;
    /** B saw a header that get() did not leave (data offset, length, state). */
    boolean bHeaderBad;

    @Actor
    public void writer() {
        Pbufs p = pool.local();
        int[] got = new int[SLOTS];
        int n = 0;
        for (int h; n < SLOTS && (h = p.get(PbufType.DATA)) != PbufHandle.NULL; n++) {
            got[n] = h;
        }
        int wrote = 0;
        for (int k = 0; k < n; k++) {
            int i = PbufHandle.index(got[k]);
            p.segment().set(ValueLayout.JAVA_INT, p.address(got[k]), MARK + i);
            wrote |= 1 << i;
        }
        aWrote = wrote;
        for (int k = 0; k < n; k++) {
            p.free(got[k]); // the 5th free of 6 flushes a chunk of 2 to the shared list
        }
        p.close(); // flushes the rest of A's cache, chunk by chunk, and detaches A's thread from the pool
    }

    @Actor
    public void reader() {
        try {
            read();
        } catch (RuntimeException e) { // a torn chunk can send the refill outside the arena
            bHeaderBad = true;
        }
    }

    private void read() {
        Pbufs p = pool.local();
        int h1 = p.get(PbufType.DATA);
        if (h1 != PbufHandle.NULL) {
            bValue1 = p.segment().get(ValueLayout.JAVA_INT, p.address(h1));
            bHeaderBad |= p.len(h1) != 0 || p.headroom(h1) != 0 || p.next(h1) != PbufHandle.NULL;
        }
        int h2 = p.get(PbufType.DATA);
        if (h2 != PbufHandle.NULL) {
            bValue2 = p.segment().get(ValueLayout.JAVA_INT, p.address(h2));
            bHeaderBad |= p.len(h2) != 0 || p.headroom(h2) != 0 || p.next(h2) != PbufHandle.NULL;
        }
        bHandle1 = h1;
        bHandle2 = h2;
        p.close(); // B keeps h1 and h2 (the pool's close reclaims the arena); its cache is given back
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = classify(bHandle1, bValue1);
        r.r2 = classify(bHandle2, bValue2);
        if (bHeaderBad || bHandle1 != PbufHandle.NULL && bHandle1 == bHandle2) {
            r.r1 = BAD;
        }
        try {
            r.r3 = walkPool() ? 0 : 1;
        } catch (RuntimeException e) {
            r.r3 = 1;
        } finally {
            pool.close();
        }
    }

    private int classify(int h, int value) {
        if (h == PbufHandle.NULL) {
            return EMPTY;
        }
        int i = PbufHandle.index(h);
        if (h < 0 || i >= SLOTS) {
            return BAD;
        }
        if ((aWrote & 1 << i) == 0) {
            return value == 0 ? UNTOUCHED : TORN;
        }
        int expected = Pbufs.CHECKED ? POISON_WORD : MARK + i;
        return value == expected ? SEEN : value == 0 ? STALE : TORN;
    }

    /** Takes every free slot with the arbiter's own toolkit: exactly the slots B does not hold, each once. */
    private boolean walkPool() {
        int held = 0;
        for (int h : new int[] {bHandle1, bHandle2}) {
            if (h != PbufHandle.NULL) {
                held |= 1 << PbufHandle.index(h);
            }
        }
        Pbufs p = pool.local();
        int seen = 0;
        boolean ok = true;
        for (int n = 0; n <= SLOTS; n++) {
            int h = p.get(PbufType.DATA);
            if (h == PbufHandle.NULL) {
                break;
            }
            int bit = 1 << PbufHandle.index(h);
            ok &= PbufHandle.index(h) < SLOTS && (seen & bit) == 0 && (held & bit) == 0;
            seen |= bit;
        }
        p.close();
        return ok && (seen | held) == (1 << SLOTS) - 1 && pool.sharedFree() == 0;
    }
}
