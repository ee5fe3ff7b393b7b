package io.sluice.nativeio.linux;

import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import io.sluice.nativeio.ffm.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A thread that lives in a named network namespace (one made with {@code ip netns add NAME}), for opening
 * sockets there: {@code setns(2)} moves only the calling thread, and a socket stays in the namespace it was
 * created in, so a port opened through {@link #call} can then be used from any thread.
 *
 * <p>The thread is dedicated: it runs only the tasks given to {@link #call} and ends with {@link #close}, so
 * no pooled thread is left in a foreign namespace.
 */
public final class NetNamespace implements AutoCloseable {
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
    private static final String NETNS_DIR = "/var/run/netns/";
    private static final Duration DEFAULT_LIMIT = Duration.ofSeconds(60);

    private final String name;
    private final ExecutorService thread;

    private NetNamespace(String name, ExecutorService thread) {
        this.name = name;
        this.thread = thread;
    }

    /**
     * Starts a thread and moves it into network namespace {@code name}.
     *
     * @throws NativeException when the namespace does not exist (ENOENT) or the process may not enter it
     *                         (EPERM: needs CAP_SYS_ADMIN)
     */
    public static NetNamespace enter(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("network namespace name '" + name + "' is not valid");
        }
        return enterPath(name, NETNS_DIR + name);
    }

    /**
     * Starts a thread in the network namespace of process {@code pid} ({@code /proc/PID/ns/net}): how a tool
     * reaches an engine's loopback-bound JMX agent when the engine runs in a namespace of its own.
     */
    public static NetNamespace ofProcess(long pid) {
        return enterPath("pid " + pid, "/proc/" + pid + "/ns/net");
    }

    /** Whether process {@code pid} is in this process's network namespace (false if that cannot be read). */
    public static boolean sameAsProcess(long pid) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/net"))
                .equals(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/" + pid + "/ns/net")));
        } catch (java.io.IOException e) {
            return true; // nothing to enter that we could read: try from here
        }
    }

    private static NetNamespace enterPath(String name, String path) {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
        NetNamespace ns = new NetNamespace(name, executor);
        try {
            ns.call(() -> {
                join(name, path);
                return null;
            });
        } catch (RuntimeException | Error e) {
            executor.shutdownNow();
            throw e;
        }
        return ns;
    }

    private static void join(String name, String path) {
        MemorySegment errno = Errno.local();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.open(errno, arena.allocateFrom(path), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        }
        if (fd < 0) {
            int e = Errno.get(errno);
            throw new NativeException(e == Errno.ENOENT
                ? "network namespace " + name + " does not exist (ENOENT): create it with `ip netns add " + name
                    + "` or list them with `ip netns list`"
                : "cannot open " + NETNS_DIR + name + ": " + Errno.describe(e), e);
        }
        try {
            if (Libc.setns(errno, fd, Linux.CLONE_NEWNET) < 0) {
                int e = Errno.get(errno);
                throw new NativeException(e == Errno.EPERM
                    ? "need CAP_SYS_ADMIN to enter network namespace " + name + " (EPERM): run as root"
                    : "setns into network namespace " + name + " failed: " + Errno.describe(e), e);
            }
            CURRENT.set(name);
        } finally {
            Libc.close(errno, fd);
        }
    }

    /** The namespace the calling thread entered through this class, or null (the process's own). */
    public static String current() {
        return CURRENT.get();
    }

    public String name() {
        return name;
    }

    /** Runs {@code task} on the namespace's thread and returns its result; waits at most 60 s. */
    public <T> T call(Callable<T> task) {
        return call(task, DEFAULT_LIMIT);
    }

    /**
     * Runs {@code task} on the namespace's thread and returns its result. An exception from the task is thrown
     * here: unchecked ones as they are, checked ones wrapped in an {@link IllegalStateException}.
     */
    public <T> T call(Callable<T> task, Duration limit) {
        Future<T> f = thread.submit(task);
        try {
            return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("task in network namespace " + name + " failed", c);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IllegalStateException("task in network namespace " + name + " took longer than " + limit, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new IllegalStateException("interrupted waiting for a task in network namespace " + name, e);
        }
    }

    /** Ends the thread (after the task it is running, if any). */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
