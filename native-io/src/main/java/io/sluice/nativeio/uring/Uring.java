package io.sluice.nativeio.uring;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The io_uring ABI this package uses, as in {@code <linux/io_uring.h>}, and the socket structs the receive side
 * reads with recvmsg ({@code <sys/socket.h>}, {@code <linux/if_packet.h>}). Offsets are derived from the layouts;
 * {@code UringStructsTest} checks them and the constants against a C compiler's view of the headers.
 */
public final class Uring {
    private Uring() {
    }

    // io_uring_setup flags
    public static final int SETUP_CQSIZE = 1 << 3;
    public static final int SETUP_SUBMIT_ALL = 1 << 7;
    public static final int SETUP_COOP_TASKRUN = 1 << 8;
    public static final int SETUP_TASKRUN_FLAG = 1 << 9;

    // io_uring_params.features
    public static final int FEAT_SINGLE_MMAP = 1;
    public static final int FEAT_NODROP = 1 << 1;
    public static final int FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int FEAT_EXT_ARG = 1 << 8;

    // io_uring_enter flags
    public static final int ENTER_GETEVENTS = 1;
    public static final int ENTER_EXT_ARG = 1 << 3;

    // sq_ring->flags
    public static final int SQ_NEED_WAKEUP = 1;
    public static final int SQ_CQ_OVERFLOW = 1 << 1;
    public static final int SQ_TASKRUN = 1 << 2;

    // mmap offsets
    public static final long OFF_SQ_RING = 0L;
    public static final long OFF_CQ_RING = 0x8000000L;
    public static final long OFF_SQES = 0x10000000L;

    // opcodes
    public static final int OP_NOP = 0;
    public static final int OP_RECVMSG = 10;
    public static final int OP_ASYNC_CANCEL = 14;
    public static final int OP_READ = 22;
    public static final int OP_SEND = 26;
    public static final int OP_RECV = 27;

    // sqe->flags
    public static final int SQE_FIXED_FILE = 1;

    // sqe->cancel_flags
    public static final int ASYNC_CANCEL_ALL = 1;
    public static final int ASYNC_CANCEL_ANY = 1 << 2;

    // io_uring_register opcodes
    public static final int REGISTER_FILES = 2;
    public static final int UNREGISTER_FILES = 3;

    /** IORING_MAX_ENTRIES: the most SQ entries a ring may have. */
    public static final int MAX_ENTRIES = 32768;

    private static long offset(StructLayout s, String... path) {
        MemoryLayout.PathElement[] p = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = groupElement(path[i]);
        }
        return s.byteOffset(p);
    }

    /** {@code struct io_uring_params} with its {@code io_sqring_offsets} and {@code io_cqring_offsets}. */
    public static final class Params {
        private static final StructLayout SQ_OFF = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"));
        private static final StructLayout CQ_OFF = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"));
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQ_OFF.withName("sq_off"),
            CQ_OFF.withName("cq_off")).withName("io_uring_params");
        public static final long SQ_ENTRIES = offset(LAYOUT, "sq_entries");
        public static final long CQ_ENTRIES = offset(LAYOUT, "cq_entries");
        public static final long FLAGS = offset(LAYOUT, "flags");
        public static final long FEATURES = offset(LAYOUT, "features");
        public static final long SQ_HEAD = offset(LAYOUT, "sq_off", "head");
        public static final long SQ_TAIL = offset(LAYOUT, "sq_off", "tail");
        public static final long SQ_RING_MASK = offset(LAYOUT, "sq_off", "ring_mask");
        public static final long SQ_RING_ENTRIES = offset(LAYOUT, "sq_off", "ring_entries");
        public static final long SQ_FLAGS = offset(LAYOUT, "sq_off", "flags");
        public static final long SQ_DROPPED = offset(LAYOUT, "sq_off", "dropped");
        public static final long SQ_ARRAY = offset(LAYOUT, "sq_off", "array");
        public static final long CQ_HEAD = offset(LAYOUT, "cq_off", "head");
        public static final long CQ_TAIL = offset(LAYOUT, "cq_off", "tail");
        public static final long CQ_RING_MASK = offset(LAYOUT, "cq_off", "ring_mask");
        public static final long CQ_RING_ENTRIES = offset(LAYOUT, "cq_off", "ring_entries");
        public static final long CQ_OVERFLOW = offset(LAYOUT, "cq_off", "overflow");
        public static final long CQ_CQES = offset(LAYOUT, "cq_off", "cqes");

        private Params() {
        }
    }

    /** {@code struct io_uring_sqe}: 64 bytes; the unions are named by the member this package uses. */
    public static final class Sqe {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("off"),
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("op_flags"), // msg_flags, rw_flags, cancel_flags...
            JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"),
            JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("file_index"),
            JAVA_LONG.withName("addr3"),
            JAVA_LONG.withName("pad2")).withName("io_uring_sqe");
        public static final long SIZE = LAYOUT.byteSize();
        public static final long OPCODE = offset(LAYOUT, "opcode");
        public static final long FLAGS = offset(LAYOUT, "flags");
        public static final long IOPRIO = offset(LAYOUT, "ioprio");
        public static final long FD = offset(LAYOUT, "fd");
        public static final long OFF = offset(LAYOUT, "off");
        public static final long ADDR = offset(LAYOUT, "addr");
        public static final long LEN = offset(LAYOUT, "len");
        public static final long OP_FLAGS = offset(LAYOUT, "op_flags");
        public static final long USER_DATA = offset(LAYOUT, "user_data");
        public static final long BUF_INDEX = offset(LAYOUT, "buf_index");
        public static final long FILE_INDEX = offset(LAYOUT, "file_index");

        private Sqe() {
        }
    }

    /** {@code struct io_uring_cqe}: 16 bytes (no IORING_SETUP_CQE32). */
    public static final class Cqe {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"),
            JAVA_INT.withName("res"),
            JAVA_INT.withName("flags")).withName("io_uring_cqe");
        public static final long SIZE = LAYOUT.byteSize();
        public static final long USER_DATA = offset(LAYOUT, "user_data");
        public static final long RES = offset(LAYOUT, "res");
        public static final long FLAGS = offset(LAYOUT, "flags");

        private Cqe() {
        }
    }

    /** {@code struct io_uring_getevents_arg}: a wait with a timeout (IORING_ENTER_EXT_ARG). */
    public static final class GeteventsArg {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"),
            JAVA_INT.withName("sigmask_sz"),
            JAVA_INT.withName("min_wait_usec"),
            JAVA_LONG.withName("ts")).withName("io_uring_getevents_arg");
        public static final long TS = offset(LAYOUT, "ts");
        /** {@code struct __kernel_timespec}. */
        public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

        private GeteventsArg() {
        }
    }

    /** {@code struct msghdr} (LP64). */
    public static final class Msghdr {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");
        public static final long NAME = offset(LAYOUT, "msg_name");
        public static final long IOV = offset(LAYOUT, "msg_iov");
        public static final long IOVLEN = offset(LAYOUT, "msg_iovlen");
        public static final long CONTROL = offset(LAYOUT, "msg_control");
        public static final long CONTROLLEN = offset(LAYOUT, "msg_controllen");
        public static final long FLAGS = offset(LAYOUT, "msg_flags");

        private Msghdr() {
        }
    }

    /** {@code struct iovec}. */
    public static final class Iovec {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len")).withName("iovec");
        public static final long BASE = offset(LAYOUT, "iov_base");
        public static final long LEN = offset(LAYOUT, "iov_len");

        private Iovec() {
        }
    }

    /** {@code struct cmsghdr}; the data follows at {@link #DATA} and the next header at the 8-aligned length. */
    public static final class Cmsghdr {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"), JAVA_INT.withName("cmsg_level"), JAVA_INT.withName("cmsg_type"))
            .withName("cmsghdr");
        public static final long LEN = offset(LAYOUT, "cmsg_len");
        public static final long LEVEL = offset(LAYOUT, "cmsg_level");
        public static final long TYPE = offset(LAYOUT, "cmsg_type");
        /** {@code CMSG_LEN(0)}. */
        public static final long DATA = LAYOUT.byteSize();

        /** {@code CMSG_SPACE(n)}. */
        public static long space(long n) {
            return DATA + align(n);
        }

        /** {@code CMSG_ALIGN}. */
        public static long align(long n) {
            return (n + 7) & -8L;
        }

        private Cmsghdr() {
        }
    }

    /** {@code struct tpacket_auxdata}: PACKET_AUXDATA, one per frame read with recvmsg. */
    public static final class TpacketAuxdata {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_status"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            JAVA_SHORT.withName("tp_vlan_tci"),
            JAVA_SHORT.withName("tp_vlan_tpid")).withName("tpacket_auxdata");
        public static final long STATUS = offset(LAYOUT, "tp_status");
        public static final long LEN = offset(LAYOUT, "tp_len");
        public static final long VLAN_TCI = offset(LAYOUT, "tp_vlan_tci");
        public static final long VLAN_TPID = offset(LAYOUT, "tp_vlan_tpid");

        private TpacketAuxdata() {
        }
    }

    /** {@code struct tpacket_stats}: PACKET_STATISTICS on a socket without rings; reading it resets the counters. */
    public static final class TpacketStats {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_packets"), JAVA_INT.withName("tp_drops")).withName("tpacket_stats");
        public static final long PACKETS = offset(LAYOUT, "tp_packets");
        public static final long DROPS = offset(LAYOUT, "tp_drops");

        private TpacketStats() {
        }
    }

    /** The name of an opcode this package submits, for messages. */
    public static String opName(int opcode) {
        return switch (opcode) {
            case OP_NOP -> "NOP";
            case OP_RECVMSG -> "RECVMSG";
            case OP_ASYNC_CANCEL -> "ASYNC_CANCEL";
            case OP_READ -> "READ";
            case OP_SEND -> "SEND";
            case OP_RECV -> "RECV";
            default -> "opcode " + opcode;
        };
    }
}
