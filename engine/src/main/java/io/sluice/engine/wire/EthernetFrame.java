package io.sluice.engine.wire;

import static io.sluice.engine.wire.NetworkOrder.*;

import java.lang.foreign.MemorySegment;

/**
 * An Ethernet II frame header, untagged or with one IEEE 802.1Q tag, without the FCS (NICs strip it).
 *
 * <pre>
 * offset  0               6               12      14
 *         +---------------+---------------+-------+---------------
 *         |  destination  |    source     | type  | payload ...
 *         +---------------+---------------+-------+---------------
 * 802.1Q: |  destination  |    source     |0x8100 |  TCI  | type  | payload ...
 *                                         12      14      16      18
 * TCI:    | PCP (3 bits) | DEI (1 bit) | VLAN id (12 bits) |
 * </pre>
 *
 * <p>Views over {@code (segment, offset)}: call {@link #check} once on a received frame; after {@link
 * WireError#OK} no getter reads outside the {@link #headerLength} bytes. Setters and {@link #write} do not
 * check, for emitting into a pbuf the caller has sized. MAC addresses are the 48 bits in the low bits of a
 * {@code long} ({@link MacAddress} formats and parses them).
 */
public final class EthernetFrame {
    /** Offset of the destination MAC. */
    public static final int DST_OFFSET = 0;
    /** Offset of the source MAC. */
    public static final int SRC_OFFSET = 6;
    /** Offset of the EtherType, or of the TPID 0x8100 in a tagged frame. */
    public static final int ETHERTYPE_OFFSET = 12;
    /** Offset of the 802.1Q tag control information (tagged frames). */
    public static final int VLAN_TCI_OFFSET = 14;
    /** Offset of the inner EtherType (tagged frames). */
    public static final int VLAN_ETHERTYPE_OFFSET = 16;
    /** Bytes of an untagged header. */
    public static final int HEADER_LENGTH = 14;
    /** Bytes of a header with one 802.1Q tag. */
    public static final int VLAN_HEADER_LENGTH = 18;
    /**
     * The smallest frame on the wire without its FCS (64 with it, IEEE 802.3 4.4.2): shorter frames are padded
     * with zeros when sent. Received frames may be shorter (a veth or loopback delivers them unpadded), so
     * {@link #check} does not enforce it.
     */
    public static final int MIN_FRAME_LENGTH = 60;

    /** EtherType of IPv4 (RFC 894). */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType of ARP (RFC 826). */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** TPID of an IEEE 802.1Q tag, in the EtherType position. */
    public static final int ETHERTYPE_VLAN = 0x8100;

    private EthernetFrame() {
    }

    /**
     * Checks that {@code available} bytes at {@code off} hold a whole header: 14 bytes, or 18 when the frame
     * carries an 802.1Q tag.
     */
    public static WireError check(MemorySegment seg, long off, int available) {
        if (available < HEADER_LENGTH) {
            return WireError.ETH_TOO_SHORT;
        }
        if (u16(seg, off + ETHERTYPE_OFFSET) == ETHERTYPE_VLAN && available < VLAN_HEADER_LENGTH) {
            return WireError.ETH_VLAN_TOO_SHORT;
        }
        return WireError.OK;
    }

    /** The destination MAC. */
    public static long dst(MemorySegment seg, long off) {
        return u48(seg, off + DST_OFFSET);
    }

    /** The source MAC. */
    public static long src(MemorySegment seg, long off) {
        return u48(seg, off + SRC_OFFSET);
    }

    /** The EtherType at offset 12: {@link #ETHERTYPE_VLAN} for a tagged frame (see {@link #payloadEthertype}). */
    public static int ethertype(MemorySegment seg, long off) {
        return u16(seg, off + ETHERTYPE_OFFSET);
    }

    /** Whether the frame carries an 802.1Q tag. */
    public static boolean isVlanTagged(MemorySegment seg, long off) {
        return ethertype(seg, off) == ETHERTYPE_VLAN;
    }

    /** The tag control information of a tagged frame (PCP, DEI, VLAN id). Tagged frames only. */
    public static int vlanTci(MemorySegment seg, long off) {
        return u16(seg, off + VLAN_TCI_OFFSET);
    }

    /** The 12-bit VLAN id of a tagged frame. Tagged frames only. */
    public static int vlanId(MemorySegment seg, long off) {
        return vlanTci(seg, off) & 0x0FFF;
    }

    /** The EtherType of the payload: the inner one of a tagged frame, else the one at offset 12. */
    public static int payloadEthertype(MemorySegment seg, long off) {
        int type = ethertype(seg, off);
        return type == ETHERTYPE_VLAN ? u16(seg, off + VLAN_ETHERTYPE_OFFSET) : type;
    }

    /** Bytes before the payload: 18 for a tagged frame, else 14. */
    public static int headerLength(MemorySegment seg, long off) {
        return isVlanTagged(seg, off) ? VLAN_HEADER_LENGTH : HEADER_LENGTH;
    }

    /** Sets the destination MAC. */
    public static void setDst(MemorySegment seg, long off, long mac) {
        setU48(seg, off + DST_OFFSET, mac);
    }

    /** Sets the source MAC. */
    public static void setSrc(MemorySegment seg, long off, long mac) {
        setU48(seg, off + SRC_OFFSET, mac);
    }

    /** Sets the EtherType at offset 12. */
    public static void setEthertype(MemorySegment seg, long off, int ethertype) {
        setU16(seg, off + ETHERTYPE_OFFSET, ethertype);
    }

    /**
     * Writes an untagged header.
     *
     * @return the bytes written, {@link #HEADER_LENGTH}
     */
    public static int write(MemorySegment seg, long off, long dstMac, long srcMac, int ethertype) {
        setDst(seg, off, dstMac);
        setSrc(seg, off, srcMac);
        setEthertype(seg, off, ethertype);
        return HEADER_LENGTH;
    }

    /**
     * Writes a header with one 802.1Q tag.
     *
     * @param tci the tag control information: PCP, DEI and VLAN id
     * @return the bytes written, {@link #VLAN_HEADER_LENGTH}
     */
    public static int writeTagged(MemorySegment seg, long off, long dstMac, long srcMac, int tci, int ethertype) {
        setDst(seg, off, dstMac);
        setSrc(seg, off, srcMac);
        setEthertype(seg, off, ETHERTYPE_VLAN);
        setU16(seg, off + VLAN_TCI_OFFSET, tci);
        setU16(seg, off + VLAN_ETHERTYPE_OFFSET, ethertype);
        return VLAN_HEADER_LENGTH;
    }
}
