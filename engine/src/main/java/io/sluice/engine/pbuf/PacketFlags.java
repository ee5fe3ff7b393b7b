package io.sluice.engine.pbuf;

/**
 * Bits of a packet's {@link Pbufs#pktFlags} word that a receive port sets and the protocols read.
 *
 * <p>The two checksum bits carry what Linux tells AF_PACKET about a frame's transport checksum (the
 * {@code TP_STATUS_CSUMNOTREADY} and {@code TP_STATUS_CSUM_VALID} bits of {@code tp_status}), as its own stack
 * uses {@code skb->ip_summed}. A frame from a peer namespace on the same host (a veth) leaves its kernel with
 * checksum offload: the UDP or TCP checksum field holds only the pseudo-header's sum and the bytes never
 * crossed a wire, so verifying it would drop every such datagram. Transports skip the check when either bit
 * is set, as Linux does for CHECKSUM_PARTIAL and CHECKSUM_UNNECESSARY.
 */
public final class PacketFlags {
    /** The transport checksum was left to offload and never computed: the frame came from a local kernel. */
    public static final int CSUM_PARTIAL = 1 << 0;
    /** The kernel or the NIC verified the transport checksum. */
    public static final int CSUM_VALID = 1 << 1;
    /** Either: the transport need not verify the checksum. */
    public static final int CSUM_TRUSTED = CSUM_PARTIAL | CSUM_VALID;

    private PacketFlags() {
    }
}
