package io.sluice.nativeio.afpacket;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Drops a capability from the calling thread's effective set with capget/capset(2). Linux keeps credentials
 * per thread and the raw calls change only the caller, so a dedicated thread can act unprivileged while the
 * rest of the JVM stays root.
 */
@SuppressWarnings("restricted")
public final class Caps {
    public static final int CAP_NET_RAW = 13;
    private static final int VERSION_3 = 0x20080522;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CAPGET = LINKER.downcallHandle(LINKER.defaultLookup().find("capget").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CAPSET = LINKER.downcallHandle(LINKER.defaultLookup().find("capset").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private Caps() {
    }

    public static void dropEffective(int cap) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(8);
            header.set(JAVA_INT, 0, VERSION_3);
            header.set(JAVA_INT, 4, 0); // this thread
            MemorySegment data = arena.allocate(24); // two {effective, permitted, inheritable}
            if ((int) CAPGET.invokeExact(header, data) != 0) {
                throw new AssertionError("capget failed");
            }
            long word = (cap / 32) * 12L;
            data.set(JAVA_INT, word, data.get(JAVA_INT, word) & ~(1 << (cap % 32)));
            if ((int) CAPSET.invokeExact(header, data) != 0) {
                throw new AssertionError("capset failed");
            }
        } catch (Throwable t) {
            if (t instanceof AssertionError e) {
                throw e;
            }
            throw new AssertionError(t);
        }
    }
}
