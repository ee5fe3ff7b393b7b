package io.sluice.nativeio.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The libc functions this module calls, one downcall handle each. Every function that can fail takes, as its
 * first argument, an errno capture segment from {@link Errno#allocate} or {@link Errno#local()}: after a call
 * that returned -1 (or {@code MAP_FAILED}), {@link Errno#get} reads the errno it left. Passing the segment in
 * keeps the data path free of allocation and of thread-local look-ups.
 *
 * <p>The wrappers return the raw result; they never throw for a failed call. The io_uring system calls, which
 * glibc does not wrap, go through {@code syscall(2)}: {@link #ioUringSetup}, {@link #ioUringEnter},
 * {@link #ioUringRegister}. A plain downcall costs about
 * 200 ns here (PLATFORM.md), so callers batch: one {@link #sendto} kick per burst, never one per packet.
 */
@SuppressWarnings("restricted") // this class is where the module's native access is
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = errno("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = errno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = errno("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = errno("setsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = errno("getsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** {@code int ioctl(int fd, unsigned long request, ...)}: variadic after the request. */
    private static final MethodHandle IOCTL = errno("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
        Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = errno("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errno("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SENDTO = errno("sendto",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code int open(const char *path, int flags, ...)}: the mode is variadic. */
    private static final MethodHandle OPEN = errno("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
        Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = errno("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /**
     * {@code long syscall(long number, ...)}, for the io_uring system calls glibc has no wrapper for; one handle
     * per argument shape, every argument after the number passed as a {@code long} or a pointer (variadic).
     */
    private static final MethodHandle SYSCALL_2 = errno("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_4 = errno("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_6 = errno("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETPAGESIZE = plain("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /**
     * The data path's downcalls, through a field the JIT does not treat as a constant, on purpose. A downcall that
     * captures errno first slices the capture segment ({@code SharedUtils.checkCaptureSegment}); the slice costs
     * nothing only when the JIT inlines the whole downcall into the caller's compilation and scalar-replaces it,
     * and in a large caller (a burst loop) the inlining budget sometimes runs out first: 40 bytes of garbage per
     * call. Through a non-constant handle the downcall is compiled on its own, small, with the slice always
     * removed, for the price of one call. (Measured: without this the zero-allocation tests of both ports failed
     * in about half the runs.)
     */
    private static MethodHandle sendtoHot = SENDTO;
    private static MethodHandle ioUringEnterHot = SYSCALL_6;

    /** {@code __NR_io_uring_setup}, the same on x86-64 and arm64 (asm-generic numbering). */
    public static final long SYS_IO_URING_SETUP = 425;
    /** {@code __NR_io_uring_enter}. */
    public static final long SYS_IO_URING_ENTER = 426;
    /** {@code __NR_io_uring_register}. */
    public static final long SYS_IO_URING_REGISTER = 427;

    /** {@code MAP_FAILED}, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    private static final int PAGE_SIZE = pageSizeNow();

    private Libc() {
    }

    private static MethodHandle errno(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(find(name), fd, options);
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(find(name), fd);
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("downcall failed", t);
    }

    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bind(MemorySegment errno, int fd, MemorySegment addr, int addrLen) {
        try {
            return (int) BIND.invokeExact(errno, fd, addr, addrLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * @param len a 4-byte {@code socklen_t} holding the size of {@code value}; the kernel writes back how much it
     *            filled
     */
    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value,
                                 MemorySegment len) {
        try {
            return (int) GETSOCKOPT.invokeExact(errno, fd, level, name, value, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(MemorySegment errno, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the mapping as a zero-length segment (reinterpret it to its size), or one at {@link #MAP_FAILED} */
    public static MemorySegment mmap(MemorySegment errno, MemorySegment addr, long len, int prot, int flags, int fd,
                                     long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(errno, addr, len, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(MemorySegment errno, MemorySegment addr, long len) {
        try {
            return (int) MUNMAP.invokeExact(errno, addr, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendto(MemorySegment errno, int fd, MemorySegment buf, long len, int flags, MemorySegment addr,
                              int addrLen) {
        try {
            return (long) sendtoHot.invokeExact(errno, fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @param path a NUL-terminated path */
    public static int open(MemorySegment errno, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(errno, path, flags, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Moves the calling thread (only it) into the namespace behind {@code fd}. */
    public static int setns(MemorySegment errno, int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(errno, fd, nstype);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code io_uring_setup(entries, params)}: creates a ring and fills {@code params} (a {@code struct
     * io_uring_params}).
     *
     * @return the ring's file descriptor, or -1 (errno in {@code errno})
     */
    public static int ioUringSetup(MemorySegment errno, int entries, MemorySegment params) {
        try {
            return (int) (long) SYSCALL_2.invokeExact(errno, SYS_IO_URING_SETUP, (long) entries, params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize)}: submits and/or waits.
     *
     * @param arg {@link MemorySegment#NULL}, or a {@code struct io_uring_getevents_arg} with IORING_ENTER_EXT_ARG
     * @return SQEs consumed, or -1 (errno in {@code errno})
     */
    public static int ioUringEnter(MemorySegment errno, int fd, int toSubmit, int minComplete, int flags,
                                   MemorySegment arg, long argSize) {
        try {
            return (int) (long) ioUringEnterHot.invokeExact(errno, SYS_IO_URING_ENTER, (long) fd, (long) toSubmit,
                (long) minComplete, (long) flags, arg, argSize);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code io_uring_register(fd, opcode, arg, nrArgs)}.
     *
     * @return the kernel's result, or -1 (errno in {@code errno})
     */
    public static int ioUringRegister(MemorySegment errno, int fd, int opcode, MemorySegment arg, int nrArgs) {
        try {
            return (int) (long) SYSCALL_4.invokeExact(errno, SYS_IO_URING_REGISTER, (long) fd, (long) opcode, arg,
                (long) nrArgs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The page size, read once. */
    public static int pageSize() {
        return PAGE_SIZE;
    }

    private static int pageSizeNow() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's description of {@code errno} (control path). */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "errno " + errno : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
