package io.sluice.nativeio.uring;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Makes one system call fail with a chosen errno in the calling thread only, with a seccomp filter (the way a
 * container runtime's profile refuses io_uring): {@code prctl(PR_SET_NO_NEW_PRIVS)} and
 * {@code prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)} act on the calling thread, which keeps the filter until it
 * ends; use a dedicated thread.
 */
@SuppressWarnings("restricted")
final class Seccomp {
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_SET_SECCOMP = 22;
    private static final int SECCOMP_MODE_FILTER = 2;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle PRCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("prctl").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));
    private static final MethodHandle PRCTL_PTR = LINKER.downcallHandle(
        LINKER.defaultLookup().find("prctl").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));

    private Seccomp() {
    }

    /** From now on, system call {@code nr} fails with {@code errno} in this thread. */
    static void deny(int nr, int errno) {
        try (Arena arena = Arena.ofConfined()) {
            // struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}, on struct seccomp_data {int nr; ...}
            int[][] program = {
                {0x20, 0, 0, 0},                         // ld [0]: the system call number
                {0x15, 0, 1, nr},                        // jeq nr: next, else skip one
                {0x06, 0, 0, SECCOMP_RET_ERRNO | errno}, // ret ERRNO(errno)
                {0x06, 0, 0, SECCOMP_RET_ALLOW},         // ret ALLOW
            };
            MemorySegment filter = arena.allocate(8L * program.length, 8);
            for (int i = 0; i < program.length; i++) {
                filter.set(JAVA_SHORT, 8L * i, (short) program[i][0]);
                filter.set(JAVA_BYTE, 8L * i + 2, (byte) program[i][1]);
                filter.set(JAVA_BYTE, 8L * i + 3, (byte) program[i][2]);
                filter.set(JAVA_INT, 8L * i + 4, program[i][3]);
            }
            MemorySegment prog = arena.allocate(16, 8); // struct sock_fprog {u16 len; struct sock_filter *filter}
            prog.set(JAVA_SHORT, 0, (short) program.length);
            prog.set(ADDRESS, 8, filter);
            if ((int) PRCTL.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
                throw new AssertionError("prctl(PR_SET_NO_NEW_PRIVS) failed");
            }
            if ((int) PRCTL_PTR.invokeExact(PR_SET_SECCOMP, (long) SECCOMP_MODE_FILTER, prog) != 0) {
                throw new AssertionError("prctl(PR_SET_SECCOMP) failed");
            }
        } catch (Throwable t) {
            if (t instanceof AssertionError e) {
                throw e;
            }
            throw new AssertionError(t);
        }
    }
}
