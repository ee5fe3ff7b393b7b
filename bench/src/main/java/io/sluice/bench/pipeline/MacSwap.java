package io.sluice.bench.pipeline;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.stage.PacketHandler;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The trivial stage of the pipeline benchmarks: swaps the Ethernet source and destination, as testpmd's macswap does. */
public final class MacSwap implements PacketHandler {
    @Override
    public int handle(Pbufs p, int h) {
        MemorySegment s = p.segment();
        long a = p.address(h);
        int dst4 = s.get(ValueLayout.JAVA_INT_UNALIGNED, a);
        short dst2 = s.get(ValueLayout.JAVA_SHORT_UNALIGNED, a + 4);
        MemorySegment.copy(s, a + 6, s, a, 6);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, a + 6, dst4);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, a + 10, dst2);
        return h;
    }
}
