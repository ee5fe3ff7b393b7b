package io.sluice.bench.harness;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.nativeio.afpacket.VethLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's smoke run of the harness: a short {@code ./sluice bench forward} (one size, one placement, one run of each
 * forwarder, a two-trial search, a 5 s soak) in the real veth lab, then {@code ./sluice bench report} into a copy of
 * PERFORMANCE.md. It checks that every file is written and the report complete, and that the lab is gone
 * afterwards; it asserts no speed. Tagged {@code lab-bench}: root, about a minute, so only .ci/run turns it on
 * ({@code -Dbench.excludedGroups=none}). It takes {@code /tmp/sluice-lab.lock} (flock) so it never runs while
 * another benchmark holds the lab's CPUs.
 */
@Tag("lab-bench")
class BenchForwardSmokeTest {
    private static final long LIMIT_SECONDS = 400;

    @Test
    void aShortRunWritesEveryFileAndACompleteReport(@TempDir Path dir) throws Exception {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            fail(missing);
        }
        Path home = home();
        Path out = dir.resolve("out");
        run(home, dir.resolve("forward.log"), "bench", "forward", "--seconds", "2", "--runs", "1", "--sizes", "64",
            "--placement", "engine", "--ndr-trials", "2", "--ndr-seconds", "1", "--soak", "5", "--out", out.toString());

        for (String f : List.of(ResultFiles.JSON, ResultFiles.RUNS_CSV, ResultFiles.SUMMARY_CSV, ResultFiles.NDR_CSV, Plots.RATE)) {
            assertTrue(Files.size(out.resolve(f)) > 0, f + " written");
        }
        BenchResults r = ResultFiles.read(out.resolve(ResultFiles.JSON));
        assertEquals(List.of("kernel", "sluice"), r.runs().stream().map(RunResult::router).toList());
        for (RunResult x : r.runs()) {
            assertEquals(64, x.frameSize());
            assertEquals("engine", x.placement());
            assertTrue(x.trial().offeredPps() > 0, "traffic was offered: " + x);
            assertTrue(Double.isFinite(x.trial().deliveredPps()), "delivered was counted: " + x);
        }
        assertEquals(2, r.ndr().size());
        r.ndr().forEach(n -> assertFalse(n.result().trials().isEmpty()));
        assertEquals(3, Files.readAllLines(out.resolve(ResultFiles.RUNS_CSV)).size(), "a header and a row a run");
        assertNotNull(r.soak(), "the soak ran");
        assertFalse(r.soak().rss().isEmpty(), "the soak sampled Sluice's resident memory");
        assertTrue(r.soak().trial().sent() > 0, "the soak offered traffic: " + r.soak());
        assertTrue(r.soak().poolFullAtEnd(), "Sluice ended the soak with its pool full: " + r.soak());

        Path md = dir.resolve("PERFORMANCE.md");
        String original = Files.readString(home.resolve("PERFORMANCE.md"));
        Files.writeString(md, original);
        run(home, dir.resolve("report.log"), "bench", "report", "--from", out.toString(), "--performance-md", md.toString());
        String doc = Files.readString(md);
        assertEquals(List.of(), PerformanceReport.problems(doc, r, dir));
        int begin = original.indexOf(PerformanceReport.BEGIN);
        assertTrue(doc.startsWith(begin < 0 ? original : original.substring(0, begin)), "the hand-written part is kept");
        assertTrue(Files.size(dir.resolve("bench/report/forward-rate.svg")) > 0);

        List<String> left = new ArrayList<>();
        for (String ns : exec(List.of("ip", "netns", "list")).split("\n")) {
            if (ns.matches("fb[0-9]+-(gen|rtr|snk).*")) {
                left.add(ns);
            }
        }
        assertEquals(List.of(), left, "the lab's namespaces are removed");
    }

    /** The checkout: the directory above the module that holds the launcher. */
    private static Path home() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("sluice")) && Files.isDirectory(p.resolve("bench/forward"))) {
                return p;
            }
        }
        throw new IllegalStateException("no ./sluice above " + Path.of("").toAbsolutePath());
    }

    /** Runs {@code ./sluice ARGS} from this test's class path (no jar, no build), under the lab's lock. */
    private static void run(Path home, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (VethLab.executable("flock") != null) {
            cmd.addAll(List.of("flock", "/tmp/sluice-lab.lock"));
        }
        cmd.add(home.resolve("sluice").toString());
        cmd.addAll(List.of(args));
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SLUICE_CLASSPATH", classPath);
        pb.environment().put("SLUICE_NO_BUILD", "1");
        Process p = pb.start();
        boolean done = p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
        if (!done) {
            p.destroy(); // TERM: the lab script's trap removes the namespaces
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("$ " + String.join(" ", cmd) + "\n" + output);
        assertTrue(done, "./sluice " + String.join(" ", args) + " did not end within " + LIMIT_SECONDS + " s");
        assertEquals(0, p.exitValue(), () -> "./sluice " + String.join(" ", args) + " failed:\n" + tail(output));
    }

    private static String tail(String s) {
        List<String> lines = s.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }
}
