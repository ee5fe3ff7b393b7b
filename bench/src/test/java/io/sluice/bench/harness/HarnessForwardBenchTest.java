package io.sluice.bench.harness;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The orchestration against a simulated lab, and the serving protocol against a stand-in script. */
class HarnessForwardBenchTest {
    record Call(String router, String placement, int size, long rate, int seconds) {
    }

    /**
     * A lab whose kernel forwards everything up to 1 M pps and Sluice up to 600 k; the generator reaches 900 k
     * unthrottled and 800 k at most when it paces to a rate (as the pacer of counted runs falls short).
     */
    static final class SimulatedLab implements Lab {
        final List<Call> calls = new ArrayList<>();

        @Override
        public TrialResult trial(String router, String placement, int frameSize, long ratePps, int seconds, TickListener ticks) {
            calls.add(new Call(router, placement, frameSize, ratePps, seconds));
            double capacity = router.equals("kernel") ? 1_000_000 : 600_000;
            double offered = ratePps == 0 ? 900_000 : Math.min(ratePps, 800_000);
            double delivered = Math.min(offered, capacity);
            if (ticks != null) {
                for (int s = 0; s < seconds; s++) {
                    ticks.tick(offered, delivered);
                }
            }
            long sent = ratePps == 0 ? 0 : Math.round(offered * seconds);
            long received = ratePps == 0 ? 0 : Math.round(delivered * seconds);
            return new TrialResult(ratePps, offered, delivered, sent, received, seconds, router.equals("sluice") ? 1500 : Double.NaN, null);
        }

        @Override
        public SoakResult soak(String placement, int frameSize, long ratePps, int seconds, double warmupSeconds, TickListener ticks) {
            calls.add(new Call("soak", placement, frameSize, ratePps, seconds));
            TrialResult t = trial("sluice", placement, frameSize, ratePps, seconds, ticks);
            calls.removeLast();
            List<SoakResult.RssSample> rss = new ArrayList<>();
            for (int i = 1; i <= seconds; i++) {
                rss.add(new SoakResult.RssSample(i, 300_000 + Math.min(i, 3) * 1000));
            }
            return new SoakResult(frameSize, placement, t, warmupSeconds, 0, 2, rss, true);
        }
    }

    @Test
    void theSoakRunsSluiceAt80PercentOfItsNdr() throws Exception {
        ForwardBench.Options o = new ForwardBench.Options(1, List.of(64), List.of("generator", "engine"), 1, false, "trafgen", 12, 1,
            0.005, 0.02, 20, "x");
        SimulatedLab lab = new SimulatedLab();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchResults r = new ForwardBench(o, new PrintStream(progress, true, StandardCharsets.UTF_8)).run(lab, HarnessSamples.results(false, false).machine());
        Call soak = lab.calls.getLast();
        assertEquals("soak", soak.router());
        assertEquals("engine", soak.placement());
        double ndr = r.ndr().stream().filter(n -> n.router().equals("sluice") && n.placement().equals("engine")).findFirst()
            .orElseThrow().result().ndr().lowerOfferedPps();
        assertEquals(Math.round(0.8 * ndr), soak.rate());
        assertEquals(20, soak.seconds());
        assertNotNull(r.soak());
        assertEquals(4, r.soak().warmupSeconds());
        assertTrue(r.soak().passed(), r.soak().toString());
        String text = progress.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("soak: Sluice, 64-byte frames, receive work on the engine core"), text);
        assertTrue(text.contains("pool full again at the end: yes; passed"), text);
        assertTrue(ForwardBench.table(r).contains("soak: "));
        assertEquals(30, ForwardBench.soakWarmup(600));
    }

    @Test
    void runsInterleaveTheForwardersAndEachKindIsSearched() throws Exception {
        ForwardBench.Options o = new ForwardBench.Options(2, List.of(64, 1518), List.of("generator", "engine"), 2, false,
            "trafgen", 12, 1, 0.005, 0.02, 0, "./sluice bench forward");
        SimulatedLab lab = new SimulatedLab();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchResults r = new ForwardBench(o, new PrintStream(progress, true, StandardCharsets.UTF_8)).run(lab, HarnessSamples.results(false, false).machine());

        assertEquals(16, r.runs().size());
        List<Call> full = lab.calls.stream().filter(c -> c.rate() == 0).toList();
        assertEquals(List.of("kernel", "sluice", "kernel", "sluice"), full.subList(0, 4).stream().map(Call::router).toList(), "interleaved");
        assertTrue(full.stream().allMatch(c -> c.seconds() == 2));
        assertEquals(8, r.ndr().size());
        NdrRecord sluice = r.ndr().stream().filter(n -> n.router().equals("sluice") && n.frameSize() == 64).findFirst().orElseThrow();
        assertEquals(900_000, sluice.config().maxPps(), "the search's maximum is what the generator reached");
        assertTrue(sluice.result().ndr().lowerPps() <= 600_000 && sluice.result().ndr().lowerPps() >= 600_000 * 0.98, sluice.toString());
        NdrRecord kernel = r.ndr().stream().filter(n -> n.router().equals("kernel")).findFirst().orElseThrow();
        assertEquals(NdrSearch.Status.AT_MAX, kernel.result().ndr().status());
        assertTrue(lab.calls.stream().filter(c -> c.rate() > 0).allMatch(c -> c.seconds() == 1));

        String text = progress.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[1/16] 64-byte frames, kernel, receive work on the generator core, run 1"), text);
        assertTrue(text.contains("offered    900,000 pps  delivered    600,000 pps"), "live ticks");
        assertTrue(text.contains("NDR/PDR search: 64-byte frames, sluice"), text);
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("Latency: not measured")));
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("offered less than 95 % of their target")),
            "the searches asked 900 k of a generator that paces to 800 k at most: " + r.notes());

        String table = ForwardBench.table(r);
        assertEquals(1 + 8 + 8, table.lines().count(), table);
        assertTrue(table.contains("NDR 64-byte frames, kernel, generator core: at least 800,000 pps (the generator's limit)"), table);
    }

    @Test
    void engineOnlyRunsNoKernel() throws Exception {
        ForwardBench.Options o = new ForwardBench.Options(1, List.of(64), List.of("engine"), 3, true, "sluice", 0, 1, 0.005, 0.02, 0, "x");
        SimulatedLab lab = new SimulatedLab();
        BenchResults r = new ForwardBench(o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
            .run(lab, HarnessSamples.results(false, false).machine());
        assertEquals(3, r.runs().size());
        assertTrue(lab.calls.stream().allMatch(c -> c.router().equals("sluice")));
        assertEquals(List.of(), r.ndr());
        assertEquals(List.of("sluice"), r.method().routers());
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ForwardBench.Options(2, List.of(63), List.of("engine"), 1, false, "trafgen", 0, 1, 0.005, 0.02, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ForwardBench.Options(2, List.of(64), List.of("elsewhere"), 1, false, "trafgen", 0, 1, 0.005, 0.02, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ForwardBench.Options(2, List.of(64), List.of("engine"), 1, false, "pktgen", 0, 1, 0.005, 0.02, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ForwardBench.Options(0, List.of(64), List.of("engine"), 1, false, "trafgen", 0, 1, 0.005, 0.02, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ForwardBench.Options(2, List.of(64), List.of("engine"), 1, false, "trafgen", 1, 1, 0.005, 0.02, 0, "x"));
    }

    @Test
    void theServingProtocolOverAStandInScript(@TempDir Path dir) throws Exception {
        Histogram h = new Histogram(10_000_000_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 100L);
        }
        Path hlog = dir.resolve("latency.hlog");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(hlog), false, StandardCharsets.US_ASCII)) {
            HistogramLogWriter w = new HistogramLogWriter(ps);
            w.outputLogFormatVersion();
            w.outputIntervalHistogram(0, 1, h, 1.0);
        }
        Path script = dir.resolve("lab.sh");
        Files.writeString(script, """
            echo "building the lab"
            echo "@ready generator=sluice cpus=2"
            while read -r cmd router placement size rate secs; do
              case "$cmd" in
                trial)
                  echo "human line"
                  echo "@tick offered_pps=10 delivered_pps=9"
                  echo "@tick offered_pps=11 delivered_pps=10"
                  echo "@trial router=$router placement=$placement size=$size target_pps=$rate offered_pps=1000 delivered_pps=990 sent=2000 received=1980 seconds=2 cpu_ns_per_packet=- latency_file=%s" ;;
                fail) echo "@error message=it_broke" ;;
                quit) echo bye > "%s"; exit 0 ;;
              esac
            done
            """.formatted(hlog, dir.resolve("quit-seen")));
        ByteArrayOutputStream echo = new ByteArrayOutputStream();
        List<Double> ticks = new ArrayList<>();
        try (LabSession lab = LabSession.start(List.of("bash", script.toString()), new PrintStream(echo, true, StandardCharsets.UTF_8))) {
            assertEquals("sluice", lab.ready().text("generator"));
            TrialResult t = lab.trial("sluice", "engine", 64, 1000, 2, (o, d) -> ticks.add(o));
            assertEquals(List.of(10.0, 11.0), ticks);
            assertEquals(0.01, t.lossRatio(), 1e-12);
            assertTrue(Double.isNaN(t.cpuNsPerPacket()));
            assertNotNull(t.latency());
            assertEquals(1000, t.latency().count());
            assertEquals(50_000, t.latency().p50(), 100);
        }
        assertTrue(Files.exists(dir.resolve("quit-seen")), "close() sent quit");
        String shown = echo.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("building the lab") && shown.contains("human line"), shown);
        assertFalse(shown.contains("@tick"));

        Path gc = dir.resolve("gc.log");
        Files.writeString(gc, """
            [0.006s][info][gc] Using G1
            [1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(256M) 2.345ms
            [9.500s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 26M->3M(256M) 1.100ms
            """);
        Path rss = dir.resolve("rss.txt");
        Files.writeString(rss, "1 300000\n2 310000\n3 311000\n4 311000\n");
        Path soakScript = dir.resolve("soak.sh");
        Files.writeString(soakScript, """
            echo "@ready generator=trafgen"
            while read -r cmd placement size rate secs; do
              case "$cmd" in
                soak)
                  echo "@tick offered_pps=10 delivered_pps=10 rss_kb=300000"
                  echo "@soak router=sluice placement=$placement size=$size target_pps=$rate offered_pps=800 delivered_pps=800 sent=3200 received=3200 seconds=4 cpu_ns_per_packet=- gc_log=%s rss_file=%s pool_full=yes traffic_uptime=3.0" ;;
                quit) exit 0 ;;
              esac
            done
            """.formatted(gc, rss));
        try (LabSession lab = LabSession.start(List.of("bash", soakScript.toString()), null)) {
            SoakResult s = lab.soak("engine", 64, 800, 4, 2, null);
            assertEquals(64, s.frameSize());
            assertEquals(2, s.gcPauses());
            assertEquals(1, s.gcPausesAfterWarmup(), "the pause at 9.5 s is after traffic (3 s) + warm-up (2 s)");
            assertEquals(4, s.rss().size());
            assertEquals(310_000, s.rssAfterWarmupKb());
            assertEquals(1000, s.rssGrowthKb());
            assertTrue(s.poolFullAtEnd());
            assertFalse(s.passed(), "a GC after the warm-up fails the soak");
            assertEquals(0, s.trial().lossRatio());
        }

        Path broken = dir.resolve("broken.sh");
        Files.writeString(broken, "echo 'forward-bench: needs root'\nexit 1\n");
        Exception e = assertThrows(java.io.IOException.class, () -> LabSession.start(List.of("bash", broken.toString()), null));
        assertTrue(e.getMessage().contains("exit 1") && e.getMessage().contains("needs root"), e.getMessage());
    }
}
