package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class PbufBasicsTest {

    @Test
    void checkedModeIsOnInTests() {
        assertTrue(Pbufs.CHECKED, "surefire must pass -Dsluice.pbuf.checked=true");
    }

    @Test
    void aMaximumEthernetFrameFitsInFourPbufs() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            int h = p.alloc(Layer.RAW, 1514);
            assertEquals(4, p.count(h));
            assertEquals(1514, p.pktLen(h));
            assertEquals(1514, p.length(h));
            assertNull(p.check(h));
            p.freem(h);
            int ip = p.alloc(Layer.IP, 1500);
            assertEquals(4, p.count(ip));
            p.freem(ip);
            assertEquals(0, pool.stats().inUse());
            p.close();
        }
    }

    @Test
    void prependIntoHeadroomMovesTheOffsetOnly() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            int h = p.alloc(Layer.TRANSPORT, 100);
            long before = p.address(h);
            int h2 = p.prepend(h, 20);
            assertEquals(h, h2);
            assertEquals(before - 20, p.address(h2));
            assertEquals(120, p.pktLen(h2));
            int h3 = p.prepend(p.prepend(h2, 20), 14);
            assertEquals(h, h3);
            assertEquals(Layer.TRANSPORT.headroom() - 54, p.headroom(h3));
            int raw = p.alloc(Layer.RAW, 10);
            int withNewHead = p.prepend(raw, 20);
            assertNotEquals(raw, withNewHead);
            assertEquals(2, p.count(withNewHead));
            assertEquals(30, p.pktLen(withNewHead));
            assertNull(p.check(withNewHead));
            assertEquals(PHLEN - 20, p.headroom(withNewHead));
            p.freem(h3);
            p.freem(withNewHead);
            p.close();
        }
    }

    @Test
    void doubleFreeAndUseAfterFreeAreCaught() {
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            int h = p.get(PbufType.DATA);
            p.free(h);
            assertThrows(PbufStateException.class, () -> p.free(h));
            assertThrows(PbufStateException.class, () -> p.len(h));
            int again = p.get(PbufType.DATA);
            assertEquals(PbufHandle.index(h), PbufHandle.index(again), "LIFO reuses the hot slot");
            assertThrows(PbufStateException.class, () -> p.free(h), "stale generation");
            p.free(again);
            p.close();
        }
    }
}
