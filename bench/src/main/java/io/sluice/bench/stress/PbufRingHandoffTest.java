package io.sluice.bench.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.ring.SpscRing;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The pipeline hand-off: thread A allocates a packet with its own toolkit, writes a payload word, prepends a
 * 20-byte header and writes a header word, and offers the handle to an {@link SpscRing}; thread B polls it and
 * reads the packet through its own toolkit. Everything A wrote with plain stores (the slot header: state,
 * generation, data offset, lengths; and the data) must be visible to B through the ring's release/acquire
 * alone. B then frees the packet into its own cache (a cross-thread free).
 *
 * <p>r1: what B saw (-1 ring empty, 0 all right, 1 wrong lengths, 2 wrong data, 3 the chain check or a checked
 * mode verification failed). r2: the pool's pbufs in use after both actors (1 when B did not get the packet,
 * else 0).
 */
@JCStressTest
@Description("A pbuf allocated and written on one thread and passed through an SpscRing is seen whole by the "
    + "other thread, which can then free it.")
@Outcome(id = "-1, 1", expect = ACCEPTABLE, desc = "B polled before A's offer: the packet stays in the ring.")
@Outcome(id = "0, 0", expect = ACCEPTABLE_INTERESTING,
    desc = "B got the packet, saw A's header fields and data, and freed it.")
@Outcome(id = "1, .*", expect = FORBIDDEN,
    desc = "B saw stale header fields (len or pkt.len not 24): A's header writes were not published by the ring.")
@Outcome(id = "2, .*", expect = FORBIDDEN,
    desc = "B saw stale data (header or payload word not what A wrote before the offer).")
@Outcome(id = "3, .*", expect = FORBIDDEN,
    desc = "B saw a slot that is free or of another generation, or a broken chain (Pbufs.check / checked mode).")
@Outcome(expect = FORBIDDEN, desc = "Anything else: the pool's in-use count does not match what B freed.")
@State
public class PbufRingHandoffTest {
    static final int PAYLOAD = 0x11223344;
    static final int HEADER = 0x45000018;

    final PbufPool pool = PbufPool.create(new PoolConfig().slots(4).cacheSize(2).reserve(0).jmx(false)
        .name("jcstress-handoff"));
    final SpscRing ring = new SpscRing("jcstress", 2);
    int result = -1;

    @Actor
    public void producer() {
        Pbufs p = pool.local();
        int h = p.alloc(Layer.TRANSPORT, 4);
        p.segment().set(ValueLayout.JAVA_INT_UNALIGNED, p.address(h), PAYLOAD);
        h = p.prepend(h, 20);
        p.segment().set(ValueLayout.JAVA_INT_UNALIGNED, p.address(h), HEADER);
        ring.offer(h);
        p.close();
    }

    @Actor
    public void consumer() {
        Pbufs p = pool.local();
        int h = ring.poll(PbufHandle.NULL);
        if (h != PbufHandle.NULL) {
            result = inspect(p, h);
            p.freem(h);
        }
        p.close();
    }

    private static int inspect(Pbufs p, int h) {
        try {
            if (p.check(h) != null) {
                return 3;
            }
            if (p.len(h) != 24 || p.pktLen(h) != 24 || p.headroom(h) != Layer.TRANSPORT.headroom() - 20) {
                return 1;
            }
            long at = p.address(h);
            if (p.segment().get(ValueLayout.JAVA_INT_UNALIGNED, at) != HEADER
                || p.segment().get(ValueLayout.JAVA_INT_UNALIGNED, at + 20) != PAYLOAD) {
                return 2;
            }
            return 0;
        } catch (RuntimeException e) { // checked mode: PbufStateException on a free or reused slot
            return 3;
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = result;
        r.r2 = (int) pool.inUse();
        pool.close();
    }
}
