package io.sluice.engine.pbuf;

import static io.sluice.engine.pbuf.PbufDescriptor.*;
import static io.sluice.engine.pbuf.PbufHandle.NULL;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

/**
 * The pbuf toolkit of one thread: allocation through that thread's cache, the header fields, and the chain
 * operations of BSD mbufs. Get one with {@link PbufPool#local()} and keep it in the stage that uses it; it is
 * confined to its thread (checked mode verifies this).
 *
 * <h2>Ownership</h2>
 * Every method that takes a chain states what happens to it. In short: the caller owns what it allocated
 * until it frees it or hands it to a method that says it takes it. Methods that may need new pbufs either
 * succeed or leave the chain exactly as it was ("all or nothing"), except {@link #prepend} and
 * {@link #pullup}, which follow BSD and free the chain on failure so that the caller's error path is a plain
 * drop. A failure never leaks a pbuf and is counted (denied) by the pool.
 *
 * <h2>Checks</h2>
 * With {@code -Dsluice.pbuf.checked=true} (tests always set it) every handle is verified before use: NULL,
 * out of range, freed, or freed and reused (generation) each throw a {@link PbufStateException}, and freed
 * slots are poisoned with {@code 0xDB}. Ranges (offsets, lengths) are checked in both modes and throw
 * {@link IndexOutOfBoundsException} or {@link IllegalArgumentException} before anything is changed.
 */
public final class Pbufs implements AutoCloseable {
    /** Read once at class load: the JIT folds the checks away when false. */
    public static final boolean CHECKED = Boolean.getBoolean("sluice.pbuf.checked");

    private static final int SLOT_END = SLOT_SIZE;
    private static final int SCRATCH_INITIAL = 256;

    private final PbufPool pool;
    private final PbufArena arena;
    private final MemorySegment segment;
    private final PbufCache cache;
    private int owner = PbufOwners.UNOWNED;
    private int[] scratch = new int[SCRATCH_INITIAL];
    private boolean closed;

    Pbufs(PbufPool pool, PbufCache cache) {
        this.pool = pool;
        this.arena = pool.arena;
        this.segment = arena.segment;
        this.cache = cache;
    }

    public PbufPool pool() {
        return pool;
    }

    /** The arena; a pbuf's bytes are at {@code [address(h), address(h) + len(h))}. */
    public MemorySegment segment() {
        return segment;
    }

    /** Stamps every pbuf this thread allocates or {@link #claim}s with owner {@code id} (see {@link PbufPool#registerOwner}). */
    public void owner(int id) {
        this.owner = id;
    }

    // ------------------------------------------------------------------------------------------------
    // Allocation
    // ------------------------------------------------------------------------------------------------

    /**
     * One pbuf with no packet header, its data at the start of the data area, length 0.
     *
     * @return the handle, or {@link PbufHandle#NULL} when the pool is empty (counted as denied)
     */
    public int get(PbufType type) {
        return take(type.ordinal(), HEADER_LENGTH, 0, false);
    }

    /**
     * One pbuf with a packet header, length 0, leaving {@code layer}'s headroom in front of the data.
     *
     * @return the handle, or {@link PbufHandle#NULL} when the pool is empty (counted as denied)
     */
    public int getHdr(PbufType type, Layer layer) {
        return take(type.ordinal(), HEADER_LENGTH + layer.headroom(), F_PKTHDR, false);
    }

    /** As {@link #getHdr}, for receive and ACK work: may take from the pool's reserve when the rest is empty. */
    public int getHdrReserve(PbufType type, Layer layer) {
        return take(type.ordinal(), HEADER_LENGTH + layer.headroom(), F_PKTHDR, true);
    }

    /**
     * As {@link #getHdr}, but when the pool is empty waits up to {@code timeoutNanos} for a pbuf to be
     * freed. Control path only (application threads): it parks. A get that succeeds after waiting is
     * counted as delayed, one that times out as denied.
     */
    public int getWait(PbufType type, Layer layer, long timeoutNanos) {
        if (CHECKED) {
            checkThread();
        }
        int t = type.ordinal();
        int dataOff = HEADER_LENGTH + layer.headroom();
        int i = cache.take(false);
        if (i >= 0) {
            return init(i, t, dataOff, F_PKTHDR);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        pool.waiting(1);
        try {
            while (System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(20_000);
                i = cache.take(false);
                if (i >= 0) {
                    cache.increment(PbufCache.DELAYED);
                    return init(i, t, dataOff, F_PKTHDR);
                }
            }
        } finally {
            pool.waiting(-1);
        }
        cache.increment(PbufCache.DENIED);
        return NULL;
    }

    private int take(int type, int dataOff, int flags, boolean reserve) {
        if (CHECKED) {
            checkThread();
        }
        int i = cache.take(reserve);
        if (i < 0) {
            cache.increment(PbufCache.DENIED);
            return NULL;
        }
        return init(i, type, dataOff, flags);
    }

    private int init(int i, int type, int dataOff, int flags) {
        arena.initialise(i, dataOff, 0, type, flags, owner);
        cache.increment(PbufCache.ALLOCS + type);
        return arena.handle(i);
    }

    /**
     * {@code n} pbufs without packet headers into {@code out[0..n)}, all or nothing.
     *
     * @return true when all {@code n} were allocated; false, with nothing allocated, when the pool had fewer
     */
    public boolean get(PbufType type, int[] out, int n) {
        if (n < 0 || n > out.length) {
            throw new IndexOutOfBoundsException("n=" + n + " out.length=" + out.length);
        }
        if (CHECKED) {
            checkThread();
        }
        if (n > arena.slots || !cache.take(out, n, false)) {
            java.util.Arrays.fill(out, 0, n, NULL);
            deny(n);
            return false;
        }
        int t = type.ordinal();
        int o = owner;
        for (int k = 0; k < n; k++) {
            int i = out[k];
            arena.initialise(i, HEADER_LENGTH, 0, t, 0, o);
            out[k] = arena.handle(i);
        }
        cache.add(PbufCache.ALLOCS + t, n); // once per call: an opaque store in the loop pins every access
        return true;
    }

    /**
     * A packet of {@code length} bytes: a chain with a packet header and {@code layer}'s headroom in its first
     * pbuf, every pbuf filled to its capacity, lengths set, contents undefined. All or nothing.
     *
     * @return the chain, or {@link PbufHandle#NULL} when the pool had too few pbufs (nothing allocated)
     */
    public int alloc(Layer layer, int length) {
        return allocChain(PbufType.DATA.ordinal(), layer.headroom(), length, false);
    }

    /** As {@link #alloc} with no headroom, for received frames: may take from the pool's reserve. */
    public int allocReceive(int length) {
        return allocChain(PbufType.DATA.ordinal(), 0, length, true);
    }

    /** Pbufs that a packet of {@code length} bytes needs with {@code headroom} in front. */
    public static int pbufsFor(int headroom, int length) {
        int first = PHLEN - headroom;
        return length <= first ? 1 : 1 + (int) (((long) length - first + PHLEN - 1) / PHLEN);
    }

    private int allocChain(int type, int headroom, int length, boolean reserve) {
        if (length < 0 || headroom < 0 || headroom > PHLEN) {
            throw new IllegalArgumentException("length=" + length + " headroom=" + headroom);
        }
        if (CHECKED) {
            checkThread();
        }
        int n = pbufsFor(headroom, length);
        if (n > arena.slots) { // can never succeed: refuse before pulling the pool into this cache
            deny(n);
            return NULL;
        }
        int[] s = scratch(n);
        if (!cache.take(s, n, reserve)) {
            deny(n);
            return NULL;
        }
        int remaining = length;
        for (int k = 0; k < n; k++) {
            int i = s[k];
            int dataOff = HEADER_LENGTH + (k == 0 ? headroom : 0);
            int len = Math.min(remaining, SLOT_END - dataOff);
            arena.initialise(i, dataOff, len, type, k == 0 ? F_PKTHDR : 0, owner);
            remaining -= len;
            s[k] = arena.handle(i);
        }
        for (int k = 0; k < n - 1; k++) {
            arena.next(PbufHandle.index(s[k]), s[k + 1]);
        }
        arena.pktLen(PbufHandle.index(s[0]), length);
        cache.add(PbufCache.ALLOCS + type, n);
        return s[0];
    }

    private void deny(int n) {
        cache.add(PbufCache.DENIED, n);
    }

    private int[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new int[Math.max(n, scratch.length * 2)];
        }
        return scratch;
    }

    /**
     * Frees one pbuf (not its chain).
     *
     * @return the handle of the pbuf that followed it in its chain, or NULL
     */
    public int free(int h) {
        int i = idx(h);
        int next = arena.next(i);
        release(i);
        return next;
    }

    /** Frees a whole chain (through {@code next}; {@code nextpkt} is not followed). NULL is a no-op. */
    public void freem(int h) {
        while (h != NULL) {
            h = free(h);
        }
    }

    /** Frees {@code n} chains, {@code chains[0..n)}. */
    public void freem(int[] chains, int n) {
        for (int k = 0; k < n; k++) {
            freem(chains[k]);
        }
    }

    private void release(int i) {
        int type = arena.type(i);
        arena.state(i, STATE_FREE);
        arena.generation(i, PbufHandle.nextGeneration(arena.generation(i)));
        if (CHECKED) {
            arena.poison(i);
        }
        cache.increment(PbufCache.FREES + type);
        cache.give(i);
        if (pool.hasWaiters()) {
            // A thread waits in getWait: a free left in this cache would never reach it.
            cache.drain();
        }
    }

    /** Restamps every pbuf of the chain with this thread's owner, when a chain changes hands between stages. */
    public void claim(int h) {
        for (int i = idx(h); ; ) {
            arena.owner(i, owner);
            int n = arena.next(i);
            if (n == NULL) {
                return;
            }
            i = idx(n);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Header fields
    // ------------------------------------------------------------------------------------------------

    /** Bytes of data in this pbuf (not the chain). */
    public int len(int h) {
        return arena.len(idx(h));
    }

    /** Sets the bytes of data in this pbuf; the packet length is the caller's to keep ({@link #setPktLen}). */
    public void setLen(int h, int len) {
        int i = idx(h);
        int data = arena.data(i);
        if (len < 0 || len > SLOT_END - data) {
            throw new IndexOutOfBoundsException("len=" + len + " exceeds the room after the data offset ("
                + (SLOT_END - data) + ") of pbuf " + PbufHandle.toString(h));
        }
        arena.len(i, len);
    }

    /** Offset in {@link #segment()} of this pbuf's first data byte. */
    public long address(int h) {
        int i = idx(h);
        return slotBase(i) + arena.data(i);
    }

    /** Free bytes in front of the data. */
    public int headroom(int h) {
        return arena.data(idx(h)) - HEADER_LENGTH;
    }

    /** Free bytes after the data. */
    public int tailroom(int h) {
        int i = idx(h);
        return SLOT_END - arena.data(i) - arena.len(i);
    }

    /** Moves the start of the data of an empty pbuf {@code n} bytes further into its data area (m_align). */
    public void reserve(int h, int n) {
        int i = idx(h);
        int data = arena.data(i);
        if (arena.len(i) != 0 || n < 0 || n > SLOT_END - data) {
            throw new IllegalArgumentException("reserve(" + n + ") needs an empty pbuf with room; len="
                + arena.len(i) + " room=" + (SLOT_END - data));
        }
        arena.data(i, data + n);
    }

    public int next(int h) {
        return arena.next(idx(h));
    }

    public int nextPkt(int h) {
        return arena.nextPkt(idx(h));
    }

    /** Links the packet {@code h} to the packet after it in a queue; only first pbufs use this link. */
    public void setNextPkt(int h, int nextPacket) {
        arena.nextPkt(idx(h), nextPacket);
    }

    public PbufType type(int h) {
        return PbufType.of(arena.type(idx(h)));
    }

    public void setType(int h, PbufType type) {
        arena.type(idx(h), type.ordinal());
    }

    public boolean isPktHdr(int h) {
        return arena.isPktHdr(idx(h));
    }

    public int pktLen(int h) {
        return arena.pktLen(hdr(h));
    }

    public void setPktLen(int h, int len) {
        if (len < 0) {
            throw new IllegalArgumentException("pkt.len=" + len);
        }
        arena.pktLen(hdr(h), len);
    }

    public int rcvif(int h) {
        return arena.getShort(hdr(h), PKT_RCVIF_OFFSET);
    }

    public void setRcvif(int h, int ifindex) {
        arena.putShort(hdr(h), PKT_RCVIF_OFFSET, ifindex);
    }

    /** The output port a routing step chose (0..255); see {@link PbufDescriptor#PKT_TXIF_OFFSET}. */
    public int txif(int h) {
        return arena.getByte(hdr(h), PKT_TXIF_OFFSET) & 0xFF;
    }

    public void setTxif(int h, int port) {
        arena.putByte(hdr(h), PKT_TXIF_OFFSET, port);
    }

    public int pktFlags(int h) {
        return arena.getShort(hdr(h), PKT_FLAGS_OFFSET);
    }

    public void setPktFlags(int h, int flags) {
        arena.putShort(hdr(h), PKT_FLAGS_OFFSET, flags);
    }

    /** Offset of the link header from the start of the packet. */
    public int l2Offset(int h) {
        return arena.getShort(hdr(h), PKT_L2_OFFSET);
    }

    public int l3Offset(int h) {
        return arena.getShort(hdr(h), PKT_L3_OFFSET);
    }

    public int l4Offset(int h) {
        return arena.getShort(hdr(h), PKT_L4_OFFSET);
    }

    public void setLayerOffsets(int h, int l2, int l3, int l4) {
        int i = hdr(h);
        arena.putShort(i, PKT_L2_OFFSET, l2);
        arena.putShort(i, PKT_L3_OFFSET, l3);
        arena.putShort(i, PKT_L4_OFFSET, l4);
    }

    public int vlanTci(int h) {
        return arena.getShort(hdr(h), PKT_VLAN_OFFSET);
    }

    public void setVlanTci(int h, int tci) {
        arena.putShort(hdr(h), PKT_VLAN_OFFSET, tci);
    }

    public int flowHash(int h) {
        return arena.getInt(hdr(h), PKT_HASH_OFFSET);
    }

    public void setFlowHash(int h, int hash) {
        arena.putInt(hdr(h), PKT_HASH_OFFSET, hash);
    }

    public long timestamp(int h) {
        return arena.getLong(hdr(h), PKT_TIMESTAMP_OFFSET);
    }

    public void setTimestamp(int h, long nanos) {
        arena.putLong(hdr(h), PKT_TIMESTAMP_OFFSET, nanos);
    }

    /** The byte at {@code off} in this pbuf's data. */
    public byte getByte(int h, int off) {
        int i = idx(h);
        checkIn(i, off, 1);
        return segment.get(ValueLayout.JAVA_BYTE, slotBase(i) + arena.data(i) + off);
    }

    public void putByte(int h, int off, byte v) {
        int i = idx(h);
        checkIn(i, off, 1);
        segment.set(ValueLayout.JAVA_BYTE, slotBase(i) + arena.data(i) + off, v);
    }

    private void checkIn(int i, int off, int n) {
        int len = arena.len(i);
        if (off < 0 || n < 0 || off > len - n) {
            throw new IndexOutOfBoundsException("offset " + off + " length " + n + " outside pbuf len " + len);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Chains
    // ------------------------------------------------------------------------------------------------

    /** Bytes in the chain, by walking it (the packet header's length is {@link #pktLen}). */
    public int length(int h) {
        int total = 0;
        for (int i = idx(h); ; ) {
            total += arena.len(i);
            int n = arena.next(i);
            if (n == NULL) {
                return total;
            }
            i = idx(n);
        }
    }

    /** Pbufs in the chain. */
    public int count(int h) {
        int c = 0;
        for (int n = h; n != NULL; n = arena.next(idx(n))) {
            c++;
        }
        return c;
    }

    /** The last pbuf of the chain. */
    public int last(int h) {
        int cur = h;
        for (int n = arena.next(idx(cur)); n != NULL; n = arena.next(idx(cur))) {
            cur = n;
        }
        return cur;
    }

    /**
     * Prepends {@code n} bytes of room to the packet and returns its (possibly new) head. The new bytes are
     * undefined; the caller writes its header there.
     *
     * <p>When the first pbuf has {@code n} bytes of headroom this only moves its data offset back: no copy,
     * no allocation. Otherwise a new pbuf is put in front, with the data at its end so that the next layer
     * can prepend into it, and the packet header moves to it.
     *
     * <p>Ownership: takes the chain. On success the caller owns the returned chain; on failure (the pool is
     * empty) the chain is freed and NULL returned, as BSD's {@code M_PREPEND} does.
     *
     * @param n 0..PHLEN bytes
     */
    public int prepend(int h, int n) {
        int i = idx(h);
        if (n < 0 || n > PHLEN) {
            throw new IllegalArgumentException("prepend of " + n + " bytes; must be 0.." + PHLEN);
        }
        int data = arena.data(i);
        boolean pkthdr = arena.isPktHdr(i);
        if (data - HEADER_LENGTH >= n) {
            arena.data(i, data - n);
            arena.len(i, arena.len(i) + n);
            if (pkthdr) {
                arena.pktLen(i, arena.pktLen(i) + n);
            }
            return h;
        }
        int nh = take(PbufType.HEADER.ordinal(), SLOT_END - n, 0, false);
        if (nh == NULL) {
            freem(h);
            return NULL;
        }
        int ni = PbufHandle.index(nh);
        arena.len(ni, n);
        arena.next(ni, h);
        if (pkthdr) {
            movePktHdr(i, ni);
            arena.pktLen(ni, arena.pktLen(ni) + n);
        }
        return nh;
    }

    private void movePktHdr(int from, int to) {
        arena.copyPktHdr(from, to);
        arena.flags(to, arena.flags(to) | F_PKTHDR);
        arena.flags(from, arena.flags(from) & ~F_PKTHDR);
        arena.nextPkt(to, arena.nextPkt(from));
        arena.nextPkt(from, NULL);
    }

    /**
     * Appends {@code len} bytes from {@code src} to the end of the chain, filling the last pbuf's tailroom
     * and then new pbufs. All or nothing.
     *
     * <p>Ownership: the caller keeps the chain either way.
     *
     * @return true when appended; false, with the chain unchanged, when the pool had too few pbufs
     */
    public boolean append(int h, MemorySegment src, long srcOff, int len) {
        int head = idx(h);
        if (len < 0 || srcOff < 0 || srcOff > src.byteSize() - len) {
            throw new IndexOutOfBoundsException("append of " + len + " bytes at " + srcOff + " from a source of "
                + src.byteSize());
        }
        return grow(head, h, len, src, srcOff);
    }

    /** As {@link #append(int, MemorySegment, long, int)} from a heap array (control path). */
    public boolean append(int h, byte[] src, int srcOff, int len) {
        return append(h, MemorySegment.ofArray(src), srcOff, len);
    }

    /**
     * Trims {@code n} bytes from the front of the packet ({@code n > 0}) or {@code -n} bytes from its end
     * ({@code n < 0}); more than the packet holds empties it. Pbufs that become empty are freed, except the
     * head, which then stays with length 0. When leading pbufs are freed the packet header moves to the new
     * first pbuf.
     *
     * <p>Ownership: takes the chain and returns it, possibly with a new head; never fails.
     *
     * @return the head of the trimmed chain
     */
    public int adj(int h, int n) {
        int i = idx(h);
        boolean pkthdr = arena.isPktHdr(i);
        if (n >= 0) {
            int remaining = n;
            int trimmed = 0;
            int cur = h;
            int ci = i;
            while (remaining > 0) {
                int len = arena.len(ci);
                int next = arena.next(ci);
                if (len <= remaining && next != NULL) {
                    int ni = idx(next);
                    if (arena.isPktHdr(ci)) {
                        movePktHdr(ci, ni);
                    }
                    release(ci);
                    remaining -= len;
                    trimmed += len;
                    cur = next;
                    ci = ni;
                } else {
                    int d = Math.min(len, remaining);
                    arena.data(ci, arena.data(ci) + d);
                    arena.len(ci, len - d);
                    trimmed += d;
                    break;
                }
            }
            if (pkthdr) {
                arena.pktLen(ci, arena.pktLen(ci) - trimmed);
            }
            return cur;
        }
        int total = length(h);
        int keep = Math.max(0, total + n);
        int acc = 0;
        int ci = i;
        while (acc + arena.len(ci) < keep) {
            acc += arena.len(ci);
            ci = idx(arena.next(ci));
        }
        arena.len(ci, keep - acc);
        int rest = arena.next(ci);
        arena.next(ci, NULL);
        freem(rest);
        if (pkthdr) {
            arena.pktLen(i, keep);
        }
        return h;
    }

    /**
     * Makes the first {@code n} bytes of the packet contiguous in its first pbuf, so that a header can be
     * read through one view. Never allocates: bytes are pulled forward from the following pbufs (freeing
     * those emptied), and the first pbuf's data slides back into its headroom if its end is too close.
     *
     * <p>Ownership: takes the chain. On success returns it (same head). When the packet is shorter than
     * {@code n} the chain is freed and NULL returned, as BSD's {@code m_pullup} does: the caller counts a
     * runt and moves on.
     *
     * @param n 1..PHLEN bytes
     */
    public int pullup(int h, int n) {
        int i = idx(h);
        if (n < 1 || n > PHLEN) {
            throw new IllegalArgumentException("pullup of " + n + " bytes; must be 1.." + PHLEN);
        }
        int len = arena.len(i);
        if (len >= n) {
            return h;
        }
        if (length(h) < n) {
            freem(h);
            return NULL;
        }
        int data = arena.data(i);
        if (data + n > SLOT_END) {
            int to = SLOT_END - n;
            arena.move(slotBase(i) + data, slotBase(i) + to, len);
            data = to;
            arena.data(i, data);
        }
        int need = n - len;
        int next = arena.next(i);
        while (need > 0) {
            int ni = idx(next);
            int nlen = arena.len(ni);
            int take = Math.min(need, nlen);
            int ndata = arena.data(ni);
            arena.move(slotBase(ni) + ndata, slotBase(i) + data + len, take);
            len += take;
            need -= take;
            arena.data(ni, ndata + take);
            arena.len(ni, nlen - take);
            if (nlen == take) {
                int after = arena.next(ni);
                release(ni);
                next = after;
            }
        }
        arena.len(i, len);
        arena.next(i, next);
        return h;
    }

    /**
     * Copies {@code len} bytes of the packet, starting {@code off} bytes in, to {@code dst} at {@code dstOff}.
     *
     * <p>Ownership: the caller keeps the chain.
     *
     * @throws IndexOutOfBoundsException when {@code [off, off + len)} is not inside the packet or the
     *                                   destination is too small; nothing is copied
     */
    public void copydata(int h, int off, int len, MemorySegment dst, long dstOff) {
        if (dstOff < 0 || len < 0 || dstOff > dst.byteSize() - len) {
            throw new IndexOutOfBoundsException("copydata of " + len + " bytes to offset " + dstOff
                + " of a destination of " + dst.byteSize());
        }
        checkRange(h, off, len);
        transfer(h, off, len, dst, dstOff, false);
    }

    /**
     * Copies {@code len} bytes between the packet, from {@code off} on, and {@code ext} at {@code extOff}:
     * into the chain when {@code intoChain}, out of it otherwise. The range is already checked.
     */
    private void transfer(int h, int off, int len, MemorySegment ext, long extOff, boolean intoChain) {
        int i = idx(h);
        while (len > 0) {
            int plen = arena.len(i);
            if (off >= plen) {
                off -= plen;
            } else {
                int n = Math.min(plen - off, len);
                long at = slotBase(i) + arena.data(i) + off;
                if (intoChain) {
                    MemorySegment.copy(ext, extOff, segment, at, n);
                } else {
                    MemorySegment.copy(segment, at, ext, extOff, n);
                }
                extOff += n;
                len -= n;
                off = 0;
            }
            if (len > 0) {
                i = idx(arena.next(i));
            }
        }
    }

    /** As {@link #copydata(int, int, int, MemorySegment, long)} into a heap array (control path). */
    public void copydata(int h, int off, int len, byte[] dst, int dstOff) {
        copydata(h, off, len, MemorySegment.ofArray(dst), dstOff);
    }

    /** The whole packet as a new array (control path, tests). */
    public byte[] toArray(int h) {
        byte[] out = new byte[length(h)];
        copydata(h, 0, out.length, out, 0);
        return out;
    }

    private void checkRange(int h, int off, int len) {
        int total = length(h);
        if (off < 0 || len < 0 || off > total - len) {
            throw new IndexOutOfBoundsException("range [" + off + ", " + ((long) off + len)
                + ") outside a packet of " + total + " bytes");
        }
    }

    /**
     * Writes {@code len} bytes from {@code src} into the packet at {@code off}, extending the chain when the
     * range runs past its end; a gap between the old end and {@code off} is zero-filled. All or nothing.
     *
     * <p>Ownership: the caller keeps the chain either way.
     *
     * @return true when written; false, with the chain unchanged, when the pool had too few pbufs to extend it
     */
    public boolean copyback(int h, int off, MemorySegment src, long srcOff, int len) {
        if (off < 0 || len < 0 || srcOff < 0 || srcOff > src.byteSize() - len) {
            throw new IndexOutOfBoundsException("copyback of " + len + " bytes from offset " + srcOff
                + " of a source of " + src.byteSize() + " to packet offset " + off);
        }
        int total = length(h);
        long end = (long) off + len;
        if (end > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("copyback past 2 GiB: off=" + off + " len=" + len);
        }
        if (end > total && !grow(idx(h), h, (int) end - total, null, 0)) {
            return false;
        }
        transfer(h, off, len, src, srcOff, true);
        return true;
    }

    /** As {@link #copyback(int, int, MemorySegment, long, int)} from a heap array (control path). */
    public boolean copyback(int h, int off, byte[] src, int srcOff, int len) {
        return copyback(h, off, MemorySegment.ofArray(src), srcOff, len);
    }

    /**
     * Adds {@code n} bytes at the end of the chain, copied from {@code src} or, when it is null, zeros: the
     * last pbuf's tailroom first, then new pbufs. All or nothing.
     */
    private boolean grow(int head, int h, int n, MemorySegment src, long srcOff) {
        int li = idx(last(h));
        int room = SLOT_END - arena.data(li) - arena.len(li);
        int extra = n <= room ? 0 : (int) (((long) n - room + PHLEN - 1) / PHLEN);
        if (extra > arena.slots) {
            deny(extra);
            return false;
        }
        int[] s = scratch(extra);
        if (extra > 0 && !cache.take(s, extra, false)) {
            deny(extra);
            return false;
        }
        int inLast = Math.min(room, n);
        fillFrom(src, srcOff, li, arena.data(li) + arena.len(li), inLast);
        arena.len(li, arena.len(li) + inLast);
        long at = srcOff + inLast;
        int remaining = n - inLast;
        int t = PbufType.DATA.ordinal();
        for (int k = 0; k < extra; k++) {
            int i = s[k];
            int l = Math.min(remaining, PHLEN);
            arena.initialise(i, HEADER_LENGTH, l, t, 0, owner);
            fillFrom(src, at, i, HEADER_LENGTH, l);
            at += l;
            remaining -= l;
            arena.next(li, arena.handle(i));
            li = i;
        }
        cache.add(PbufCache.ALLOCS + t, extra);
        if (arena.isPktHdr(head)) {
            arena.pktLen(head, arena.pktLen(head) + n);
        }
        return true;
    }

    /** Writes {@code n} bytes at {@code offsetInSlot} of slot {@code i}: from {@code src}, or zeros when null. */
    private void fillFrom(MemorySegment src, long srcOff, int i, int offsetInSlot, int n) {
        if (src == null) {
            arena.fill(i, offsetInSlot, n, (byte) 0);
        } else {
            MemorySegment.copy(src, srcOff, segment, slotBase(i) + offsetInSlot, n);
        }
    }

    /**
     * Concatenates packet {@code h2} onto the end of {@code h1}. Small pbufs of {@code h2} are copied into
     * the tailroom of {@code h1}'s last pbuf and freed; the rest is linked. {@code h2}'s packet header is
     * dropped and {@code h1}'s length grows.
     *
     * <p>Ownership: takes {@code h2}; the caller keeps {@code h1}. Never fails.
     */
    public void cat(int h1, int h2) {
        if (h2 != NULL) {
            catAfter(h1, last(h1), h2);
        }
    }

    /**
     * As {@link #cat}, for a queue that keeps its last pbuf: {@code last1} must be the last pbuf of {@code h1},
     * and the walk to find it is saved (appending to a long queue stays O(length of {@code h2})).
     *
     * @return the last pbuf of the joined chain, for the next append
     */
    public int catAfter(int h1, int last1, int h2) {
        int head = idx(h1);
        if (h2 == NULL) {
            return last1;
        }
        if (CHECKED) {
            for (int cur = h1; cur != NULL; cur = arena.next(idx(cur))) {
                if (cur == h2) {
                    throw new PbufStateException("cat of a chain onto itself: " + PbufHandle.toString(h2)
                        + " is already part of " + PbufHandle.toString(h1));
                }
            }
        }
        if (CHECKED && arena.next(idx(last1)) != NULL) {
            throw new PbufStateException("catAfter: " + PbufHandle.toString(last1) + " is not the last pbuf of "
                + PbufHandle.toString(h1));
        }
        int added = length(h2);
        int li = idx(last1);
        int tail = last1;
        int m = h2;
        int mi = idx(m);
        arena.flags(mi, arena.flags(mi) & ~F_PKTHDR);
        arena.nextPkt(mi, NULL);
        while (m != NULL) {
            mi = idx(m);
            int mlen = arena.len(mi);
            int room = SLOT_END - arena.data(li) - arena.len(li);
            if (mlen > room) {
                arena.next(li, m);
                tail = last(m);
                break;
            }
            arena.move(slotBase(mi) + arena.data(mi), slotBase(li) + arena.data(li) + arena.len(li), mlen);
            arena.len(li, arena.len(li) + mlen);
            int next = arena.next(mi);
            release(mi);
            m = next;
        }
        if (arena.isPktHdr(head)) {
            arena.pktLen(head, arena.pktLen(head) + added);
        }
        return tail;
    }

    /**
     * Splits the packet at {@code off}: {@code h} keeps bytes {@code [0, off)} and the returned chain holds
     * the rest. When {@code h} has a packet header the tail gets one too (a copy, with its own length). A cut
     * between pbufs moves no data; a cut inside a pbuf copies that pbuf's remainder into a new pbuf with
     * transport headroom, so the tail can take headers (TCP segmentation, IP fragmentation).
     *
     * <p>Ownership: the caller keeps {@code h} and owns the returned chain. On failure (the pool is empty)
     * returns NULL and {@code h} is unchanged.
     *
     * @param off 0..length(h)
     */
    public int split(int h, int off) {
        int head = idx(h);
        int total = length(h);
        if (off < 0 || off > total) {
            throw new IndexOutOfBoundsException("split at " + off + " of a packet of " + total + " bytes");
        }
        boolean pkthdr = arena.isPktHdr(head);
        int type = arena.type(head);
        if (off == total) {
            int t = pkthdr ? take(type, HEADER_LENGTH + Layer.TRANSPORT.headroom(), F_PKTHDR, false)
                : take(type, HEADER_LENGTH, 0, false);
            if (t != NULL && pkthdr) {
                int ti = PbufHandle.index(t);
                arena.copyPktHdr(head, ti);
                arena.pktLen(ti, 0);
            }
            return t;
        }
        int prev = NULL;
        int cur = h;
        int ci = head;
        int acc = 0;
        while (acc + arena.len(ci) <= off) {
            acc += arena.len(ci);
            prev = cur;
            cur = arena.next(ci);
            ci = idx(cur);
        }
        int keep = off - acc;
        int tail;
        if (keep == 0 && prev != NULL) {
            arena.next(idx(prev), NULL);
            tail = cur;
            if (pkthdr) {
                arena.copyPktHdr(head, ci);
                arena.flags(ci, arena.flags(ci) | F_PKTHDR);
                arena.nextPkt(ci, NULL);
            }
        } else {
            int rest = arena.len(ci) - keep;
            int headroom = Math.min(Layer.TRANSPORT.headroom(), PHLEN - rest);
            tail = take(type, HEADER_LENGTH + headroom, pkthdr ? F_PKTHDR : 0, false);
            if (tail == NULL) {
                return NULL;
            }
            int ti = PbufHandle.index(tail);
            arena.move(slotBase(ci) + arena.data(ci) + keep, slotBase(ti) + HEADER_LENGTH + headroom, rest);
            arena.len(ti, rest);
            arena.next(ti, arena.next(ci));
            arena.next(ci, NULL);
            arena.len(ci, keep);
            if (pkthdr) {
                arena.copyPktHdr(head, ti);
            }
        }
        if (pkthdr) {
            arena.pktLen(head, off);
            arena.pktLen(idx(tail), total - off);
        }
        return tail;
    }

    /**
     * A deep copy of the packet: same headroom, same packet header, data packed into as few pbufs as fit.
     * All or nothing.
     *
     * <p>Ownership: the caller keeps {@code h} and owns the copy.
     *
     * @return the copy, or NULL (nothing allocated) when the pool had too few pbufs
     */
    public int dup(int h) {
        int head = idx(h);
        int total = length(h);
        int headroom = arena.data(head) - HEADER_LENGTH;
        int copy = allocChain(arena.type(head), headroom, total, false);
        if (copy == NULL) {
            return NULL;
        }
        int ci = PbufHandle.index(copy);
        if (arena.isPktHdr(head)) {
            arena.copyPktHdr(head, ci);
        } else {
            arena.flags(ci, arena.flags(ci) & ~F_PKTHDR);
        }
        arena.pktLen(ci, total);
        int src = head;
        int srcOff = 0;
        for (int d = copy; d != NULL; d = arena.next(PbufHandle.index(d))) {
            int di = PbufHandle.index(d);
            int dOff = 0;
            int dLen = arena.len(di);
            while (dOff < dLen) {
                int avail = arena.len(src) - srcOff;
                if (avail == 0) {
                    src = idx(arena.next(src));
                    srcOff = 0;
                    continue;
                }
                int n = Math.min(avail, dLen - dOff);
                arena.move(slotBase(src) + arena.data(src) + srcOff, slotBase(di) + arena.data(di) + dOff, n);
                srcOff += n;
                dOff += n;
            }
        }
        return copy;
    }

    /**
     * Packs the chain in place into as few pbufs as its length needs (the first keeps its headroom): data
     * moves forward and emptied pbufs are freed. Never allocates, never fails.
     *
     * <p>Ownership: takes the chain and returns it (same head).
     */
    public int defrag(int h) {
        int ci = idx(h);
        while (true) {
            int next = arena.next(ci);
            if (next == NULL) {
                return h;
            }
            int ni = idx(next);
            int room = SLOT_END - arena.data(ci) - arena.len(ci);
            if (room == 0 && arena.len(ni) > 0) {
                ci = ni;
                int data = arena.data(ci);
                if (data != HEADER_LENGTH && arena.len(ci) > 0) {
                    arena.move(slotBase(ci) + data, slotBase(ci) + HEADER_LENGTH, arena.len(ci));
                }
                arena.data(ci, HEADER_LENGTH);
                continue;
            }
            int nlen = arena.len(ni);
            int n = Math.min(room, nlen);
            arena.move(slotBase(ni) + arena.data(ni), slotBase(ci) + arena.data(ci) + arena.len(ci), n);
            arena.len(ci, arena.len(ci) + n);
            arena.data(ni, arena.data(ni) + n);
            arena.len(ni, nlen - n);
            if (nlen == n) {
                arena.next(ci, arena.next(ni));
                release(ni);
            }
        }
    }

    /**
     * Visits bytes {@code [off, off + len)} of the packet piece by piece, without copying.
     *
     * @return the visitor's last accumulator, {@code initial} when {@code len} is 0
     */
    public long apply(int h, int off, int len, PbufVisitor visitor, long initial) {
        checkRange(h, off, len);
        long acc = initial;
        int done = 0;
        int i = idx(h);
        while (done < len) {
            int plen = arena.len(i);
            if (off >= plen) {
                off -= plen;
            } else {
                int n = Math.min(plen - off, len - done);
                acc = visitor.visit(segment, slotBase(i) + arena.data(i) + off, n, acc, done);
                done += n;
                off = 0;
            }
            if (done < len) {
                i = idx(arena.next(i));
            }
        }
        return acc;
    }

    /**
     * Finds the pbuf holding byte {@code off} of the packet.
     *
     * @return {@code handle << 32 | offset within that pbuf}, to be read with {@link #locatedPbuf} and
     *         {@link #locatedOffset}; -1 when {@code off} is at or past the end
     */
    public long locate(int h, int off) {
        if (off < 0) {
            throw new IndexOutOfBoundsException("locate at " + off);
        }
        for (int cur = h; cur != NULL; ) {
            int i = idx(cur);
            int plen = arena.len(i);
            if (off < plen) {
                return (long) cur << 32 | off;
            }
            off -= plen;
            cur = arena.next(i);
        }
        return -1;
    }

    public static int locatedPbuf(long located) {
        return (int) (located >>> 32);
    }

    public static int locatedOffset(long located) {
        return (int) located;
    }

    /**
     * Verifies the chain's invariants: every pbuf allocated and in range, no cycle, the data inside its
     * slot, a packet header only on the first pbuf, its length equal to the sum of the pbufs' lengths, and
     * {@code nextpkt} unused past the first pbuf.
     *
     * @return null when sane, else the first broken invariant
     */
    public String check(int h) {
        return PbufChecks.check(arena, h);
    }

    /** A readable dump of the chain's headers and bytes (control path, debugging). */
    public String dump(int h) {
        return PbufDump.dump(arena, h);
    }

    /** Gives this thread's cached pbufs back to the pool and detaches the thread from it. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pool.retire(cache);
        }
    }

    // ------------------------------------------------------------------------------------------------

    private int idx(int h) {
        int i = h & PbufHandle.INDEX_MASK;
        if (CHECKED) {
            verify(h, i);
        }
        return i;
    }

    private int hdr(int h) {
        int i = idx(h);
        if (CHECKED && !arena.isPktHdr(i)) {
            throw new PbufStateException("pbuf " + PbufHandle.toString(h) + " has no packet header");
        }
        return i;
    }

    private void checkThread() {
        if (closed) {
            throw new PbufStateException("Pbufs of thread " + cache.name + " used after close()");
        }
        if (Thread.currentThread() != cache.owner) {
            throw new PbufStateException("Pbufs of thread " + cache.name + " used from thread "
                + Thread.currentThread().getName() + "; each thread gets its own from pool.local()");
        }
    }

    private void verify(int h, int i) {
        if (h <= 0 || i >= arena.slots) {
            throw new PbufStateException(h == NULL ? "NULL pbuf handle"
                : "pbuf handle " + h + " is out of range for a pool of " + arena.slots + " slots");
        }
        checkThread();
        int g = arena.generation(i);
        if (arena.state(i) != STATE_ALLOCATED) {
            throw new PbufStateException("use after free or double free of pbuf " + PbufHandle.toString(h)
                + ": the slot is free");
        }
        if (g != PbufHandle.generation(h)) {
            throw new PbufStateException("use after free of pbuf " + PbufHandle.toString(h)
                + ": the slot was freed and reused (now generation " + g + ")");
        }
    }
}
