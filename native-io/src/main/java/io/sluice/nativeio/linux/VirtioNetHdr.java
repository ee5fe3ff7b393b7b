package io.sluice.nativeio.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct virtio_net_hdr} ({@code <linux/virtio_net.h>}): the 10 bytes a packet socket with PACKET_VNET_HDR
 * reads in front of every frame it receives (and wants in front of every frame it sends). Fields are in the host's
 * byte order on a little-endian host, which is all the kernel's packet sockets use ({@code vio_le()}).
 *
 * <pre>
 *   u8 flags; u8 gso_type; u16 hdr_len; u16 gso_size; u16 csum_start; u16 csum_offset;
 * </pre>
 */
public final class VirtioNetHdr {
    public static final int LENGTH = Linux.VIRTIO_NET_HDR_LEN;

    public static final int FLAGS = 0;
    public static final int GSO_TYPE = 1;
    public static final int HDR_LEN = 2;
    public static final int GSO_SIZE = 4;
    public static final int CSUM_START = 6;
    public static final int CSUM_OFFSET = 8;

    /** {@code flags}: the transport checksum is partial, from csum_start on (CHECKSUM_PARTIAL). */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code flags}: the checksum was verified (CHECKSUM_UNNECESSARY). */
    public static final int F_DATA_VALID = 2;

    /** {@code gso_type}: a frame no larger than the MTU. */
    public static final int GSO_NONE = 0;
    /** {@code gso_type}: TCP over IPv4, cut into {@code gso_size}-byte segments. */
    public static final int GSO_TCPV4 = 1;
    /** {@code gso_type}: UDP fragmentation offload (the kernel no longer hands these to packet sockets). */
    public static final int GSO_UDP = 3;
    /** {@code gso_type}: TCP over IPv6. */
    public static final int GSO_TCPV6 = 4;
    /** {@code gso_type}: UDP, cut into datagrams of {@code gso_size} payload bytes (UDP_SEGMENT). */
    public static final int GSO_UDP_L4 = 5;
    /** {@code gso_type} bit: the sender set CWR on the first segment (RFC 3168). */
    public static final int GSO_ECN = 0x80;

    private VirtioNetHdr() {
    }

    /**
     * Writes at {@code off} the header of a plain frame of {@code len} bytes to send: no offloads, and
     * {@code hdr_len} the whole frame, so that the kernel copies all of it into the skb's linear area instead of
     * attaching the rest as a page fragment (which a veth would then copy again into a newly allocated page).
     */
    public static void writeLinear(MemorySegment s, long off, int len) {
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, off, (long) (len & 0xFFFF) << 16); // flags, gso_type 0, hdr_len
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, off + CSUM_OFFSET, (short) 0);
    }

    /** The GSO type of the header at {@code off}, without the ECN bit. */
    public static int gsoType(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off + GSO_TYPE) & ~GSO_ECN & 0xFF;
    }

    /** Whether the header at {@code off} says the transport checksum was left to offload (F_NEEDS_CSUM). */
    public static boolean needsChecksum(MemorySegment s, long off) {
        return (s.get(ValueLayout.JAVA_BYTE, off + FLAGS) & F_NEEDS_CSUM) != 0;
    }

    /** The segment size of the header at {@code off}. */
    public static int gsoSize(MemorySegment s, long off) {
        return Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + GSO_SIZE));
    }
}
