package io.sluice.engine.pbuf;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Pbufs#catAfter}: the bytes and length of {@link Pbufs#cat}, and the last pbuf it returns is the last. */
@ExtendWith(PbufLeakExtension.class)
class CatAfterTest {

    @Test
    void appendingToAQueueByItsTailGivesWhatCatGives() {
        try (PbufPool pool = PbufPool.create(4096)) {
            Pbufs p = pool.local();
            Random random = new Random(7);
            int queue = chain(p, new byte[0]);
            int tail = p.last(queue);
            byte[] expected = new byte[0];
            for (int i = 0; i < 200; i++) {
                // sizes that leave room in the last pbuf (compacted into it) and ones that do not
                byte[] piece = new byte[random.nextInt(1500)];
                random.nextBytes(piece);
                tail = p.catAfter(queue, tail, chain(p, piece));
                expected = concat(expected, piece);
                assertEquals(p.last(queue), tail, "the returned pbuf is the last, after " + i + " appends");
                assertEquals(expected.length, p.length(queue));
                assertEquals(expected.length, p.pktLen(queue));
            }
            assertArrayEquals(expected, p.toArray(queue));
            p.freem(queue);
            p.close();
        }
    }

    private static int chain(Pbufs p, byte[] data) {
        int h = p.alloc(Layer.RAW, data.length);
        assertNotEquals(PbufHandle.NULL, h);
        p.copyback(h, 0, data, 0, data.length);
        return h;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
