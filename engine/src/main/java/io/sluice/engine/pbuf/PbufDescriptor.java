package io.sluice.engine.pbuf;

/**
 * The layout of one pbuf slot in the arena. Every offset into a slot is defined here and nowhere else.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    next (handle, 0 = none)                    |  0
 *  +---------------------------------------------------------------+
 *  |                   nextpkt (handle, 0 = none)                  |  4
 *  +-------------------------------+-------------------------------+
 *  |   data (offset in the slot)   |        len (bytes here)       |  8
 *  +---------------+---------------+---------------+---------------+
 *  |     type      |     flags     |     state     |   pkt.txif    | 12
 *  +---------------+---------------+---------------+---------------+
 *  |          generation           |      owner (stage id)         | 16
 *  +-------------------------------+-------------------------------+
 *  |              pkt.len (total bytes of the packet)              | 20   packet header:
 *  +-------------------------------+-------------------------------+      valid only when
 *  |           pkt.rcvif           |           pkt.flags           | 24   flags has PKTHDR,
 *  +-------------------------------+-------------------------------+      that is on the
 *  |         pkt.l2 offset         |         pkt.l3 offset         | 28   first pbuf of a
 *  +-------------------------------+-------------------------------+      packet
 *  |         pkt.l4 offset         |          pkt.vlan tci         | 32
 *  +-------------------------------+-------------------------------+
 *  |                pkt.hash (flow hash, for fan-out)              | 36
 *  +---------------------------------------------------------------+
 *  |                pkt.timestamp (ns, receive time)               | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 data area: PHLEN = 464 bytes                  | 48 .. 511
 *  ~                                                               ~
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The header sits in the slot itself, as in the BSD mbuf, so a pbuf is one 512-byte, cache-line aligned
 * block: the header and the first 16 bytes of data share the first cache line. All multi-byte fields are in
 * native byte order; the data area holds wire bytes.
 *
 * <p>While a slot is on a free list its {@code next} field links the slots of one chunk (index + 1) and
 * {@code nextpkt} links chunks, so the free list needs no memory of its own.
 */
public final class PbufDescriptor {
    /** Bytes in one slot. A power of two, so that a slot's base is {@code index << SLOT_SHIFT}. */
    public static final int SLOT_SIZE = 512;
    public static final int SLOT_SHIFT = 9;

    public static final int NEXT_OFFSET = 0;
    public static final int NEXTPKT_OFFSET = 4;
    public static final int DATA_OFFSET = 8;
    public static final int LEN_OFFSET = 10;
    public static final int TYPE_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int STATE_OFFSET = 14;
    /**
     * The output port a routing step chose for the packet (first pbuf only, like the packet header): the transmit
     * demultiplexer of a pipeline with several output ports reads it. One byte, so at most 256 output ports. It sits
     * in the per-pbuf word so that {@link PbufArena#initialise} clears it with the same store as the data offset.
     */
    public static final int PKT_TXIF_OFFSET = 15;
    public static final int GENERATION_OFFSET = 16;
    public static final int OWNER_OFFSET = 18;

    public static final int PKT_LEN_OFFSET = 20;
    public static final int PKT_RCVIF_OFFSET = 24;
    public static final int PKT_FLAGS_OFFSET = 26;
    public static final int PKT_L2_OFFSET = 28;
    public static final int PKT_L3_OFFSET = 30;
    public static final int PKT_L4_OFFSET = 32;
    public static final int PKT_VLAN_OFFSET = 34;
    public static final int PKT_HASH_OFFSET = 36;
    public static final int PKT_TIMESTAMP_OFFSET = 40;
    /** First byte and length of the packet-header fields, copied as a block when a packet header moves. */
    public static final int PKTHDR_OFFSET = PKT_LEN_OFFSET;
    public static final int PKTHDR_LENGTH = 28;

    /** Size of the slot header; the data area starts here. */
    public static final int HEADER_LENGTH = 48;
    /** Bytes of data one pbuf can hold: 512 minus the header. */
    public static final int PHLEN = SLOT_SIZE - HEADER_LENGTH;

    /** {@code flags}: this pbuf is the first of a packet and its packet-header fields are valid. */
    public static final int F_PKTHDR = 0x01;

    /** {@code state} of a slot that is free (in a thread cache or on a shared free list). */
    public static final byte STATE_FREE = 0;
    /** {@code state} of a slot handed out by the pool. */
    public static final byte STATE_ALLOCATED = 0x5A;

    /** Byte written over the data area of a freed slot in checked mode, so stale reads stand out. */
    public static final byte POISON = (byte) 0xDB;

    private PbufDescriptor() {
    }

    /** Offset in the arena of the first byte of slot {@code index}. */
    public static long slotBase(int index) {
        return (long) index << SLOT_SHIFT;
    }

    static {
        if (HEADER_LENGTH != PKTHDR_OFFSET + PKTHDR_LENGTH || (1 << SLOT_SHIFT) != SLOT_SIZE) {
            throw new ExceptionInInitializerError("pbuf layout is inconsistent: HEADER_LENGTH=" + HEADER_LENGTH
                + " PKTHDR_OFFSET+PKTHDR_LENGTH=" + (PKTHDR_OFFSET + PKTHDR_LENGTH));
        }
    }
}
