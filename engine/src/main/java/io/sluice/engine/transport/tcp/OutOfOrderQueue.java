package io.sluice.engine.transport.tcp;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;

/**
 * The segments a connection received beyond RCV.NXT, kept until the gap before them fills (RFC 9293 3.10.7.4,
 * seventh check: "segments with higher beginning sequence numbers SHOULD be held"). Bounded in segments and in
 * pbufs: a segment that does not fit is dropped and counted, and the sender retransmits it.
 *
 * <p>Entries are sorted by sequence number and never overlap: a new segment is trimmed against its neighbours
 * (the bytes already held win), and entries it covers whole are replaced. Parallel primitive arrays: nothing is
 * allocated per segment.
 */
final class OutOfOrderQueue {
    private final int[] seqs;
    private final int[] lens;
    private final int[] chains;
    private final int[] pbufs;
    /** Whether the segment ended with a FIN, which then follows its last byte. */
    private final boolean[] fins;
    private final int maxPbufs;
    private int count;
    private int heldPbufs;

    OutOfOrderQueue(int maxSegments, int maxPbufs) {
        this.seqs = new int[maxSegments];
        this.lens = new int[maxSegments];
        this.chains = new int[maxSegments];
        this.pbufs = new int[maxSegments];
        this.fins = new boolean[maxSegments];
        this.maxPbufs = maxPbufs;
    }

    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Result of {@link #insert}. */
    static final int QUEUED = 0;
    static final int DUPLICATE = 1;
    static final int FULL = 2;

    /**
     * Holds {@code len} bytes at {@code seq} ({@code len > 0}), followed by a FIN when {@code fin}. Takes the
     * chain in every case: queued, or freed when it is a duplicate or there is no room.
     */
    int insert(Pbufs p, int seq, int len, int chain, boolean fin) {
        int i = 0;
        while (i < count && TcpSeq.leq(seqs[i], seq)) {
            i++;
        }
        if (i > 0) {
            int prevEnd = seqs[i - 1] + lens[i - 1];
            if (TcpSeq.geq(prevEnd, seq + len)) {
                if (fin && prevEnd == seq + len) {
                    fins[i - 1] = true;
                }
                p.freem(chain);
                return DUPLICATE;
            }
            if (TcpSeq.gt(prevEnd, seq)) {
                int d = prevEnd - seq;
                chain = p.adj(chain, d);
                seq += d;
                len -= d;
            }
        }
        while (i < count && TcpSeq.lt(seqs[i], seq + len)) {
            int end = seqs[i] + lens[i];
            if (TcpSeq.leq(end, seq + len)) {
                fin |= fins[i] && end == seq + len;
                remove(p, i, true); // covered whole by the new segment
            } else {
                int keep = seqs[i] - seq;
                chain = p.adj(chain, -(len - keep));
                len = keep;
                fin = false; // a FIN inside data held already is bogus
                break;
            }
        }
        int n = p.count(chain);
        if (count == seqs.length || heldPbufs + n > maxPbufs) {
            p.freem(chain);
            return FULL;
        }
        System.arraycopy(seqs, i, seqs, i + 1, count - i);
        System.arraycopy(lens, i, lens, i + 1, count - i);
        System.arraycopy(chains, i, chains, i + 1, count - i);
        System.arraycopy(pbufs, i, pbufs, i + 1, count - i);
        System.arraycopy(fins, i, fins, i + 1, count - i);
        seqs[i] = seq;
        lens[i] = len;
        chains[i] = chain;
        pbufs[i] = n;
        fins[i] = fin;
        count++;
        heldPbufs += n;
        return QUEUED;
    }

    /** Sequence number of the first held segment; valid when not empty. */
    int firstSeq() {
        return seqs[0];
    }

    int firstLen() {
        return lens[0];
    }

    /** Whether a FIN follows the first held segment. */
    boolean firstFin() {
        return fins[0];
    }

    /** Removes the first segment and returns its chain: the caller owns it. */
    int takeFirst(Pbufs p) {
        int c = chains[0];
        remove(p, 0, false);
        return c;
    }

    private void remove(Pbufs p, int i, boolean free) {
        if (free) {
            p.freem(chains[i]);
        }
        heldPbufs -= pbufs[i];
        count--;
        System.arraycopy(seqs, i + 1, seqs, i, count - i);
        System.arraycopy(lens, i + 1, lens, i, count - i);
        System.arraycopy(chains, i + 1, chains, i, count - i);
        System.arraycopy(pbufs, i + 1, pbufs, i, count - i);
        System.arraycopy(fins, i + 1, fins, i, count - i);
        chains[count] = PbufHandle.NULL;
    }

    /** Frees everything held. */
    void clear(Pbufs p) {
        for (int i = 0; i < count; i++) {
            p.freem(chains[i]);
            chains[i] = PbufHandle.NULL;
        }
        count = 0;
        heldPbufs = 0;
    }
}
