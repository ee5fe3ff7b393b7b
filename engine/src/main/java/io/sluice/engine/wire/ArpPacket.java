package io.sluice.engine.wire;

import static io.sluice.engine.wire.NetworkOrder.*;

import java.lang.foreign.MemorySegment;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826), the only kind handled: hardware type 1, protocol type
 * 0x0800, 6-byte hardware and 4-byte protocol addresses, so every field sits at a fixed offset.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     hardware type (1)         |   protocol type (0x0800)      |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    hlen (6)   |    plen (4)   |          operation            |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               sender hardware address (sha) ...               |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       ... sha                 |  sender protocol address (spa) 14
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       ... spa                 |  target hardware address (tha) 18
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             ... tha                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               target protocol address (tpa)                   | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Views over {@code (segment, offset)}: call {@link #check} once on a received packet; after {@link
 * WireError#OK} every getter reads inside the 28 checked bytes. Setters and {@link #write} do not check.
 */
public final class ArpPacket {
    /** Offset of the hardware type. */
    public static final int HTYPE_OFFSET = 0;
    /** Offset of the protocol type. */
    public static final int PTYPE_OFFSET = 2;
    /** Offset of the hardware address length. */
    public static final int HLEN_OFFSET = 4;
    /** Offset of the protocol address length. */
    public static final int PLEN_OFFSET = 5;
    /** Offset of the operation. */
    public static final int OPERATION_OFFSET = 6;
    /** Offset of the sender hardware address. */
    public static final int SHA_OFFSET = 8;
    /** Offset of the sender protocol address. */
    public static final int SPA_OFFSET = 14;
    /** Offset of the target hardware address. */
    public static final int THA_OFFSET = 18;
    /** Offset of the target protocol address. */
    public static final int TPA_OFFSET = 24;
    /** Bytes of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    /** Hardware type of Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** Protocol type of IPv4 (its EtherType). */
    public static final int PTYPE_IPV4 = EthernetFrame.ETHERTYPE_IPV4;
    /** Operation: who has the target protocol address? */
    public static final int OP_REQUEST = 1;
    /** Operation: the sender has it. */
    public static final int OP_REPLY = 2;

    private static final int HLEN_ETHERNET = 6;
    private static final int PLEN_IPV4 = 4;

    private ArpPacket() {
    }

    /**
     * Checks that {@code available} bytes at {@code off} hold an Ethernet/IPv4 ARP request or reply: at least
     * 28 bytes (more is Ethernet padding), hardware type 1, protocol type 0x0800, lengths 6 and 4, and
     * operation 1 or 2.
     */
    public static WireError check(MemorySegment seg, long off, int available) {
        if (available < LENGTH) {
            return WireError.ARP_TOO_SHORT;
        }
        if (u16(seg, off + HTYPE_OFFSET) != HTYPE_ETHERNET) {
            return WireError.ARP_BAD_HTYPE;
        }
        if (u16(seg, off + PTYPE_OFFSET) != PTYPE_IPV4) {
            return WireError.ARP_BAD_PTYPE;
        }
        if (u8(seg, off + HLEN_OFFSET) != HLEN_ETHERNET) {
            return WireError.ARP_BAD_HLEN;
        }
        if (u8(seg, off + PLEN_OFFSET) != PLEN_IPV4) {
            return WireError.ARP_BAD_PLEN;
        }
        int op = u16(seg, off + OPERATION_OFFSET);
        if (op != OP_REQUEST && op != OP_REPLY) {
            return WireError.ARP_BAD_OPERATION;
        }
        return WireError.OK;
    }

    /** The operation: {@link #OP_REQUEST} or {@link #OP_REPLY}. */
    public static int operation(MemorySegment seg, long off) {
        return u16(seg, off + OPERATION_OFFSET);
    }

    /** The sender's MAC (sha). */
    public static long senderMac(MemorySegment seg, long off) {
        return u48(seg, off + SHA_OFFSET);
    }

    /** The sender's IPv4 address (spa). */
    public static int senderIp(MemorySegment seg, long off) {
        return u32(seg, off + SPA_OFFSET);
    }

    /** The target's MAC (tha); zero or ignored in a request. */
    public static long targetMac(MemorySegment seg, long off) {
        return u48(seg, off + THA_OFFSET);
    }

    /** The target's IPv4 address (tpa). */
    public static int targetIp(MemorySegment seg, long off) {
        return u32(seg, off + TPA_OFFSET);
    }

    /**
     * Writes a whole Ethernet/IPv4 ARP packet. A reply built in place from a request is
     * {@code write(seg, off, OP_REPLY, ourMac, ourIp, requesterMac, requesterIp)} (RFC 826, "Packet Reception").
     *
     * @return the bytes written, {@link #LENGTH}
     */
    public static int write(MemorySegment seg, long off, int operation, long senderMac, int senderIp,
                            long targetMac, int targetIp) {
        setU16(seg, off + HTYPE_OFFSET, HTYPE_ETHERNET);
        setU16(seg, off + PTYPE_OFFSET, PTYPE_IPV4);
        setU8(seg, off + HLEN_OFFSET, HLEN_ETHERNET);
        setU8(seg, off + PLEN_OFFSET, PLEN_IPV4);
        setU16(seg, off + OPERATION_OFFSET, operation);
        setU48(seg, off + SHA_OFFSET, senderMac);
        setU32(seg, off + SPA_OFFSET, senderIp);
        setU48(seg, off + THA_OFFSET, targetMac);
        setU32(seg, off + TPA_OFFSET, targetIp);
        return LENGTH;
    }
}
