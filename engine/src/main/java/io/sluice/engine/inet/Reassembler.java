package io.sluice.engine.inet;

import static io.sluice.engine.pbuf.PbufHandle.NULL;

import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.wire.Ipv4Header;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * IPv4 reassembly (RFC 791 3.2, with the hole bookkeeping of RFC 815 reduced to a byte count) under hard
 * limits, for the datagrams addressed to this host (or to a stage that must see whole datagrams).
 *
 * <h2>Model</h2>
 * A datagram in reassembly is keyed by (source, destination, identification, protocol) (RFC 791 3.2). Its
 * fragments are kept as received, whole frames, linked through their first pbuf's {@code nextpkt} in
 * increasing offset order. Because overlaps are refused (below), the fragments held never share a byte, so the
 * datagram is complete exactly when its last fragment (MF clear) has been seen and the payload bytes held add
 * up to that fragment's end: no hole list is needed. On completion the fragments are stripped of their headers
 * and concatenated ({@link Pbufs#cat}) onto the fragment at offset 0, whose link and IP header become the
 * datagram's, with total length, MF and offset, and checksum rewritten.
 *
 * <h2>Overlaps and duplicates</h2>
 * A fragment that overlaps any byte of a fragment held for its datagram discards the whole datagram and
 * itself ({@link InetDrop#REASM_OVERLAP}): the rule RFC 5722 made mandatory for IPv6, applied to IPv4 as
 * Linux does. Overlaps have no legitimate source (IPv4 senders and routers cut fragments at fixed
 * boundaries) and every reassembly attack (Teardrop, and the overlapping rewrites that evade firewalls and
 * IDSs, RFC 1858 and RFC 3128) needs them; keeping either version of the bytes would pick a winner an
 * attacker chose. An <em>exact</em> duplicate (same offset, length, MF and payload bytes) is different:
 * networks duplicate packets, and discarding a datagram for it would turn a harmless duplicate into a loss.
 * As RFC 8200 4.5 permits and Linux does, only the copy is dropped ({@link InetDrop#REASM_DUPLICATE}) and the
 * datagram goes on. Its bytes are compared, so a "duplicate" that differs anywhere is an overlap.
 *
 * <h2>Malformed fragments</h2>
 * {@link InetDrop#REASM_BAD_FRAGMENT}: a header that does not parse (the caller checks, but this class does
 * not rely on it), no payload, a fragment with MF set whose payload is not a multiple of 8, an end past
 * 65535 bytes, a second last fragment with a different end, data past the end that a last fragment sets, or
 * a datagram that would reassemble to more than 65535 bytes. When the fragment's datagram is in reassembly it
 * is discarded with it: it could only complete by accepting inconsistent fragments.
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>{@code maxDatagrams}: a fragment that would start one more datagram is dropped
 *       ({@link InetDrop#REASM_LIMIT}); datagrams in reassembly are never evicted to make room. Eviction of
 *       the oldest looks kinder but lets a flood of fragments with fresh identifications push every
 *       legitimate datagram out before its last fragment arrives: the time a datagram may take shrinks from
 *       the timeout to {@code maxDatagrams / flood rate}, microseconds, and the attacker need only be fast.
 *       With refusal, work already admitted completes and the cost of the flood is bounded: it must keep the
 *       table full for a whole timeout, and room returns as its datagrams expire. Linux chose the same when it
 *       reworked its reassembly on rhashtables (4.17): above its memory threshold new datagrams are refused
 *       and the old ones are left to complete or time out. Keep the timeout short (RFC 1122 3.3.2 suggests
 *       60 to 120 s; Linux uses 30 s) to bound how long a flood keeps the table full.</li>
 *   <li>{@code maxFragmentsPerDatagram}: the fragment that would exceed it discards its datagram
 *       ({@link InetDrop#REASM_LIMIT}).</li>
 *   <li>{@code maxPbufs}: the pbufs held by all datagrams together. A fragment that would take the total
 *       past it discards its own datagram ({@link InetDrop#REASM_PBUF_LIMIT}), not another one (same reason
 *       as above). A fragment that completes its datagram is let in: the datagram leaves reassembly at once,
 *       taking its pbufs along.</li>
 *   <li>the timeout: measured from the datagram's first fragment (not restarted by later ones, as in BSD and
 *       Linux; RFC 791's TTL-based timer lets a sender stretch it). {@link #expire} discards the datagrams
 *       past it ({@link InetDrop#REASM_TIMEOUT}) and hands the fragment at offset 0, if any, to a listener for
 *       ICMP Time Exceeded code 1, "fragment reassembly time exceeded" (RFC 792).</li>
 * </ul>
 * Each discard is counted once, under its reason and {@link Mib#ipReasmFails} (a dropped duplicate only under
 * its reason); every fragment given to {@link #add} counts {@link Mib#ipReasmReqds} and every datagram
 * completed {@link Mib#ipReasmOKs}. {@link #freeAll} counts nothing.
 *
 * <h2>Structure</h2>
 * Datagram state lives in parallel arrays indexed by a slot number, all allocated by the constructor: no
 * object per datagram, nothing allocated by {@link #add} or {@link #expire}. The key finds its slot through
 * an open-addressing table (linear probing, at most half full, deletion by backward shift, so no tombstones)
 * with a hash keyed by a per-instance random seed: lookups cost O(1) however many datagrams are held, where a
 * linear scan of up to {@code maxDatagrams} keys per fragment would let a fragment flood buy 4096 compares
 * per packet, and the seed keeps an attacker from choosing identifications that collide. Slots are kept in a
 * list by age; since every datagram has the same timeout that order is also their expiry order, so
 * {@link #expire} only looks at the datagrams it discards.
 *
 * <p>Confined to one thread (the stage's), like the {@link Pbufs} it is given.
 */
public final class Reassembler {
    /** What {@link #expire} calls for each datagram that timed out holding its first fragment. */
    @FunctionalInterface
    public interface ExpiredListener {
        /**
         * The datagram whose fragment at offset 0 is {@code firstFragment} did not complete in time.
         *
         * <p>Ownership: the listener owns {@code firstFragment} (a whole frame, as given to {@link #add}) and
         * must free it or pass it on.
         */
        void expired(Pbufs p, int firstFragment);
    }

    /** The longest link header {@link #add} accepts: the link header and the IP header fit a pbuf. */
    public static final int MAX_L3_OFFSET = Fragmenter.MAX_L3_OFFSET;
    /** The most datagrams a reassembler may be sized for. */
    public static final int MAX_DATAGRAMS = 1 << 20;

    private static final int NONE = -1;
    private static final int MAX_DATAGRAM = 0xFFFF;
    private static final int KEEP_FLAGS = ~(Ipv4Header.FLAG_MF | Ipv4Header.FRAGMENT_OFFSET_MASK) & 0xFFFF;

    private final int maxDatagrams;
    private final int maxFragments;
    private final int maxPbufs;
    private final long timeoutNanos;
    private final InetCounters counters;

    // Per slot: the key, its hash, its age, its fragments and its accounts.
    private final int[] src;
    private final int[] dst;
    /** Identification (high 16 bits) and protocol (low 8 bits). */
    private final int[] idProto;
    private final int[] hashes;
    private final long[] created;
    /** First fragment (lowest offset), linked through nextpkt. */
    private final int[] head;
    /** Last fragment (highest offset) and where its payload ends: in-order arrivals append in O(1). */
    private final int[] tail;
    private final int[] tailEnd;
    /** End of the datagram's payload, set by the fragment with MF clear; -1 until it arrives. */
    private final int[] end;
    /** Payload bytes held (no two fragments share a byte). */
    private final int[] bytes;
    private final int[] fragments;
    private final int[] pbufs;
    /** The age list: older and newer neighbours, NONE at the ends. */
    private final int[] older;
    private final int[] newer;
    private int oldest = NONE;
    private int newest = NONE;

    private final int[] freeSlots;
    private int freeTop;

    /** Slot + 1 of the datagram at each position, 0 where empty. */
    private final int[] table;
    private final int mask;
    private final long seed;

    private int datagrams;
    private int pbufsHeld;

    /**
     * @param maxDatagrams            datagrams in reassembly at once, 1..{@link #MAX_DATAGRAMS}
     * @param maxFragmentsPerDatagram fragments one datagram may hold, at least 2
     * @param maxPbufs                pbufs all datagrams together may hold, at least 1
     * @param timeoutNanos            how long a datagram may take from its first fragment, above 0
     * @throws IllegalArgumentException naming the bad value
     */
    public Reassembler(int maxDatagrams, int maxFragmentsPerDatagram, int maxPbufs, long timeoutNanos,
                       InetCounters counters) {
        if (maxDatagrams < 1 || maxDatagrams > MAX_DATAGRAMS) {
            throw new IllegalArgumentException("maxDatagrams=" + maxDatagrams + " must be 1.." + MAX_DATAGRAMS);
        }
        if (maxFragmentsPerDatagram < 2) {
            throw new IllegalArgumentException("maxFragmentsPerDatagram=" + maxFragmentsPerDatagram
                + " must be at least 2");
        }
        if (maxPbufs < 1) {
            throw new IllegalArgumentException("maxPbufs=" + maxPbufs + " must be at least 1");
        }
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos=" + timeoutNanos + " must be above 0");
        }
        this.maxDatagrams = maxDatagrams;
        this.maxFragments = maxFragmentsPerDatagram;
        this.maxPbufs = maxPbufs;
        this.timeoutNanos = timeoutNanos;
        this.counters = Objects.requireNonNull(counters, "counters");
        src = new int[maxDatagrams];
        dst = new int[maxDatagrams];
        idProto = new int[maxDatagrams];
        hashes = new int[maxDatagrams];
        created = new long[maxDatagrams];
        head = new int[maxDatagrams];
        tail = new int[maxDatagrams];
        tailEnd = new int[maxDatagrams];
        end = new int[maxDatagrams];
        bytes = new int[maxDatagrams];
        fragments = new int[maxDatagrams];
        pbufs = new int[maxDatagrams];
        older = new int[maxDatagrams];
        newer = new int[maxDatagrams];
        freeSlots = new int[maxDatagrams];
        for (int s = 0; s < maxDatagrams; s++) {
            freeSlots[s] = maxDatagrams - 1 - s;
        }
        freeTop = maxDatagrams;
        int capacity = Integer.highestOneBit(maxDatagrams * 2 - 1) << 1; // a power of two >= 2 * maxDatagrams
        table = new int[capacity];
        mask = capacity - 1;
        seed = ThreadLocalRandom.current().nextLong();
    }

    /** Datagrams in reassembly. */
    public int datagrams() {
        return datagrams;
    }

    /** Pbufs held by the datagrams in reassembly. */
    public int pbufsHeld() {
        return pbufsHeld;
    }

    /**
     * Adds a fragment to its datagram.
     *
     * <p>Ownership: takes {@code fragment} in every case (its {@code nextpkt} link is overwritten). When it
     * completes its datagram the caller owns the returned packet: the frame of the fragment at offset 0 (its
     * link header and IP header, options included) followed by the whole payload, total length set, MF and
     * offset cleared (DF and the reserved bit as they were), checksum recomputed, packet length right, its
     * packet-header fields those of that fragment. Otherwise the fragment is held, or dropped and counted
     * (see the class comment), and NULL returned. A packet that is not a fragment (MF clear, offset 0) is
     * returned as it is and not counted.
     *
     * @param fragment a whole frame: {@code l3Offset} bytes of link header, then an IPv4 fragment whose header
     *                 the caller has checked ({@link Ipv4Header#check}); bytes past its total length (Ethernet
     *                 padding) are trimmed
     * @param l3Offset bytes of link header, 0..{@link #MAX_L3_OFFSET}
     * @param nowNanos the caller's clock, the same one it gives {@link #expire}
     * @return the reassembled datagram, or NULL
     * @throws IllegalArgumentException when {@code l3Offset} is out of range (a bug in the caller)
     */
    public int add(Pbufs p, int fragment, int l3Offset, long nowNanos) {
        if (l3Offset < 0 || l3Offset > MAX_L3_OFFSET) {
            throw new IllegalArgumentException("l3Offset=" + l3Offset + " must be 0.." + MAX_L3_OFFSET);
        }
        int frameLength = p.pktLen(fragment);
        if (frameLength < l3Offset + Ipv4Header.MIN_HEADER_LENGTH) {
            counters.inc(Mib.ipReasmReqds);
            return drop(p, fragment, InetDrop.REASM_BAD_FRAGMENT);
        }
        if (p.len(fragment) < l3Offset + Ipv4Header.MIN_HEADER_LENGTH) {
            fragment = p.pullup(fragment, l3Offset + Ipv4Header.MIN_HEADER_LENGTH); // long enough: cannot fail
        }
        MemorySegment seg = p.segment();
        long ip = p.address(fragment) + l3Offset;
        int flagsFragment = Ipv4Header.flagsFragment(seg, ip);
        boolean mf = (flagsFragment & Ipv4Header.FLAG_MF) != 0;
        int off = (flagsFragment & Ipv4Header.FRAGMENT_OFFSET_MASK) * 8;
        if (!mf && off == 0) {
            return fragment;
        }
        counters.inc(Mib.ipReasmReqds);
        int hlen = Ipv4Header.headerLength(seg, ip);
        if (Ipv4Header.version(seg, ip) != 4 || hlen < Ipv4Header.MIN_HEADER_LENGTH
            || frameLength < l3Offset + hlen) {
            return drop(p, fragment, InetDrop.REASM_BAD_FRAGMENT);
        }
        if (p.len(fragment) < l3Offset + hlen) {
            fragment = p.pullup(fragment, l3Offset + hlen);
            ip = p.address(fragment) + l3Offset;
        }
        int totalLength = Ipv4Header.totalLength(seg, ip);
        if (totalLength < hlen || totalLength > frameLength - l3Offset) {
            return drop(p, fragment, InetDrop.REASM_BAD_FRAGMENT);
        }
        if (totalLength < frameLength - l3Offset) {
            fragment = p.adj(fragment, -(frameLength - l3Offset - totalLength));
        }
        p.setNextPkt(fragment, NULL);
        p.setLayerOffsets(fragment, 0, l3Offset, l3Offset + hlen);

        int s = Ipv4Header.src(seg, ip);
        int d = Ipv4Header.dst(seg, ip);
        int ip4 = Ipv4Header.identification(seg, ip) << 16 | Ipv4Header.protocol(seg, ip);
        int hash = hash(s, d, ip4);
        int slot = lookup(s, d, ip4, hash);
        int len = totalLength - hlen;
        int fragEnd = off + len;
        if (len == 0 || mf && (len & 7) != 0 || fragEnd > MAX_DATAGRAM - hlen) {
            return dropAll(p, slot, fragment, InetDrop.REASM_BAD_FRAGMENT);
        }
        int n = p.count(fragment);
        if (slot == NONE) {
            if (datagrams == maxDatagrams) {
                return drop(p, fragment, InetDrop.REASM_LIMIT);
            }
            if (n > maxPbufs - pbufsHeld) {
                return drop(p, fragment, InetDrop.REASM_PBUF_LIMIT);
            }
            slot = open(s, d, ip4, hash, nowNanos);
            head[slot] = fragment;
            tail[slot] = fragment;
            tailEnd[slot] = fragEnd;
            end[slot] = mf ? -1 : fragEnd;
            bytes[slot] = len;
            fragments[slot] = 1;
            pbufs[slot] = n;
            pbufsHeld += n;
            return NULL; // one fragment alone never completes: it lacks its start or its end
        }

        // Where it goes: after prev, before cur. In-order arrivals skip the walk.
        int prev;
        int cur;
        if (tailEnd[slot] <= off) {
            prev = tail[slot];
            cur = NULL;
        } else {
            prev = NULL;
            cur = head[slot];
            while (cur != NULL && offsetOf(p, cur) < off) {
                prev = cur;
                cur = p.nextPkt(cur);
            }
            if (prev != NULL && endOf(p, prev) > off) {
                return dropAll(p, slot, fragment, InetDrop.REASM_OVERLAP);
            }
            if (cur != NULL && offsetOf(p, cur) < fragEnd) {
                if (offsetOf(p, cur) == off && endOf(p, cur) == fragEnd && moreFragments(p, cur) == mf
                    && samePayload(p, cur, fragment, len)) {
                    return drop(p, fragment, InetDrop.REASM_DUPLICATE);
                }
                return dropAll(p, slot, fragment, InetDrop.REASM_OVERLAP);
            }
        }
        int known = end[slot];
        boolean inconsistent = mf
            ? known >= 0 && fragEnd > known // data past the end a last fragment set
            : known >= 0 && known != fragEnd || tailEnd[slot] > fragEnd; // a second end, or data past this one
        if (inconsistent) {
            return dropAll(p, slot, fragment, InetDrop.REASM_BAD_FRAGMENT);
        }
        if (fragments[slot] >= maxFragments) {
            return dropAll(p, slot, fragment, InetDrop.REASM_LIMIT);
        }
        int newEnd = mf ? known : fragEnd;
        boolean completes = newEnd >= 0 && bytes[slot] + len == newEnd;
        if (!completes && n > maxPbufs - pbufsHeld) {
            return dropAll(p, slot, fragment, InetDrop.REASM_PBUF_LIMIT);
        }
        if (prev == NULL) {
            p.setNextPkt(fragment, head[slot]);
            head[slot] = fragment;
        } else {
            p.setNextPkt(fragment, cur);
            p.setNextPkt(prev, fragment);
        }
        if (cur == NULL) {
            tail[slot] = fragment;
            tailEnd[slot] = fragEnd;
        }
        end[slot] = newEnd;
        bytes[slot] += len;
        fragments[slot]++;
        pbufs[slot] += n;
        pbufsHeld += n;
        return completes ? complete(p, slot) : NULL;
    }

    /**
     * Discards the datagrams whose first fragment arrived {@code timeoutNanos} or more before {@code nowNanos},
     * oldest first, each counted under {@link InetDrop#REASM_TIMEOUT}. Call it from the stage's duty cycle;
     * {@link #add} does not expire anything by itself.
     *
     * <p>Ownership: for each datagram that holds its fragment at offset 0, {@code listener} is given that
     * fragment and owns it (a null listener frees it); every other fragment is freed. The datagram has left
     * the reassembler when the listener runs.
     *
     * @return the number of datagrams discarded
     */
    public int expire(Pbufs p, long nowNanos, ExpiredListener listener) {
        int n = 0;
        while (oldest != NONE && nowNanos - created[oldest] >= timeoutNanos) {
            int slot = oldest;
            int h = head[slot];
            int first = NULL;
            if (offsetOf(p, h) == 0) {
                first = h;
                h = p.nextPkt(first);
                p.setNextPkt(first, NULL);
            }
            freeFragments(p, h);
            close(slot);
            counters.drop(InetDrop.REASM_TIMEOUT);
            n++;
            if (first != NULL) {
                if (listener != null) {
                    listener.expired(p, first);
                } else {
                    p.freem(first);
                }
            }
        }
        return n;
    }

    /**
     * Frees every fragment held, for shutdown; nothing is counted.
     *
     * @return the number of fragments (packets) freed
     */
    public int freeAll(Pbufs p) {
        int n = 0;
        while (oldest != NONE) {
            int slot = oldest;
            n += freeFragments(p, head[slot]);
            close(slot);
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------

    /** Strips the headers of every fragment after the first, concatenates, and rewrites the IP header. */
    private int complete(Pbufs p, int slot) {
        int h = head[slot];
        int payload = end[slot];
        close(slot);
        MemorySegment seg = p.segment();
        long ip = p.address(h) + p.l3Offset(h);
        int hlen = Ipv4Header.headerLength(seg, ip);
        if (hlen + payload > MAX_DATAGRAM) { // a first fragment with more options than the others allowed for
            freeFragments(p, h);
            counters.drop(InetDrop.REASM_BAD_FRAGMENT);
            return NULL;
        }
        int f = p.nextPkt(h);
        p.setNextPkt(h, NULL);
        while (f != NULL) {
            int next = p.nextPkt(f);
            p.setNextPkt(f, NULL);
            p.cat(h, p.adj(f, p.l4Offset(f)));
            f = next;
        }
        Ipv4Header.setTotalLength(seg, ip, hlen + payload);
        Ipv4Header.setFlagsFragment(seg, ip, Ipv4Header.flagsFragment(seg, ip) & KEEP_FLAGS);
        Ipv4Header.fillChecksum(seg, ip);
        counters.inc(Mib.ipReasmOKs);
        return h;
    }

    /** Frees a list of fragments linked through nextpkt; returns how many. */
    private static int freeFragments(Pbufs p, int h) {
        int n = 0;
        while (h != NULL) {
            int next = p.nextPkt(h);
            p.setNextPkt(h, NULL);
            p.freem(h);
            h = next;
            n++;
        }
        return n;
    }

    private int drop(Pbufs p, int fragment, InetDrop reason) {
        p.freem(fragment);
        counters.drop(reason);
        return NULL;
    }

    /** Drops the fragment and, when it has one in reassembly, its datagram: one drop, counted once. */
    private int dropAll(Pbufs p, int slot, int fragment, InetDrop reason) {
        if (slot != NONE) {
            freeFragments(p, head[slot]);
            close(slot);
        }
        return drop(p, fragment, reason);
    }

    private long ipOf(Pbufs p, int h) {
        return p.address(h) + p.l3Offset(h);
    }

    private int offsetOf(Pbufs p, int h) {
        return Ipv4Header.fragmentOffset(p.segment(), ipOf(p, h));
    }

    private int endOf(Pbufs p, int h) {
        MemorySegment seg = p.segment();
        long ip = ipOf(p, h);
        return Ipv4Header.fragmentOffset(seg, ip) + Ipv4Header.totalLength(seg, ip) - Ipv4Header.headerLength(seg, ip);
    }

    private boolean moreFragments(Pbufs p, int h) {
        return Ipv4Header.moreFragments(p.segment(), ipOf(p, h));
    }

    /** Whether the {@code len} payload bytes of two fragments (after their l4 offsets) are equal. */
    private static boolean samePayload(Pbufs p, int a, int b, int len) {
        MemorySegment seg = p.segment();
        int aOff = p.l4Offset(a);
        int bOff = p.l4Offset(b);
        while (aOff >= p.len(a)) {
            aOff -= p.len(a);
            a = p.next(a);
        }
        while (bOff >= p.len(b)) {
            bOff -= p.len(b);
            b = p.next(b);
        }
        while (len > 0) {
            int m = Math.min(len, Math.min(p.len(a) - aOff, p.len(b) - bOff));
            long x = p.address(a) + aOff;
            long y = p.address(b) + bOff;
            if (MemorySegment.mismatch(seg, x, x + m, seg, y, y + m) != -1) {
                return false;
            }
            len -= m;
            aOff += m;
            bOff += m;
            if (len > 0 && aOff == p.len(a)) {
                a = p.next(a);
                aOff = 0;
            }
            if (len > 0 && bOff == p.len(b)) {
                b = p.next(b);
                bOff = 0;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // Slots, the age list and the hash table
    // ------------------------------------------------------------------------------------------------

    private int open(int s, int d, int ip4, int hash, long now) {
        int slot = freeSlots[--freeTop];
        src[slot] = s;
        dst[slot] = d;
        idProto[slot] = ip4;
        hashes[slot] = hash;
        created[slot] = now;
        older[slot] = newest;
        newer[slot] = NONE;
        if (newest != NONE) {
            newer[newest] = slot;
        } else {
            oldest = slot;
        }
        newest = slot;
        int i = hash & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = slot + 1;
        datagrams++;
        return slot;
    }

    /** Takes the slot out of the table and the age list and returns it to the free stack. */
    private void close(int slot) {
        int o = older[slot];
        int y = newer[slot];
        if (o != NONE) {
            newer[o] = y;
        } else {
            oldest = y;
        }
        if (y != NONE) {
            older[y] = o;
        } else {
            newest = o;
        }
        int i = hashes[slot] & mask;
        while (table[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: move up every later entry of the run that may sit at the hole.
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int e = table[j];
            if (e == 0) {
                break;
            }
            int home = hashes[e - 1] & mask;
            // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
            boolean homeBetween = i <= j ? home > i && home <= j : home > i || home <= j;
            if (!homeBetween) {
                table[i] = e;
                i = j;
            }
        }
        table[i] = 0;
        pbufsHeld -= pbufs[slot];
        head[slot] = NULL;
        tail[slot] = NULL;
        freeSlots[freeTop++] = slot;
        datagrams--;
    }

    private int lookup(int s, int d, int ip4, int hash) {
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            int e = table[i];
            if (e == 0) {
                return NONE;
            }
            int slot = e - 1;
            if (hashes[slot] == hash && src[slot] == s && dst[slot] == d && idProto[slot] == ip4) {
                return slot;
            }
        }
    }

    private int hash(int s, int d, int ip4) {
        long x = ((long) s << 32 | (d & 0xFFFF_FFFFL)) ^ seed;
        x = mix(x) ^ (ip4 & 0xFFFF_FFFFL);
        return (int) (mix(x + seed) >>> 32);
    }

    /** The finaliser of MurmurHash3 (fmix64): every input bit reaches every output bit. */
    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xFF51_AFD7_ED55_8CCDL;
        x ^= x >>> 33;
        x *= 0xC4CE_B9FE_1A85_EC53L;
        x ^= x >>> 33;
        return x;
    }
}
