package io.sluice.engine.pbuf;

/**
 * The layer a packet is allocated at, which fixes the headroom left in front of its first byte.
 *
 * <p>Policy: each layer reserves room for the largest header that every layer below it may prepend, so that
 * a packet built at a layer never needs a new pbuf on its way down. Ethernet with one 802.1Q tag is
 * 18 bytes; an IPv4 header with options is at most 60; a TCP header with options is at most 60. UDP (8) and
 * ICMP (8) fit in the transport room. Receive paths use {@link #RAW}: the frame fills the pbuf from the first
 * byte of its data area and headers are stripped by moving the data offset forward.
 */
public enum Layer {
    /** No headroom: received frames, raw data. */
    RAW(0),
    /** Room for a link header: Ethernet with one VLAN tag. */
    LINK(18),
    /** Room for an IPv4 header with options and the link header. */
    IP(18 + 60),
    /** Room for a TCP header with options, the IPv4 header and the link header. */
    TRANSPORT(18 + 60 + 60);

    private final int headroom;

    Layer(int headroom) {
        this.headroom = headroom;
    }

    /** Bytes left free in front of the data in the first pbuf. */
    public int headroom() {
        return headroom;
    }
}
