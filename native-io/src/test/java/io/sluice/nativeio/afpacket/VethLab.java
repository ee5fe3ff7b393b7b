package io.sluice.nativeio.afpacket;

import java.io.IOException;
import org.opentest4j.AssertionFailedError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two network namespaces joined by a veth pair, made with {@code ip} for one test and removed after it:
 * {@code ifA} in {@code nsA}, {@code ifB} in {@code nsB}. IPv6 is off in both (no router solicitations or MLD
 * reports), no addresses are configured, so the kernel sends nothing of its own on the pair. Names carry the
 * JVM's pid, so runs never collide, and {@link #sweepStale} removes what a killed run left behind.
 */
public final class VethLab implements AutoCloseable {
    public static final long PID = ProcessHandle.current().pid();
    private static final String NS_PREFIX = "sluice-t";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(20);

    public final String nsA;
    public final String nsB;
    public final String ifA;
    public final String ifB;
    private boolean closed;

    private VethLab(int n) {
        this.nsA = NS_PREFIX + PID + "-" + n + "a";
        this.nsB = NS_PREFIX + PID + "-" + n + "b";
        this.ifA = "sl" + PID % 100_000 + "a" + n;
        this.ifB = "sl" + PID % 100_000 + "b" + n;
    }

    /**
     * A lab test class's @BeforeAll: fails the class with what is missing (root, ip, ...) rather than skipping it,
     * then removes what an earlier, killed run left behind.
     */
    public static void requirePrerequisites() {
        String missing = missingPrerequisites();
        if (missing != null) {
            throw new AssertionFailedError(missing);
        }
        sweep(false);
    }

    /**
     * Why these tests cannot run here, or null when they can: they need root (network namespaces, veth, raw
     * sockets), the {@code ip} command and python3.
     */
    public static String missingPrerequisites() {
        List<String> missing = new ArrayList<>();
        long caps = effectiveCapabilities();
        long needed = 1L << 12 | 1L << 13 | 1L << 21; // CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN
        if ((caps & needed) != needed) {
            missing.add("root: CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN (effective capabilities are 0x"
                + Long.toHexString(caps) + "); they create network namespaces and veth pairs and open AF_PACKET "
                + "sockets, so run them as root (CI does)");
        }
        if (executable("ip") == null) {
            missing.add("the `ip` command (Debian package iproute2)");
        }
        if (executable("python3") == null) {
            missing.add("python3 (Debian package python3), which sends and receives on the kernel side");
        }
        return missing.isEmpty() ? null
            : "the AF_PACKET and io_uring port tests cannot run on this machine; missing: "
                + String.join("; ", missing);
    }

    private static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** The absolute path of {@code command} on the PATH (or in /usr/sbin, /sbin), or null. */
    public static String executable(String command) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Creates the namespaces and the veth pair, both ends up. */
    public static VethLab create() {
        VethLab lab = new VethLab(SEQ.incrementAndGet());
        try {
            run("ip", "netns", "add", lab.nsA);
            run("ip", "netns", "add", lab.nsB);
            disableIpv6(lab.nsA);
            disableIpv6(lab.nsB);
            run("ip", "link", "add", lab.ifA, "netns", lab.nsA, "type", "veth", "peer", "name", lab.ifB, "netns",
                lab.nsB);
            lab.up(lab.nsA, lab.ifA);
            lab.up(lab.nsB, lab.ifB);
            lab.awaitRunning(lab.nsA, lab.ifA);
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private static void disableIpv6(String ns) {
        // Before the veth exists, so its ends are born with IPv6 off (no link-local address, no MLD).
        run("ip", "netns", "exec", ns, "sh", "-c", "for f in all default; do p=/proc/sys/net/ipv6/conf/$f/disable_ipv6;"
            + " [ -e $p ] && echo 1 > $p; done; true");
    }

    public void up(String ns, String dev) {
        run("ip", "-n", ns, "link", "set", "dev", dev, "up");
    }

    public void down(String ns, String dev) {
        run("ip", "-n", ns, "link", "set", "dev", dev, "down");
    }

    public void mtu(String ns, String dev, int mtu) {
        run("ip", "-n", ns, "link", "set", "dev", dev, "mtu", Integer.toString(mtu));
    }

    /** Waits (bounded) until {@code dev} has its carrier (LOWER_UP) and its operational state is up (RUNNING). */
    public void awaitRunning(String ns, String dev) {
        boolean ok = Await.until(() -> {
            String link = run("ip", "-n", ns, "-o", "link", "show", "dev", dev);
            return link.contains("LOWER_UP") && link.contains("state UP");
        }, Duration.ofSeconds(10));
        if (!ok) {
            throw new AssertionError(dev + " in " + ns + " did not come up: " + run("ip", "-n", ns, "link"));
        }
    }

    /** Runs a command to completion (bounded) and returns its output; a non-zero exit fails with the output. */
    public static String run(String... command) {
        Path out = null;
        try {
            out = Files.createTempFile("sluice-cmd", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("`" + String.join(" ", command) + "` took longer than " + COMMAND_LIMIT);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("`" + String.join(" ", command) + "` exited with " + p.exitValue() + ": "
                    + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running `" + String.join(" ", command) + "`", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** Deletes both namespaces, which destroys the veth pair. Idempotent; never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteQuietly(nsA);
        deleteQuietly(nsB);
    }

    private static void deleteQuietly(String ns) {
        try {
            if (Files.exists(Path.of("/var/run/netns", ns))) {
                run("ip", "netns", "del", ns);
            }
        } catch (AssertionError e) {
            System.err.println("VethLab: could not delete network namespace " + ns + ": " + e.getMessage());
        }
    }

    /**
     * Removes test namespaces left by this JVM ({@code own}) or by runs whose JVM no longer exists (killed
     * before their {@code @AfterEach}).
     */
    public static void sweep(boolean own) {
        Path dir = Path.of("/var/run/netns");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var names = Files.list(dir)) {
            for (Path p : names.toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith(NS_PREFIX)) {
                    continue;
                }
                String rest = n.substring(NS_PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean mine = pid == PID;
                boolean orphan = !mine && ProcessHandle.of(pid).isEmpty();
                if ((own && mine) || orphan) {
                    deleteQuietly(n);
                }
            }
        } catch (IOException e) {
            System.err.println("VethLab: cannot list " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return ifA + "@" + nsA + " <-> " + ifB + "@" + nsB;
    }
}
