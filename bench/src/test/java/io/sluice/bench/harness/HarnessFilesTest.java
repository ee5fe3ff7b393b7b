package io.sluice.bench.harness;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing the lab's lines, the JSON round trip and the CSV files. */
class HarnessFilesTest {
    @Test
    void labLinesAreParsedAndHumanOutputIsNot() {
        LabLine l = LabLine.parse("@trial router=sluice placement=engine size=64 target_pps=0 offered_pps=812345.6 "
            + "delivered_pps=700000 sent=- received=nan seconds=5.00 cpu_ns_per_packet=").orElseThrow();
        assertEquals("trial", l.kind());
        assertEquals("sluice", l.text("router"));
        assertEquals(812345.6, l.num("offered_pps"));
        assertEquals(0, l.count("sent"));
        assertTrue(Double.isNaN(l.num("received")));
        assertTrue(Double.isNaN(l.num("cpu_ns_per_packet")));
        TrialResult t = TrialResult.of(l);
        assertEquals(700000, t.deliveredPps());
        assertEquals(1 - 700000 / 812345.6, t.lossRatio(), 1e-12);

        assertTrue(LabLine.parse("  sluice  engine round 1: offered 1 delivered 1").isEmpty());
        assertTrue(LabLine.parse("@ lone at sign").isEmpty());
        assertTrue(LabLine.parse("").isEmpty());
        assertTrue(LabLine.parse(null).isEmpty());
        assertEquals("ready", LabLine.parse("@ready").orElseThrow().kind());
        assertThrows(IllegalArgumentException.class, () -> LabLine.parse("@trial offered_pps"));
        assertThrows(IllegalArgumentException.class, () -> LabLine.parse("@trial x=1").orElseThrow().text("y"));
        assertThrows(IllegalArgumentException.class, () -> LabLine.parse("@trial x=fast").orElseThrow().num("x"));
        assertEquals("d", LabLine.parse("@t x=-").orElseThrow().textOr("x", "d"));
    }

    @Test
    void countedTrialLineGivesTheLossFromTheCounts() {
        TrialResult t = TrialResult.of(LabLine.parse("@trial target_pps=100000 offered_pps=99990 delivered_pps=99000 "
            + "sent=199980 received=197980 seconds=2 cpu_ns_per_packet=1234.5").orElseThrow());
        assertEquals(2000.0 / 199980, t.lossRatio(), 1e-12);
        assertEquals(1234.5, t.cpuNsPerPacket());
    }

    @Test
    void jsonRoundTripKeepsEverythingIncludingNaN() throws Exception {
        for (boolean latency : new boolean[] {false, true}) {
            BenchResults r = HarnessSamples.results(latency, latency);
            String json = ResultFiles.toJson(r);
            assertTrue(json.contains("\"summaries\""));
            BenchResults back = ResultFiles.fromJson(json);
            assertEquals(r, back, "record equality: every field survived, NaN included");
            assertEquals(r.summaries(), back.summaries());
        }
        assertThrows(Exception.class, () -> ResultFiles.fromJson("{\"schema\": 99}"));
    }

    @Test
    void summariesAreMediansPerKindInTheMethodsOrder() {
        BenchResults r = HarnessSamples.results(true, false);
        List<BenchResults.Summary> s = r.summaries();
        assertEquals(2 * 2 * 2, s.size());
        assertEquals(List.of("64/generator/kernel", "64/generator/sluice", "64/engine/kernel", "64/engine/sluice"),
            s.subList(0, 4).stream().map(x -> x.frameSize() + "/" + x.placement() + "/" + x.router()).toList());
        BenchResults.Summary k = r.summary(64, "kernel", "generator");
        assertEquals(3, k.runs());
        assertEquals(980_000, k.offeredPps());
        assertEquals(0, k.lossRatio());
        assertTrue(Double.isNaN(k.cpuNsPerPacket()));
        BenchResults.Summary sl = r.summary(64, "sluice", "engine");
        assertEquals(0.16, sl.lossRatio(), 1e-9);
        assertEquals(902, sl.cpuNsPerPacket());
        assertNotNull(sl.latency());
        assertNull(r.summary(512, "sluice", "engine"));
    }

    @Test
    void csvFilesHaveAHeaderAndOneRowPerRunSummaryAndSearch(@TempDir Path dir) throws Exception {
        BenchResults r = HarnessSamples.results(false, true);
        List<Path> files = ResultFiles.write(r, dir);
        assertEquals(4, files.size());
        List<String> runs = Files.readAllLines(dir.resolve(ResultFiles.RUNS_CSV));
        assertEquals(1 + r.runs().size(), runs.size());
        int columns = runs.getFirst().split(",", -1).length;
        for (String line : runs) {
            assertEquals(columns, line.split(",", -1).length, line);
        }
        assertTrue(runs.get(1).startsWith("64,kernel,generator,1,0,990000,990000,0.000000,0,0,5,,"), runs.get(1));
        List<String> summary = Files.readAllLines(dir.resolve(ResultFiles.SUMMARY_CSV));
        assertEquals(1 + 8, summary.size());
        List<String> ndr = Files.readAllLines(dir.resolve(ResultFiles.NDR_CSV));
        assertEquals(1 + 8, ndr.size());
        assertTrue(ndr.stream().anyMatch(l -> l.contains(",AT_MAX,")), String.join("\n", ndr));
        assertTrue(ndr.stream().anyMatch(l -> l.contains(",PRECISE,")), String.join("\n", ndr));
        assertEquals(r, ResultFiles.read(dir.resolve(ResultFiles.JSON)));
    }
}
