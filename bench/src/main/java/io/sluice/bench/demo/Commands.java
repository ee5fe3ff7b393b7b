package io.sluice.bench.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the {@code ip} commands that build a lab, bounded in time, and checks for root. */
final class Commands {
    private static final long LIMIT_SECONDS = 20;

    private Commands() {
    }

    /** Runs {@code command} to completion; a non-zero exit throws with its output. */
    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes(); // small: ip prints little
            if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` took over " + LIMIT_SECONDS + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` failed: " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running `" + String.join(" ", command) + "`", e);
        }
    }

    /** Whether this process has CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN (what root has). */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    long needed = 1L << 12 | 1L << 13 | 1L << 21;
                    return (caps & needed) == needed;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /** The path of {@code command} in the usual directories, or null. */
    static String which(String command) {
        for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                return Path.of(d, command).toString();
            }
        }
        return null;
    }
}
