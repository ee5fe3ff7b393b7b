package io.sluice.nativeio.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The C structs of AF_PACKET and the interface ioctls, as {@link StructLayout}s with their field offsets
 * derived from them (so that padding is where the C compiler puts it). The data path reads and writes the
 * rings with these offsets and plain {@code ValueLayout} accesses.
 */
public final class Structs {
    private Structs() {
    }

    private static long offset(StructLayout s, String... path) {
        MemoryLayout.PathElement[] p = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = groupElement(path[i]);
        }
        return s.byteOffset(p);
    }

    /** {@code struct tpacket_req3}: the geometry passed with PACKET_RX_RING and PACKET_TX_RING (V3). */
    public static final class TpacketReq3 {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_block_size"),
            JAVA_INT.withName("tp_block_nr"),
            JAVA_INT.withName("tp_frame_size"),
            JAVA_INT.withName("tp_frame_nr"),
            JAVA_INT.withName("tp_retire_blk_tov"),
            JAVA_INT.withName("tp_sizeof_priv"),
            JAVA_INT.withName("tp_feature_req_word")).withName("tpacket_req3");
        public static final long BLOCK_SIZE = offset(LAYOUT, "tp_block_size");
        public static final long BLOCK_NR = offset(LAYOUT, "tp_block_nr");
        public static final long FRAME_SIZE = offset(LAYOUT, "tp_frame_size");
        public static final long FRAME_NR = offset(LAYOUT, "tp_frame_nr");
        public static final long RETIRE_BLK_TOV = offset(LAYOUT, "tp_retire_blk_tov");
        public static final long SIZEOF_PRIV = offset(LAYOUT, "tp_sizeof_priv");
        public static final long FEATURE_REQ_WORD = offset(LAYOUT, "tp_feature_req_word");

        private TpacketReq3() {
        }
    }

    /**
     * {@code struct tpacket_block_desc} with its {@code tpacket_hdr_v1}: the head of each V3 receive block.
     * The kernel hands a block over by setting {@code block_status} to TP_STATUS_USER; user space gives it
     * back with TP_STATUS_KERNEL.
     */
    public static final class TpacketBlockDesc {
        private static final StructLayout TS = MemoryLayout.structLayout(
            JAVA_INT.withName("ts_sec"), JAVA_INT.withName("ts_nsec"));
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("version"),
            JAVA_INT.withName("offset_to_priv"),
            MemoryLayout.structLayout(
                JAVA_INT.withName("block_status"),
                JAVA_INT.withName("num_pkts"),
                JAVA_INT.withName("offset_to_first_pkt"),
                JAVA_INT.withName("blk_len"),
                JAVA_LONG.withName("seq_num"),
                TS.withName("ts_first_pkt"),
                TS.withName("ts_last_pkt")).withName("bh1")).withName("tpacket_block_desc");
        public static final long BLOCK_STATUS = offset(LAYOUT, "bh1", "block_status");
        public static final long NUM_PKTS = offset(LAYOUT, "bh1", "num_pkts");
        public static final long OFFSET_TO_FIRST_PKT = offset(LAYOUT, "bh1", "offset_to_first_pkt");
        public static final long BLK_LEN = offset(LAYOUT, "bh1", "blk_len");
        public static final long SEQ_NUM = offset(LAYOUT, "bh1", "seq_num");

        private TpacketBlockDesc() {
        }
    }

    /**
     * {@code struct tpacket3_hdr}: the head of each V3 frame, received or transmitted. On transmit the frame's
     * data starts at {@link #TX_DATA} ({@code TPACKET3_HDRLEN - sizeof(struct sockaddr_ll)}) and the status
     * word is {@code tp_status}, not the first word as in V2.
     */
    public static final class Tpacket3Hdr {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_next_offset"),
            JAVA_INT.withName("tp_sec"),
            JAVA_INT.withName("tp_nsec"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_status"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            MemoryLayout.structLayout(
                JAVA_INT.withName("tp_rxhash"),
                JAVA_INT.withName("tp_vlan_tci"),
                JAVA_SHORT.withName("tp_vlan_tpid"),
                JAVA_SHORT.withName("tp_padding")).withName("hv1"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tp_padding")).withName("tpacket3_hdr");
        public static final long NEXT_OFFSET = offset(LAYOUT, "tp_next_offset");
        public static final long SEC = offset(LAYOUT, "tp_sec");
        public static final long NSEC = offset(LAYOUT, "tp_nsec");
        public static final long SNAPLEN = offset(LAYOUT, "tp_snaplen");
        public static final long LEN = offset(LAYOUT, "tp_len");
        public static final long STATUS = offset(LAYOUT, "tp_status");
        public static final long MAC = offset(LAYOUT, "tp_mac");
        public static final long NET = offset(LAYOUT, "tp_net");
        public static final long RXHASH = offset(LAYOUT, "hv1", "tp_rxhash");
        public static final long VLAN_TCI = offset(LAYOUT, "hv1", "tp_vlan_tci");
        public static final long VLAN_TPID = offset(LAYOUT, "hv1", "tp_vlan_tpid");

        /** {@code TPACKET3_HDRLEN}: the aligned header plus a {@code sockaddr_ll}. */
        public static final long HDRLEN = align(LAYOUT.byteSize()) + SockaddrLl.LAYOUT.byteSize();
        /** Where a transmitted frame's data starts (without PACKET_TX_HAS_OFF). */
        public static final long TX_DATA = HDRLEN - SockaddrLl.LAYOUT.byteSize();

        private Tpacket3Hdr() {
        }
    }

    /** {@code struct sockaddr_ll}: the address an AF_PACKET socket binds to. */
    public static final class SockaddrLl {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sll_family"),
            JAVA_SHORT.withName("sll_protocol"),
            JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"),
            JAVA_BYTE.withName("sll_pkttype"),
            JAVA_BYTE.withName("sll_halen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr")).withName("sockaddr_ll");
        public static final long FAMILY = offset(LAYOUT, "sll_family");
        public static final long PROTOCOL = offset(LAYOUT, "sll_protocol");
        public static final long IFINDEX = offset(LAYOUT, "sll_ifindex");
        public static final long PKTTYPE = offset(LAYOUT, "sll_pkttype");

        private SockaddrLl() {
        }
    }

    /**
     * {@code struct ifreq}: the interface name, then a union read here as an int (ifindex, MTU), a short
     * (flags) or a {@code struct sockaddr} (hardware address: family, then the address bytes).
     */
    public static final class Ifreq {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(Linux.IFNAMSIZ, JAVA_BYTE).withName("ifr_name"),
            MemoryLayout.unionLayout(
                JAVA_INT.withName("ifr_ifindex"),
                JAVA_INT.withName("ifr_mtu"),
                JAVA_SHORT.withName("ifr_flags"),
                MemoryLayout.structLayout(
                    JAVA_SHORT.withName("sa_family"),
                    MemoryLayout.sequenceLayout(14, JAVA_BYTE).withName("sa_data")).withName("ifr_hwaddr"),
                // the union's largest member is struct ifmap (24 bytes on LP64)
                MemoryLayout.sequenceLayout(24, JAVA_BYTE).withName("ifr_map")).withName("ifr_ifru"))
            .withName("ifreq");
        public static final long NAME = offset(LAYOUT, "ifr_name");
        public static final long IFINDEX = offset(LAYOUT, "ifr_ifru", "ifr_ifindex");
        public static final long MTU = offset(LAYOUT, "ifr_ifru", "ifr_mtu");
        public static final long FLAGS = offset(LAYOUT, "ifr_ifru", "ifr_flags");
        public static final long HWADDR_DATA = offset(LAYOUT, "ifr_ifru", "ifr_hwaddr", "sa_data");

        private Ifreq() {
        }
    }

    /** {@code struct tpacket_stats_v3}: PACKET_STATISTICS on a V3 socket; reading it resets the counters. */
    public static final class TpacketStatsV3 {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_packets"),
            JAVA_INT.withName("tp_drops"),
            JAVA_INT.withName("tp_freeze_q_cnt")).withName("tpacket_stats_v3");
        public static final long PACKETS = offset(LAYOUT, "tp_packets");
        public static final long DROPS = offset(LAYOUT, "tp_drops");
        public static final long FREEZE_Q_CNT = offset(LAYOUT, "tp_freeze_q_cnt");

        private TpacketStatsV3() {
        }
    }

    /** {@code struct packet_mreq}: PACKET_ADD_MEMBERSHIP (promiscuous mode that ends with the socket). */
    public static final class PacketMreq {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("mr_ifindex"),
            JAVA_SHORT.withName("mr_type"),
            JAVA_SHORT.withName("mr_alen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("mr_address")).withName("packet_mreq");
        public static final long IFINDEX = offset(LAYOUT, "mr_ifindex");
        public static final long TYPE = offset(LAYOUT, "mr_type");

        private PacketMreq() {
        }
    }

    /** {@code TPACKET_ALIGN}. */
    public static long align(long x) {
        return (x + Linux.TPACKET_ALIGNMENT - 1) & -Linux.TPACKET_ALIGNMENT;
    }
}
