package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.PHLEN;
import static io.sluice.engine.pbuf.PbufHandle.NULL;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.SPARSE;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input to the control-path API: each call must fail with a clear exception naming the offending value,
 * before it changes anything. After every test the arena must be intact: a chain allocated beforehand and
 * never passed to a bad call still holds its bytes, the chain the bad calls were aimed at is exactly as it
 * was, every slot can be allocated exactly once, and the pool is full once both are freed.
 */
@ExtendWith(PbufLeakExtension.class)
class BadInputTest {
    private static final int SLOTS = 64;
    private static final PbufVisitor COUNT_BYTES = (segment, offset, length, acc, pieceStart) -> acc + length;

    private PbufPool pool;
    private Pbufs p;
    private int witness;
    private byte[] witnessBytes;
    /** The target of the bad calls; a test that frees it sets it to NULL. */
    private int packet;
    private byte[] packetBytes;
    private long[] packetLayout;

    @BeforeEach
    void allocateAWitnessAndATarget() {
        pool = PbufPool.create(SLOTS);
        p = pool.local();
        witnessBytes = pattern(3 * PHLEN + 17, 1);
        witness = filled(Layer.IP, witnessBytes);
        packetBytes = pattern(1000, 7);
        packet = filled(Layer.TRANSPORT, packetBytes);
        packetLayout = layout(packet);
    }

    @AfterEach
    void theArenaIsIntact() {
        try {
            assertHolds(witness, witnessBytes);
            if (packet != NULL) {
                assertHolds(packet, packetBytes);
                assertArrayEquals(packetLayout, layout(packet), "the target of the bad calls changed");
                p.freem(packet);
            }
            p.freem(witness);
            assertEverySlotAllocatesExactlyOnce();
            assertEquals(0, pool.stats().inUse());
            assertTrue(pool.leakReport().isEmpty(), () -> pool.leakReport().toString());
            p.close();
        } finally {
            pool.close();
        }
    }

    // ---- ranges ----

    @Test
    void copydataRejectsRangesOutsideThePacketAndCopiesNothing() {
        byte[] dst = new byte[4000];
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.copydata(packet, -1, 10, dst, 0));
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.copydata(packet, 0, -1, dst, 0));
        assertRejected(IndexOutOfBoundsException.class, "1001", () -> p.copydata(packet, 0, 1001, dst, 0));
        assertRejected(IndexOutOfBoundsException.class, "1001", () -> p.copydata(packet, 1001, 0, dst, 0));
        assertRejected(IndexOutOfBoundsException.class, "999", () -> p.copydata(packet, 999, 2, dst, 0));
        assertRejected(IndexOutOfBoundsException.class, "2147483647",
            () -> p.copydata(packet, Integer.MAX_VALUE, 1, dst, 0));
        assertRejected(IndexOutOfBoundsException.class, "-3", () -> p.copydata(packet, 0, 10, dst, -3));
        assertRejected(IndexOutOfBoundsException.class, "3995", () -> p.copydata(packet, 0, 10, dst, 3995));
        assertRejected(IndexOutOfBoundsException.class, String.valueOf(Long.MAX_VALUE),
            () -> p.copydata(packet, 0, 10, MemorySegment.ofArray(dst), Long.MAX_VALUE));
        assertArrayEquals(new byte[4000], dst, "a rejected copydata wrote to its destination");
    }

    @Test
    void copybackRejectsNegativeArgumentsAndSourceOverruns() {
        byte[] src = pattern(100, 3);
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.copyback(packet, -1, src, 0, 10));
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.copyback(packet, 0, src, 0, -1));
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.copyback(packet, 0, src, -1, 10));
        assertRejected(IndexOutOfBoundsException.class, "101", () -> p.copyback(packet, 0, src, 0, 101));
        assertRejected(IndexOutOfBoundsException.class, "95", () -> p.copyback(packet, 0, src, 95, 10));
        assertRejected(IndexOutOfBoundsException.class, "2147483647",
            () -> p.copyback(packet, Integer.MAX_VALUE, src, 0, 1));
        assertRejected(IndexOutOfBoundsException.class, "2147483600",
            () -> p.copyback(packet, 2_147_483_600, src, 0, 100));
    }

    @Test
    void copybackFarPastTheEndFailsAndLeavesThePacketAsItWas() {
        byte[] src = {42};
        // The zero-filled gap would need more pbufs than the pool has: all or nothing means false, no change.
        for (int off : new int[] {SLOTS * PHLEN, 10_000_000, Integer.MAX_VALUE - 1}) {
            assertFalse(p.copyback(packet, off, src, 0, 1), "copyback at " + off);
        }
        // A short packet with tailroom, where the count of pbufs the gap needs no longer fits an int.
        byte[] shortBytes = pattern(100, 9);
        int shortPacket = filled(Layer.IP, shortBytes);
        long[] before = layout(shortPacket);
        assertFalse(p.copyback(shortPacket, Integer.MAX_VALUE - 1, src, 0, 1));
        assertArrayEquals(before, layout(shortPacket));
        assertHolds(shortPacket, shortBytes);
        p.freem(shortPacket);
    }

    @Test
    void appendRejectsNegativeArgumentsAndSourceOverruns() {
        byte[] src = pattern(100, 3);
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.append(packet, src, 0, -1));
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.append(packet, src, -1, 10));
        assertRejected(IndexOutOfBoundsException.class, "101", () -> p.append(packet, src, 0, 101));
        assertRejected(IndexOutOfBoundsException.class, "95", () -> p.append(packet, src, 95, 10));
        assertRejected(IndexOutOfBoundsException.class, String.valueOf(Long.MAX_VALUE),
            () -> p.append(packet, MemorySegment.ofArray(src), Long.MAX_VALUE, 1));
    }

    @Test
    void appendOfMoreThanThePoolHoldsFailsAndLeavesThePacketAsItWas(@TempDir Path dir) throws IOException {
        // A 2 GiB source, sparse so it costs nothing: the count of pbufs it needs no longer fits an int.
        try (Arena arena = Arena.ofConfined();
             FileChannel file = FileChannel.open(dir.resolve("2GiB"), CREATE_NEW, SPARSE, READ, WRITE)) {
            file.write(ByteBuffer.wrap(new byte[1]), Integer.MAX_VALUE - 1L);
            MemorySegment huge = file.map(FileChannel.MapMode.READ_ONLY, 0, Integer.MAX_VALUE, arena);
            byte[] fullBytes = pattern(PHLEN, 5);
            int full = filled(Layer.RAW, fullBytes);
            long[] before = layout(full);
            assertFalse(p.append(full, huge, 0, Integer.MAX_VALUE));
            assertArrayEquals(before, layout(full));
            assertHolds(full, fullBytes);
            assertFalse(p.append(packet, huge, 0, SLOTS * PHLEN));
            p.freem(full);
        }
    }

    @Test
    void splitRejectsOffsetsOutsideThePacket() {
        for (int off : new int[] {-1, 1001, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRejected(IndexOutOfBoundsException.class, String.valueOf(off), () -> p.split(packet, off));
        }
    }

    @Test
    void adjOfMoreThanThePacketEmptiesItDownToOnePbuf() {
        for (int n : new int[] {1001, Integer.MAX_VALUE, -1001, Integer.MIN_VALUE}) {
            int h = p.adj(filled(Layer.TRANSPORT, pattern(1000, n)), n);
            assertNull(p.check(h), "adj(" + n + ")");
            assertEquals(0, p.length(h), "adj(" + n + ")");
            assertEquals(0, p.pktLen(h), "adj(" + n + ")");
            assertEquals(1, p.count(h), "adj(" + n + ")");
            p.freem(h);
        }
    }

    @Test
    void pullupRejectsSizesOutsideOneToPhlenAndKeepsThePacket() {
        for (int n : new int[] {0, -1, PHLEN + 1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertRejected(IllegalArgumentException.class, String.valueOf(n), () -> p.pullup(packet, n));
        }
    }

    @Test
    void prependRejectsSizesOutsideZeroToPhlenAndKeepsThePacket() {
        for (int n : new int[] {-1, PHLEN + 1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertRejected(IllegalArgumentException.class, String.valueOf(n), () -> p.prepend(packet, n));
        }
    }

    @Test
    void setLenRejectsLengthsOutsideThePbuf() {
        int room = p.len(packet) + p.tailroom(packet);
        for (int len : new int[] {-1, room + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRejected(IndexOutOfBoundsException.class, String.valueOf(len), () -> p.setLen(packet, len));
        }
    }

    @Test
    void setPktLenRejectsNegativeLengths() {
        assertRejected(IllegalArgumentException.class, "-1", () -> p.setPktLen(packet, -1));
    }

    @Test
    void reserveNeedsAnEmptyPbufWithRoom() {
        assertRejected(IllegalArgumentException.class, "len=" + p.len(packet), () -> p.reserve(packet, 1));
        int empty = p.get(PbufType.DATA);
        assertRejected(IllegalArgumentException.class, "-1", () -> p.reserve(empty, -1));
        for (int n : new int[] {PHLEN + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRejected(IllegalArgumentException.class, String.valueOf(n), () -> p.reserve(empty, n));
        }
        p.reserve(empty, PHLEN);
        assertEquals(PHLEN, p.headroom(empty));
        assertEquals(0, p.tailroom(empty));
        p.free(empty);
    }

    @Test
    void getByteAndPutByteRejectOffsetsOutsideThePbuf() {
        for (int off : new int[] {-1, p.len(packet), Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            String named = String.valueOf(off);
            assertRejected(IndexOutOfBoundsException.class, named, () -> p.getByte(packet, off));
            assertRejected(IndexOutOfBoundsException.class, named, () -> p.putByte(packet, off, (byte) 1));
        }
    }

    @Test
    void applyAndLocateRejectRangesOutsideThePacket() {
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.apply(packet, -1, 1, COUNT_BYTES, 0));
        assertRejected(IndexOutOfBoundsException.class, "1001", () -> p.apply(packet, 0, 1001, COUNT_BYTES, 0));
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.locate(packet, -1));
        assertEquals(-1, p.locate(packet, 1000));
    }

    @Test
    void allocRejectsNegativeLengthsAndReturnsNullForMoreThanThePoolHolds() {
        assertRejected(IllegalArgumentException.class, "-1", () -> p.alloc(Layer.RAW, -1));
        assertRejected(IllegalArgumentException.class, "-1", () -> p.allocReceive(-1));
        long inUse = pool.inUse();
        for (Layer layer : Layer.values()) {
            for (int length : new int[] {SLOTS * PHLEN, 10_000_000, Integer.MAX_VALUE}) {
                assertEquals(NULL, p.alloc(layer, length), "alloc(" + layer + ", " + length + ")");
                assertEquals(inUse, pool.inUse(), "alloc(" + layer + ", " + length + ") took pbufs");
            }
        }
        assertEquals(NULL, p.allocReceive(Integer.MAX_VALUE));
        assertEquals(inUse, pool.inUse());
    }

    @Test
    void pbufsForTheLargestLengthDoesNotOverflow() {
        for (Layer layer : Layer.values()) {
            long first = PHLEN - layer.headroom();
            long expected = 1 + (Integer.MAX_VALUE - first + PHLEN - 1) / PHLEN;
            assertEquals(expected, Pbufs.pbufsFor(layer.headroom(), Integer.MAX_VALUE), layer.name());
        }
    }

    @Test
    void bulkGetRejectsCountsOutsideTheArray() {
        assertRejected(IndexOutOfBoundsException.class, "-1", () -> p.get(PbufType.DATA, new int[4], -1));
        assertRejected(IndexOutOfBoundsException.class, "5", () -> p.get(PbufType.DATA, new int[4], 5));
    }

    // ---- handles ----

    enum BadHandle {
        NULL, OUT_OF_RANGE, FREED, STALE
    }

    @ParameterizedTest
    @EnumSource(BadHandle.class)
    void badHandlesAreRefusedByEveryOperation(BadHandle kind) {
        assumeTrue(Pbufs.CHECKED, "handles are verified in checked mode only");
        byte[] occupantBytes = pattern(10, 11);
        int occupant = NULL;
        int bad;
        switch (kind) {
            case NULL -> bad = NULL;
            case OUT_OF_RANGE -> bad = PbufHandle.of(10_000_000 & PbufHandle.INDEX_MASK, 1);
            case FREED -> {
                bad = p.alloc(Layer.RAW, 10);
                p.freem(bad);
            }
            default -> {
                bad = p.alloc(Layer.RAW, 10);
                p.freem(bad);
                occupant = filled(Layer.RAW, occupantBytes);
                assertEquals(PbufHandle.index(bad), PbufHandle.index(occupant), "the freed slot is reused first");
            }
        }
        String named = switch (kind) {
            case NULL -> "NULL";
            case OUT_OF_RANGE -> String.valueOf(bad);
            default -> PbufHandle.toString(bad);
        };
        int second = filled(Layer.RAW, pattern(10, 13));
        for (Map.Entry<String, Executable> call : callsWith(bad, second, kind != BadHandle.NULL).entrySet()) {
            PbufStateException e = assertThrows(PbufStateException.class, call.getValue(), call.getKey());
            assertTrue(e.getMessage().contains(named),
                () -> call.getKey() + ": the message should name " + named + ": " + e.getMessage());
        }
        assertHolds(second, pattern(10, 13));
        p.freem(second);
        if (occupant != NULL) {
            assertHolds(occupant, occupantBytes);
            p.freem(occupant);
        }
    }

    @Test
    void aDoubleFreeIsRefusedAndTheSlotIsFreeOnlyOnce() {
        int h = p.get(PbufType.DATA);
        p.free(h);
        assertRejected(PbufStateException.class, PbufHandle.toString(h), () -> p.free(h));
        assertRejected(PbufStateException.class, PbufHandle.toString(h), () -> p.freem(h));
        // theArenaIsIntact() then allocates every slot and would see this one twice.
    }

    /** Every call that takes a chain, aimed at {@code bad}. */
    private Map<String, Executable> callsWith(int bad, int second, boolean notNull) {
        byte[] buf = new byte[16];
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("len", () -> p.len(bad));
        calls.put("setLen", () -> p.setLen(bad, 0));
        calls.put("address", () -> p.address(bad));
        calls.put("headroom", () -> p.headroom(bad));
        calls.put("tailroom", () -> p.tailroom(bad));
        calls.put("reserve", () -> p.reserve(bad, 0));
        calls.put("next", () -> p.next(bad));
        calls.put("nextPkt", () -> p.nextPkt(bad));
        calls.put("setNextPkt", () -> p.setNextPkt(bad, NULL));
        calls.put("type", () -> p.type(bad));
        calls.put("setType", () -> p.setType(bad, PbufType.DATA));
        calls.put("isPktHdr", () -> p.isPktHdr(bad));
        calls.put("pktLen", () -> p.pktLen(bad));
        calls.put("setPktLen", () -> p.setPktLen(bad, 0));
        calls.put("flowHash", () -> p.flowHash(bad));
        calls.put("setFlowHash", () -> p.setFlowHash(bad, 1));
        calls.put("getByte", () -> p.getByte(bad, 0));
        calls.put("putByte", () -> p.putByte(bad, 0, (byte) 1));
        calls.put("length", () -> p.length(bad));
        calls.put("last", () -> p.last(bad));
        calls.put("claim", () -> p.claim(bad));
        calls.put("free", () -> p.free(bad));
        calls.put("prepend into headroom", () -> p.prepend(bad, 0));
        calls.put("prepend a new pbuf", () -> p.prepend(bad, PHLEN));
        calls.put("append", () -> p.append(bad, buf, 0, 1));
        calls.put("adj front", () -> p.adj(bad, 1));
        calls.put("adj back", () -> p.adj(bad, -1));
        calls.put("pullup", () -> p.pullup(bad, 1));
        calls.put("copydata", () -> p.copydata(bad, 0, 1, buf, 0));
        calls.put("copyback", () -> p.copyback(bad, 0, buf, 0, 1));
        calls.put("toArray", () -> p.toArray(bad));
        calls.put("cat onto it", () -> p.cat(bad, second));
        calls.put("split", () -> p.split(bad, 0));
        calls.put("dup", () -> p.dup(bad));
        calls.put("defrag", () -> p.defrag(bad));
        calls.put("apply", () -> p.apply(bad, 0, 0, COUNT_BYTES, 0));
        if (notNull) {
            // NULL is the empty chain to freem, count and locate, and cat of NULL appends nothing.
            calls.put("freem", () -> p.freem(bad));
            calls.put("count", () -> p.count(bad));
            calls.put("locate", () -> p.locate(bad, 0));
            calls.put("cat it", () -> p.cat(packet, bad));
        }
        return calls;
    }

    // ---- threads ----

    @Test
    void anotherThreadsPbufsAreRefusedInCheckedMode() throws InterruptedException {
        assumeTrue(Pbufs.CHECKED, "thread confinement is verified in checked mode only");
        Map<String, IntSupplier> calls = new LinkedHashMap<>();
        calls.put("len", () -> {
            p.len(packet);
            return NULL;
        });
        calls.put("copydata", () -> {
            p.copydata(packet, 0, 1, new byte[1], 0);
            return NULL;
        });
        calls.put("freem", () -> {
            p.freem(packet);
            return NULL;
        });
        calls.put("get", () -> p.get(PbufType.DATA));
        calls.put("getHdr", () -> p.getHdr(PbufType.DATA, Layer.IP));
        calls.put("getHdrReserve", () -> p.getHdrReserve(PbufType.DATA, Layer.RAW));
        calls.put("getWait", () -> p.getWait(PbufType.DATA, Layer.RAW, 0));
        calls.put("alloc", () -> p.alloc(Layer.RAW, 1000));
        calls.put("allocReceive", () -> p.allocReceive(100));
        calls.put("bulk get", () -> {
            int[] out = new int[1];
            return p.get(PbufType.DATA, out, 1) ? out[0] : NULL;
        });
        Map<String, Object> outcome = new LinkedHashMap<>();
        Thread intruder = new Thread(() -> calls.forEach((name, call) -> {
            try {
                outcome.put(name, call.getAsInt());
            } catch (RuntimeException e) {
                outcome.put(name, e);
            }
        }), "intruder");
        intruder.start();
        intruder.join();
        // Give back whatever the intruder got, so that a failure below reports only itself.
        outcome.values().forEach(o -> {
            if (o instanceof Integer h && h != NULL) {
                p.freem(h);
            }
        });
        outcome.forEach((name, o) -> {
            assertInstanceOf(PbufStateException.class, o, name + " from another thread");
            assertTrue(((Exception) o).getMessage().contains("intruder"), name + ": " + o);
        });
    }

    @Test
    void aPacketMayBeFreedByAnotherThreadThroughItsOwnPbufs() throws InterruptedException {
        int h = filled(Layer.RAW, pattern(2000, 17));
        List<Throwable> errors = new ArrayList<>();
        Thread other = new Thread(() -> {
            try (Pbufs mine = pool.local()) {
                mine.freem(h);
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }, "other");
        other.start();
        other.join();
        assertEquals(List.of(), errors);
        assertRejected(PbufStateException.class, PbufHandle.toString(h), () -> p.len(h));
    }

    // ---- helpers ----

    private static <T extends Throwable> void assertRejected(Class<T> type, String named, Executable call) {
        T e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(named),
            () -> "the message should name " + named + ": " + e.getMessage());
    }

    private void assertHolds(int h, byte[] bytes) {
        assertNull(p.check(h));
        assertArrayEquals(bytes, p.toArray(h));
        if (p.isPktHdr(h)) {
            assertEquals(bytes.length, p.pktLen(h));
        }
    }

    /** Takes every slot of the pool (the reserve too): each must come out once, none may be missing. */
    private void assertEverySlotAllocatesExactlyOnce() {
        Set<Integer> seen = new HashSet<>();
        List<Integer> taken = new ArrayList<>();
        for (int h = p.get(PbufType.DATA); h != NULL; h = p.get(PbufType.DATA)) {
            taken.add(h);
        }
        for (int h = p.getHdrReserve(PbufType.DATA, Layer.RAW); h != NULL;
             h = p.getHdrReserve(PbufType.DATA, Layer.RAW)) {
            taken.add(h);
        }
        for (int h : taken) {
            assertTrue(seen.add(PbufHandle.index(h)), () -> "slot " + PbufHandle.index(h) + " handed out twice");
        }
        assertEquals(SLOTS, seen.size(), "slots that could be allocated");
        taken.forEach(p::free);
    }

    private int filled(Layer layer, byte[] bytes) {
        int h = p.alloc(layer, bytes.length);
        assertNotEquals(NULL, h);
        p.copyback(h, 0, bytes, 0, bytes.length);
        return h;
    }

    private long[] layout(int h) {
        List<Long> l = new ArrayList<>();
        for (int cur = h; cur != NULL; cur = p.next(cur)) {
            l.add((long) cur);
            l.add(p.address(cur));
            l.add((long) p.len(cur));
        }
        l.add(p.isPktHdr(h) ? (long) p.pktLen(h) : -1L);
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
