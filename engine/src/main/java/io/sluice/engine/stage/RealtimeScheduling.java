package io.sluice.engine.stage;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Puts the calling thread under a Linux real-time scheduling policy ({@code sched_setscheduler(2)} on thread 0,
 * which is the caller) at priority 1: above every normal thread on its CPU, ksoftirqd included, and below the
 * kernel's own real-time threads. Why a stage thread wants it is in {@link io.sluice.config.PipelineConfig#REALTIME_POLICIES}.
 */
final class RealtimeScheduling {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;
    private static final int SCHED_RR = 2;
    /** Threads a thread under this policy starts are normal (sched(7)). */
    private static final int SCHED_RESET_ON_FORK = 0x40000000;
    private static final int PRIORITY = 1;
    private static final StructLayout ERRNO = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE = ERRNO.varHandle(
        java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    private RealtimeScheduling() {
    }

    /**
     * Applies {@code policy} to every thread the JVM has now (the JIT compilers, the VM thread that runs
     * safepoints, the GC workers, this one), each with SCHED_RESET_ON_FORK so that threads they start later are
     * normal again. A real-time stage thread that never idles would otherwise keep them off its CPU, and so would
     * the kernel's receive work it is protected from: the stage would wait at a safepoint or run interpreted code
     * for good. Measured in PERFORMANCE.md: with only the stage thread real time, a cold engine under overload
     * delivered 0.3 % of what it was offered; with the whole JVM, 96 %.
     *
     * @return the threads now under the policy, for {@link #restore} (empty for {@code off} or when refused)
     */
    static int[] applyToJvmThreads(String policy) {
        int p = policyNumber(policy);
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (p < 0 || tasks == null) {
            return new int[0];
        }
        int[] raised = new int[tasks.length];
        int n = 0;
        for (java.io.File t : tasks) {
            try {
                int tid = Integer.parseInt(t.getName());
                if (set(tid, p | SCHED_RESET_ON_FORK, PRIORITY) == 0) {
                    raised[n++] = tid;
                }
            } catch (NumberFormatException e) {
                // not a thread
            }
        }
        return java.util.Arrays.copyOf(raised, n);
    }

    /** Puts the threads {@link #applyToJvmThreads} raised back under the normal policy (those still alive). */
    static void restore(int[] tids) {
        for (int tid : tids) {
            set(tid, SCHED_OTHER, 0);
        }
    }

    private static int policyNumber(String policy) {
        return switch (policy) {
            case "rr" -> SCHED_RR;
            case "fifo" -> SCHED_FIFO;
            default -> -1;
        };
    }

    /** @return 0, or the errno */
    private static int set(int tid, int policy, int priority) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(ValueLayout.JAVA_INT);
            param.set(ValueLayout.JAVA_INT, 0, priority);
            MemorySegment errno = arena.allocate(ERRNO);
            int r = (int) Holder.SCHED_SETSCHEDULER.invokeExact(errno, tid, policy, param);
            return r == 0 ? 0 : Math.max(1, (int) ERRNO_VALUE.get(errno, 0L));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Applies {@code policy} ({@code off}, {@code rr}, {@code fifo}) to the calling thread.
     *
     * @return what was done, for the pipeline's report: "normal scheduling", "SCHED_RR priority 1", or why not
     */
    static String apply(String policy) {
        int p = policyNumber(policy);
        if (p < 0) {
            return "normal scheduling";
        }
        String name = p == SCHED_RR ? "SCHED_RR" : "SCHED_FIFO";
        try {
            int e = set(0, p, PRIORITY);
            if (e == 0) {
                return name + " priority " + PRIORITY;
            }
            return name + " refused (errno " + e + (e == 1 ? ", EPERM: needs CAP_SYS_NICE or root" : "")
                + "); normal scheduling";
        } catch (RuntimeException | LinkageError e) {
            return name + " unavailable (" + e + "); normal scheduling";
        }
    }

    /** Looked up on first use, so that a pipeline that never asks needs no native access. */
    private static final class Holder {
        @SuppressWarnings("restricted")
        static final MethodHandle SCHED_SETSCHEDULER = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("sched_setscheduler").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
            Linker.Option.captureCallState("errno"));
    }
}
