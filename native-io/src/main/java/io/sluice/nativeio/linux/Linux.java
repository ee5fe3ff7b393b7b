package io.sluice.nativeio.linux;

/**
 * Kernel and libc constants for x86-64 and arm64 Linux, as in {@code <linux/if_packet.h>},
 * {@code <linux/sockios.h>}, {@code <linux/if.h>}, {@code <sys/socket.h>}, {@code <sys/mman.h>} and
 * {@code <sched.h>} (checked against the headers of Debian 12's linux-libc-dev with a C compiler, and by
 * {@code StructsTest}).
 */
public final class Linux {
    private Linux() {
    }

    // sys/socket.h
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;
    /** SO_TIMESTAMPNS (the "old" 64-bit-time_t variant on LP64); the control message type is the same. */
    public static final int SO_TIMESTAMPNS = 35;
    public static final int SCM_TIMESTAMPNS = SO_TIMESTAMPNS;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;

    // linux/if_ether.h
    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_HLEN = 14;
    public static final int VLAN_HLEN = 4;
    public static final int ETH_P_8021Q = 0x8100;
    public static final int ETH_P_8021AD = 0x88A8;

    // linux/if_packet.h: socket options at SOL_PACKET
    public static final int SOL_PACKET = 263;
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    /** A {@code struct tpacket_auxdata} control message with every frame read by recvmsg (VLAN tag, length). */
    public static final int PACKET_AUXDATA = 8;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_TX_RING = 13;
    public static final int PACKET_LOSS = 14;
    public static final int PACKET_FANOUT = 18;
    public static final int PACKET_QDISC_BYPASS = 20;
    public static final int PACKET_VNET_HDR = 15;
    /** sizeof(struct virtio_net_hdr): flags, gso_type, hdr_len, gso_size, csum_start, csum_offset. */
    public static final int VIRTIO_NET_HDR_LEN = 10;
    public static final int PACKET_IGNORE_OUTGOING = 23;

    public static final int PACKET_MR_PROMISC = 1;

    public static final int PACKET_FANOUT_HASH = 0;
    public static final int PACKET_FANOUT_LB = 1;
    public static final int PACKET_FANOUT_CPU = 2;
    public static final int PACKET_FANOUT_ROLLOVER = 3;
    public static final int PACKET_FANOUT_RND = 4;
    public static final int PACKET_FANOUT_QM = 5;

    public static final int PACKET_OUTGOING = 4;

    public static final int TPACKET_V2 = 1;
    public static final int TPACKET_V3 = 2;
    public static final int TPACKET_ALIGNMENT = 16;

    /** Receive status bits (frames and V3 blocks). */
    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_COPY = 1 << 1;
    public static final int TP_STATUS_LOSING = 1 << 2;
    /** The transport checksum is partial: the frame comes from this host's stack with checksum offload. */
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_BLK_TMO = 1 << 5;
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    /** The kernel or the NIC verified the transport checksum. */
    public static final int TP_STATUS_CSUM_VALID = 1 << 7;

    /** Transmit status bits. */
    public static final int TP_STATUS_AVAILABLE = 0;
    public static final int TP_STATUS_SEND_REQUEST = 1;
    public static final int TP_STATUS_SENDING = 1 << 1;
    public static final int TP_STATUS_WRONG_FORMAT = 1 << 2;

    /** {@code tp_feature_req_word}: fill {@code tp_rxhash} in received V3 frames. */
    public static final int TP_FT_REQ_FILL_RXHASH = 1;

    // linux/sockios.h
    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCGIFHWADDR = 0x8927;
    public static final long SIOCGIFINDEX = 0x8933;

    // linux/if.h
    public static final int IFNAMSIZ = 16;
    public static final int IFF_UP = 1;
    public static final int IFF_BROADCAST = 1 << 1;
    public static final int IFF_LOOPBACK = 1 << 3;
    public static final int IFF_RUNNING = 1 << 6;
    public static final int IFF_PROMISC = 1 << 8;
    public static final int IFF_LOWER_UP = 1 << 16;

    // sys/mman.h
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_POPULATE = 0x8000;

    // fcntl.h, sched.h
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    /** {@code htons} for the 16-bit protocol numbers that sockets and {@code sockaddr_ll} take. */
    public static int htons(int v) {
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN ? v & 0xFFFF
            : Short.toUnsignedInt(Short.reverseBytes((short) v));
    }
}
