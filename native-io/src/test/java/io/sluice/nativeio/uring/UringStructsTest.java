package io.sluice.nativeio.uring;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.linux.Linux;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The io_uring ABI against the numbers gcc prints for Debian 12's {@code <linux/io_uring.h>},
 * {@code <sys/socket.h>} and {@code <linux/if_packet.h>} on x86-64, and the SQ/CQ flyweights against the kernel
 * with NOPs (io_uring needs no privilege; these tests fail, with the reason, where io_uring is unavailable).
 */
class UringStructsTest {

    @Test
    void layoutsMatchTheKernelHeaders() {
        assertEquals(120, Uring.Params.LAYOUT.byteSize());
        assertEquals(4, Uring.Params.CQ_ENTRIES);
        assertEquals(8, Uring.Params.FLAGS);
        assertEquals(20, Uring.Params.FEATURES);
        assertEquals(40, Uring.Params.SQ_HEAD);
        assertEquals(40 + 16, Uring.Params.SQ_FLAGS);
        assertEquals(40 + 20, Uring.Params.SQ_DROPPED);
        assertEquals(40 + 24, Uring.Params.SQ_ARRAY);
        assertEquals(80, Uring.Params.CQ_HEAD);
        assertEquals(80 + 16, Uring.Params.CQ_OVERFLOW);
        assertEquals(80 + 20, Uring.Params.CQ_CQES);

        assertEquals(64, Uring.Sqe.SIZE);
        assertEquals(4, Uring.Sqe.FD);
        assertEquals(8, Uring.Sqe.OFF);
        assertEquals(16, Uring.Sqe.ADDR);
        assertEquals(24, Uring.Sqe.LEN);
        assertEquals(28, Uring.Sqe.OP_FLAGS, "msg_flags and cancel_flags");
        assertEquals(32, Uring.Sqe.USER_DATA);
        assertEquals(40, Uring.Sqe.BUF_INDEX);
        assertEquals(44, Uring.Sqe.FILE_INDEX);

        assertEquals(16, Uring.Cqe.SIZE);
        assertEquals(8, Uring.Cqe.RES);
        assertEquals(12, Uring.Cqe.FLAGS);

        assertEquals(24, Uring.GeteventsArg.LAYOUT.byteSize());
        assertEquals(16, Uring.GeteventsArg.TS);

        assertEquals(56, Uring.Msghdr.LAYOUT.byteSize());
        assertEquals(16, Uring.Msghdr.IOV);
        assertEquals(24, Uring.Msghdr.IOVLEN);
        assertEquals(32, Uring.Msghdr.CONTROL);
        assertEquals(40, Uring.Msghdr.CONTROLLEN);
        assertEquals(48, Uring.Msghdr.FLAGS);
        assertEquals(16, Uring.Cmsghdr.DATA, "CMSG_LEN(0)");
        assertEquals(40, Uring.Cmsghdr.space(Uring.TpacketAuxdata.LAYOUT.byteSize()), "CMSG_SPACE(auxdata)");
        assertEquals(32, Uring.Cmsghdr.space(16), "CMSG_SPACE(struct timespec)");
        assertTrue(Uring.Cmsghdr.space(20) + Uring.Cmsghdr.space(16) <= UringReceiver.CONTROL_SIZE);
        assertEquals(20, Uring.TpacketAuxdata.LAYOUT.byteSize());
        assertEquals(4, Uring.TpacketAuxdata.LEN);
        assertEquals(16, Uring.TpacketAuxdata.VLAN_TCI);
        assertEquals(18, Uring.TpacketAuxdata.VLAN_TPID);
        assertEquals(8, Uring.TpacketStats.LAYOUT.byteSize());
    }

    @Test
    void constantsMatchTheKernelHeaders() {
        assertEquals(27, Uring.OP_RECV);
        assertEquals(26, Uring.OP_SEND);
        assertEquals(10, Uring.OP_RECVMSG);
        assertEquals(14, Uring.OP_ASYNC_CANCEL);
        assertEquals(22, Uring.OP_READ);
        assertEquals(8, Uring.SETUP_CQSIZE);
        assertEquals(128, Uring.SETUP_SUBMIT_ALL);
        assertEquals(256, Uring.SETUP_COOP_TASKRUN);
        assertEquals(512, Uring.SETUP_TASKRUN_FLAG);
        assertEquals(1, Uring.FEAT_SINGLE_MMAP);
        assertEquals(256, Uring.FEAT_EXT_ARG);
        assertEquals(1, Uring.ENTER_GETEVENTS);
        assertEquals(8, Uring.ENTER_EXT_ARG);
        assertEquals(4, Uring.SQ_TASKRUN);
        assertEquals(134217728L, Uring.OFF_CQ_RING);
        assertEquals(268435456L, Uring.OFF_SQES);
        assertEquals(2, Uring.REGISTER_FILES);
        assertEquals(1, Uring.SQE_FIXED_FILE);
        assertEquals(1, Uring.ASYNC_CANCEL_ALL);
        assertEquals(4, Uring.ASYNC_CANCEL_ANY);
        assertEquals(8, Linux.PACKET_AUXDATA);
        assertEquals(35, Linux.SO_TIMESTAMPNS);
        assertEquals(8, Linux.SO_RCVBUF);
        assertEquals(33, Linux.SO_RCVBUFFORCE);
        assertEquals(32, Linux.MSG_TRUNC);
        assertEquals(125, Errno.ECANCELED);
        assertEquals(62, Errno.ETIME);
        assertEquals("ECANCELED (Operation canceled)", Errno.describe(Errno.ECANCELED));
    }

    private static IoUring ring(int entries, int flags) {
        String disabled = IoUring.readDisabledSysctl();
        if (disabled != null && !disabled.equals("0")) {
            fail("io_uring is disabled on this machine (kernel.io_uring_disabled=" + disabled + "): these tests need "
                + "`sysctl -w kernel.io_uring_disabled=0`");
        }
        return IoUring.open(entries, 0, flags);
    }

    /** NOPs through the flyweights, far past the point where the indices wrap around the ring. */
    @Test
    void nopsGoRoundTheRingsInOrder() {
        try (IoUring ring = ring(8, Uring.SETUP_SUBMIT_ALL)) {
            SqRing sq = ring.sq();
            CqRing cq = ring.cq();
            assertEquals(8, sq.entries());
            assertEquals(16, cq.entries(), "the CQ is twice the SQ");
            assertNotEquals(0, ring.features() & Uring.FEAT_SINGLE_MMAP, "IORING_FEAT_SINGLE_MMAP (PLATFORM.md)");
            MemorySegment errno = Errno.allocate(java.lang.foreign.Arena.ofAuto());
            long next = 0;
            long expected = 0;
            for (int round = 0; round < 100; round++) {
                int batch = 1 + round % 8;
                assertEquals(8, sq.free());
                for (int i = 0; i < batch; i++) {
                    sq.prep(sq.next(), Uring.OP_NOP, 0, -1, 0, 0, 0, next++);
                }
                assertEquals(batch, sq.pending());
                assertEquals(batch, sq.unpublished());
                assertEquals(batch, ring.submit(errno, 0), "every NOP consumed");
                assertEquals(0, sq.pending());
                assertEquals(0, sq.unpublished());
                int ready = cq.ready();
                assertEquals(batch, ready, "NOPs complete inside the enter");
                for (int i = 0; i < ready; i++) {
                    assertEquals(expected++, cq.userData(i));
                    assertEquals(0, cq.res(i));
                }
                cq.advance(ready);
                assertEquals(0, cq.ready());
            }
            assertEquals(0, sq.dropped());
            assertEquals(0, cq.overflow());
        }
    }

    @Test
    void aFullSqHasNoRoomAndTheEnterReturnsItsEntries() {
        try (IoUring ring = ring(4, 0)) {
            SqRing sq = ring.sq();
            for (int i = 0; i < 4; i++) {
                sq.prep(sq.next(), Uring.OP_NOP, 0, -1, 0, 0, 0, i);
            }
            assertEquals(0, sq.free());
            MemorySegment errno = Errno.allocate(java.lang.foreign.Arena.ofAuto());
            assertEquals(4, ring.await(errno, 4, 1_000_000_000L));
            assertEquals(4, sq.free());
            assertEquals(4, ring.cq().ready());
            ring.cq().advance(4);
            assertEquals(-Errno.ETIME, ring.await(errno, 1, 1_000_000L), "a timed wait with nothing to wait for");
        }
    }

    @Test
    void theUnavailableMessagesNameTheFix() {
        assertEquals("io_uring is not available to this process: io_uring_setup (system call 425) failed with EPERM "
            + "(Operation not permitted); kernel.io_uring_disabled is 2 (/proc/sys/kernel/io_uring_disabled): io_uring "
            + "is switched off for every process; switch it on with `sysctl -w kernel.io_uring_disabled=0`; or use the "
            + "AF_PACKET port (AfPacketPort), which needs no io_uring",
            IoUring.unavailable(Errno.EPERM, "2").getMessage());
        assertTrue(IoUring.unavailable(Errno.EPERM, "1").getMessage().contains("kernel.io_uring_disabled is 1 "
            + "(/proc/sys/kernel/io_uring_disabled): only processes with CAP_SYS_ADMIN or in the group "
            + "kernel.io_uring_group may use it; run as root, add the user to that group"));
        assertTrue(IoUring.unavailable(Errno.EPERM, "0").getMessage().contains("kernel.io_uring_disabled is 0, so a "
            + "seccomp filter (a container runtime's default profile blocks io_uring) or a security module refuses "
            + "it: allow io_uring_setup, io_uring_enter and io_uring_register (system calls 425 to 427)"));
        UringUnavailableException e = IoUring.unavailable(Errno.ENOSYS, null);
        assertEquals(Errno.ENOSYS, e.errno());
        assertTrue(e.getMessage().contains("failed with ENOSYS (Function not implemented); the kernel has no io_uring"),
            e.getMessage());
    }
}
