package io.sluice.nativeio.uring;

import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import io.sluice.nativeio.ffm.NativeException;
import io.sluice.nativeio.linux.Linux;
import io.sluice.nativeio.uring.Uring.GeteventsArg;
import io.sluice.nativeio.uring.Uring.Params;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * One io_uring instance: {@code io_uring_setup} (system call 425) with a {@code struct io_uring_params}, the
 * mapping of its rings and SQE array, {@code io_uring_enter} (426) and {@code io_uring_register} (427).
 *
 * <p>With IORING_FEAT_SINGLE_MMAP (Linux 5.4 and later) the SQ and CQ rings share one mapping at offset 0; the
 * SQEs are mapped at IORING_OFF_SQES. The mappings belong to this object's arena: {@link #close} unmaps them (any
 * later access fails instead of touching unmapped memory) and closes the ring's file descriptor, which makes the
 * kernel cancel whatever is still in flight.
 *
 * <p>The ring has one submitter and one reaper, normally the same thread ({@link #sq()} and {@link #cq()} are
 * confined flyweights). {@link #enter} allocates nothing; the rest is control path.
 */
public final class IoUring implements AutoCloseable {
    /** Setup flags that only newer kernels know; {@link #open} retries without them on EINVAL. */
    private static final int OPTIONAL_FLAGS = Uring.SETUP_SUBMIT_ALL | Uring.SETUP_COOP_TASKRUN
        | Uring.SETUP_TASKRUN_FLAG;
    static final Path DISABLED_SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");

    private final int fd;
    private final int setupFlags;
    private final int features;
    private final Arena arena;
    private final SqRing sq;
    private final CqRing cq;
    private boolean closed;

    private IoUring(int fd, int setupFlags, int features, Arena arena, SqRing sq, CqRing cq) {
        this.fd = fd;
        this.setupFlags = setupFlags;
        this.features = features;
        this.arena = arena;
        this.sq = sq;
        this.cq = cq;
    }

    /**
     * Creates a ring.
     *
     * @param entries   SQ entries (the kernel rounds up to a power of two)
     * @param cqEntries CQ entries, or 0 for the kernel's default (twice the SQ)
     * @param flags     IORING_SETUP_* flags; SUBMIT_ALL, COOP_TASKRUN and TASKRUN_FLAG are dropped on a kernel
     *                  that refuses them (see {@link #setupFlags()})
     * @throws UringUnavailableException when the kernel has no io_uring or the process may not use it (the
     *                                   message names the cause and the fix)
     * @throws NativeException           when the kernel refuses the geometry or the mapping
     */
    public static IoUring open(int entries, int cqEntries, int flags) {
        MemorySegment errno = Errno.local();
        int wanted = flags | (cqEntries > 0 ? Uring.SETUP_CQSIZE : 0);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment params = tmp.allocate(Params.LAYOUT);
            int used = wanted;
            int fd = setup(errno, entries, cqEntries, used, params);
            if (fd < 0 && Errno.get(errno) == Errno.EINVAL && (used & OPTIONAL_FLAGS) != 0) {
                used &= ~OPTIONAL_FLAGS; // a kernel older than 5.19
                fd = setup(errno, entries, cqEntries, used, params);
            }
            if (fd < 0) {
                int e = Errno.get(errno);
                if (e == Errno.ENOSYS || e == Errno.EPERM || e == Errno.EACCES) {
                    throw unavailable(e, readDisabledSysctl());
                }
                throw new NativeException("io_uring_setup of a ring with " + entries + " entries failed: "
                    + Errno.describe(e) + (e == Errno.ENOMEM
                    ? ": the kernel could not allocate the ring; make it smaller (uring.queueDepth) or raise the "
                        + "locked-memory limit (`ulimit -l`) on kernels before 5.12"
                    : ": the kernel refused the geometry or the flags 0x" + Integer.toHexString(used)), e);
            }
            try {
                return map(fd, used, params, errno);
            } catch (RuntimeException | Error ex) {
                Libc.close(errno, fd);
                throw ex;
            }
        }
    }

    private static int setup(MemorySegment errno, int entries, int cqEntries, int flags, MemorySegment params) {
        params.fill((byte) 0);
        params.set(ValueLayout.JAVA_INT, Params.FLAGS, flags);
        params.set(ValueLayout.JAVA_INT, Params.CQ_ENTRIES, cqEntries);
        return Libc.ioUringSetup(errno, entries, params);
    }

    @SuppressWarnings("restricted") // sizing the mappings mmap returned
    private static IoUring map(int fd, int flags, MemorySegment p, MemorySegment errno) {
        int features = p.get(ValueLayout.JAVA_INT, Params.FEATURES);
        int sqEntries = p.get(ValueLayout.JAVA_INT, Params.SQ_ENTRIES);
        int cqEntries = p.get(ValueLayout.JAVA_INT, Params.CQ_ENTRIES);
        long sqRingBytes = Integer.toUnsignedLong(p.get(ValueLayout.JAVA_INT, Params.SQ_ARRAY)) + 4L * sqEntries;
        long cqRingBytes = Integer.toUnsignedLong(p.get(ValueLayout.JAVA_INT, Params.CQ_CQES))
            + Uring.Cqe.SIZE * cqEntries;
        long sqeBytes = Uring.Sqe.SIZE * sqEntries;
        boolean single = (features & Uring.FEAT_SINGLE_MMAP) != 0;
        Arena arena = Arena.ofShared();
        try {
            MemorySegment sqRing;
            MemorySegment cqRing;
            if (single) {
                sqRing = mmap(fd, Math.max(sqRingBytes, cqRingBytes), Uring.OFF_SQ_RING, arena, errno, "rings");
                cqRing = sqRing;
            } else {
                sqRing = mmap(fd, sqRingBytes, Uring.OFF_SQ_RING, arena, errno, "SQ ring");
                cqRing = mmap(fd, cqRingBytes, Uring.OFF_CQ_RING, arena, errno, "CQ ring");
            }
            MemorySegment sqes = mmap(fd, sqeBytes, Uring.OFF_SQES, arena, errno, "SQE array");
            SqRing sq = new SqRing(sqRing, sqes, off(p, Params.SQ_HEAD), off(p, Params.SQ_TAIL),
                off(p, Params.SQ_RING_MASK), off(p, Params.SQ_RING_ENTRIES), off(p, Params.SQ_FLAGS),
                off(p, Params.SQ_DROPPED), off(p, Params.SQ_ARRAY));
            CqRing cq = new CqRing(cqRing, off(p, Params.CQ_HEAD), off(p, Params.CQ_TAIL),
                off(p, Params.CQ_RING_MASK), off(p, Params.CQ_RING_ENTRIES), off(p, Params.CQ_OVERFLOW),
                off(p, Params.CQ_CQES));
            return new IoUring(fd, flags, features, arena, sq, cq);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static long off(MemorySegment params, long field) {
        return Integer.toUnsignedLong(params.get(ValueLayout.JAVA_INT, field));
    }

    @SuppressWarnings("restricted")
    private static MemorySegment mmap(int fd, long bytes, long offset, Arena arena, MemorySegment errno, String what) {
        MemorySegment base = Libc.mmap(errno, MemorySegment.NULL, bytes, Linux.PROT_READ | Linux.PROT_WRITE,
            Linux.MAP_SHARED | Linux.MAP_POPULATE, fd, offset);
        if (base.address() == Libc.MAP_FAILED) {
            int e = Errno.get(errno);
            throw new NativeException("mmap of the io_uring " + what + " (" + bytes + " bytes) failed: "
                + Errno.describe(e), e);
        }
        return base.reinterpret(bytes, arena, s -> Libc.munmap(Errno.local(), s, bytes));
    }

    /** The value of {@code /proc/sys/kernel/io_uring_disabled}, or null when it cannot be read (older kernels). */
    static String readDisabledSysctl() {
        try {
            return Files.readString(DISABLED_SYSCTL).strip();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * The exception for an {@code io_uring_setup} that failed with {@code errno} (ENOSYS, EPERM or EACCES), given
     * the value of {@code kernel.io_uring_disabled} (null when unknown): the cause and the fix.
     */
    static UringUnavailableException unavailable(int errno, String disabled) {
        StringBuilder m = new StringBuilder("io_uring is not available to this process: io_uring_setup (system call ")
            .append(Libc.SYS_IO_URING_SETUP).append(") failed with ").append(Errno.describe(errno)).append("; ");
        if (errno == Errno.ENOSYS) {
            m.append("the kernel has no io_uring (it needs Linux 5.19 or later built with CONFIG_IO_URING), or a "
                + "seccomp filter answers ENOSYS: use such a kernel, allow io_uring_setup, io_uring_enter and "
                + "io_uring_register (system calls 425 to 427) in the seccomp profile");
        } else if ("2".equals(disabled)) {
            m.append("kernel.io_uring_disabled is 2 (" + DISABLED_SYSCTL + "): io_uring is switched off for every "
                + "process; switch it on with `sysctl -w kernel.io_uring_disabled=0`");
        } else if ("1".equals(disabled)) {
            m.append("kernel.io_uring_disabled is 1 (" + DISABLED_SYSCTL + "): only processes with CAP_SYS_ADMIN or "
                + "in the group kernel.io_uring_group may use it; run as root, add the user to that group, or "
                + "`sysctl -w kernel.io_uring_disabled=0`");
        } else {
            m.append("kernel.io_uring_disabled is ").append(disabled == null ? "unreadable" : disabled)
                .append(", so a seccomp filter (a container runtime's default profile blocks io_uring) or a "
                + "security module refuses it: allow io_uring_setup, io_uring_enter and io_uring_register (system "
                + "calls 425 to 427) in the profile, for Docker with `--security-opt seccomp=PROFILE.json`");
        }
        m.append("; or use the AF_PACKET port (AfPacketPort), which needs no io_uring");
        return new UringUnavailableException(m.toString(), errno);
    }

    // ------------------------------------------------------------------------------------------------

    /** The submission queue (confined to the submitter). */
    public SqRing sq() {
        return sq;
    }

    /** The completion queue (confined to the reaper). */
    public CqRing cq() {
        return cq;
    }

    public int fd() {
        return fd;
    }

    /** The IORING_SETUP_* flags the ring was made with (optional ones dropped on older kernels). */
    public int setupFlags() {
        return setupFlags;
    }

    /** The IORING_FEAT_* bits the kernel reported. */
    public int features() {
        return features;
    }

    /** Whether completions wait for the submitter's next system call (IORING_SETUP_COOP_TASKRUN). */
    public boolean coopTaskrun() {
        return (setupFlags & Uring.SETUP_COOP_TASKRUN) != 0;
    }

    /**
     * With IORING_SETUP_TASKRUN_FLAG: whether completions wait for this thread to enter the kernel (the SQ flag
     * IORING_SQ_TASKRUN).
     */
    public boolean taskrunPending() {
        return (sq.flags() & Uring.SQ_TASKRUN) != 0;
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0)}. Allocates nothing.
     *
     * @return SQEs consumed, or {@code -errno}
     */
    public int enter(MemorySegment errno, int toSubmit, int minComplete, int flags) {
        int r = Libc.ioUringEnter(errno, fd, toSubmit, minComplete, flags, MemorySegment.NULL, 0);
        return r < 0 ? -Errno.get(errno) : r;
    }

    /**
     * Publishes the filled SQEs and submits every one the kernel has not consumed yet, in one
     * {@code io_uring_enter}. Allocates nothing.
     *
     * @param flags IORING_ENTER_* flags (GETEVENTS with no minimum also runs the completions waiting for this
     *              thread)
     * @return SQEs consumed, or {@code -errno}
     */
    public int submit(MemorySegment errno, int flags) {
        sq.publish();
        return enter(errno, sq.pending(), 0, flags);
    }

    /**
     * Waits until at least {@code minComplete} CQEs are ready or {@code timeoutNanos} passed, submitting the
     * pending SQEs first (control path).
     *
     * @return SQEs consumed, or {@code -errno} ({@code -ETIME} after the timeout)
     */
    public int await(MemorySegment errno, int minComplete, long timeoutNanos) {
        sq.publish();
        if ((features & Uring.FEAT_EXT_ARG) != 0) {
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment ts = tmp.allocate(GeteventsArg.TIMESPEC);
                ts.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
                ts.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
                MemorySegment arg = tmp.allocate(GeteventsArg.LAYOUT);
                arg.set(ValueLayout.JAVA_LONG, GeteventsArg.TS, ts.address());
                int r = Libc.ioUringEnter(errno, fd, sq.pending(), minComplete,
                    Uring.ENTER_GETEVENTS | Uring.ENTER_EXT_ARG, arg, arg.byteSize());
                return r < 0 ? -Errno.get(errno) : r;
            }
        }
        // no timed wait before Linux 5.11: poll without blocking
        long deadline = System.nanoTime() + timeoutNanos;
        int r = enter(errno, sq.pending(), 0, Uring.ENTER_GETEVENTS);
        while (r >= 0 && cq.ready() < minComplete && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
            r = enter(errno, sq.pending(), 0, Uring.ENTER_GETEVENTS);
        }
        return r < 0 ? r : cq.ready() < minComplete ? -Errno.ETIME : r;
    }

    /**
     * Registers {@code fds} as the ring's fixed files (IORING_REGISTER_FILES): an SQE with IOSQE_FIXED_FILE then
     * names file {@code i} by its index, and the kernel skips the per-operation file look-up and reference count.
     *
     * @return 0, or {@code -errno}
     */
    public int registerFiles(int... fds) {
        MemorySegment errno = Errno.local();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment array = tmp.allocateFrom(ValueLayout.JAVA_INT, fds);
            int r = Libc.ioUringRegister(errno, fd, Uring.REGISTER_FILES, array, fds.length);
            return r < 0 ? -Errno.get(errno) : r;
        }
    }

    /** Unmaps the rings and closes the ring (the kernel cancels what is still in flight). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            arena.close();
        } finally {
            Libc.close(Errno.local(), fd);
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "IoUring{fd " + fd + ", sq " + sq.entries() + ", cq " + cq.entries() + ", flags 0x"
            + Integer.toHexString(setupFlags) + ", features 0x" + Integer.toHexString(features) + "}";
    }
}
