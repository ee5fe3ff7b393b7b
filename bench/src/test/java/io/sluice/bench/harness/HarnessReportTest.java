package io.sluice.bench.harness;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plots and the generated section of PERFORMANCE.md: complete and well-formed. */
class HarnessReportTest {
    @Test
    void plotsAreSvgFilesWithTheSeriesNamed(@TempDir Path dir) throws Exception {
        BenchResults r = HarnessSamples.results(true, false);
        List<Path> plots = Plots.write(r, dir);
        assertEquals(List.of(dir.resolve(Plots.RATE), dir.resolve(Plots.latencyFile(64)), dir.resolve(Plots.latencyFile(1518))), plots);
        for (Path p : plots) {
            String svg = Files.readString(p);
            assertTrue(svg.contains("<svg") && svg.strip().endsWith("</svg>"), p + " is a whole SVG document");
        }
        // XChart draws text as outlines (paths), so the SVG renders the same without the fonts; it is not searchable.
        assertTrue(Files.readString(dir.resolve(Plots.RATE)).contains("<path"));
    }

    @Test
    void noLatencyPlotWithoutLatency(@TempDir Path dir) throws Exception {
        List<Path> plots = Plots.write(HarnessSamples.results(false, false), dir);
        assertEquals(List.of(dir.resolve(Plots.RATE)), plots);
    }

    @Test
    void percentileTicksAreNamedByPercentile() {
        assertEquals("p0", Plots.percentileLabel(0));
        assertEquals("p90", Plots.percentileLabel(1));
        assertEquals("p99.9", Plots.percentileLabel(3));
        assertEquals("p99.999", Plots.percentileLabel(5));
        assertEquals("", Plots.percentileLabel(2.5));
        assertEquals(3, Plots.nines(99.9), 1e-9);
        assertEquals(0, Plots.nines(0));
    }

    @Test
    void theGeneratedSectionIsCompleteAndReplacesOnlyItself(@TempDir Path dir) throws Exception {
        BenchResults r = HarnessSamples.results(true, true);
        Path plotDir = dir.resolve("bench/report");
        List<String> plots = Plots.write(r, plotDir).stream().map(p -> p.getFileName().toString()).toList();
        String section = PerformanceReport.section(r, "bench/report", plots);

        assertTrue(section.startsWith(PerformanceReport.BEGIN + "\n"));
        assertTrue(section.endsWith(PerformanceReport.END + "\n"));
        assertTrue(section.contains("Test CPU @ 2.60GHz \\| virtual, 2 CPUs, 2600 MHz"), "the machine, with '|' escaped");
        assertTrue(section.contains("Eclipse Adoptium 25+36"), "the JDK");
        assertTrue(section.contains("`./sluice bench forward --seconds 5 --runs 3 --sizes 64,1518`"), "how to reproduce");
        assertTrue(section.contains("| generator core | sluice | 990,000/653,400 980,000/646,800 970,000/640,200 | 980,000 | 646,800 | 34.00 % | 0.660 | 902 |"),
            section);
        assertTrue(section.contains("| engine core | kernel |"));
        assertTrue(section.contains("Sluice against the kernel, receive work on the engine core, same run: 0.840x"));
        assertTrue(section.contains("| generator core | kernel | ≥ 950,000 (the generator's limit) |"), "NDR at the generator's limit");
        assertTrue(section.contains("![Latency distribution, 64-byte frames](bench/report/forward-latency-64.svg)"));
        assertTrue(section.contains("![Delivered packet rate by frame size](bench/report/forward-rate.svg)"));
        // Every table row has as many cells as its header.
        for (String block : section.split("\n\n")) {
            List<String> rows = block.lines().filter(l -> l.startsWith("|")).toList();
            if (!rows.isEmpty()) {
                long cells = rows.getFirst().chars().filter(c -> c == '|').count() - rows.getFirst().split("\\\\\\|", -1).length + 1;
                for (String row : rows) {
                    long n = row.chars().filter(c -> c == '|').count() - row.split("\\\\\\|", -1).length + 1;
                    assertEquals(cells, n, "cells in: " + row);
                }
            }
        }

        String doc = "# Performance\n\nHand-written.\n\n" + section + "\n## After\n\nAlso hand-written.\n";
        Files.writeString(dir.resolve("PERFORMANCE.md"), doc);
        assertEquals(List.of(), PerformanceReport.problems(doc, r, dir));

        BenchResults again = HarnessSamples.results(false, false);
        String replaced = PerformanceReport.replaceSection(doc, PerformanceReport.section(again, "bench/report", List.of(Plots.RATE)));
        assertTrue(replaced.startsWith("# Performance\n\nHand-written.\n\n" + PerformanceReport.BEGIN));
        assertTrue(replaced.endsWith(PerformanceReport.END + "\n\n## After\n\nAlso hand-written.\n"), replaced);
        assertEquals(1, replaced.split(java.util.regex.Pattern.quote(PerformanceReport.BEGIN), -1).length - 1);
        assertFalse(replaced.contains("forward-latency-64.svg"), "the old section is gone");
        assertTrue(replaced.contains("trafgen's frames carry no timestamp"), "notes are listed");
        assertEquals(List.of(), PerformanceReport.problems(replaced, again, dir));
    }

    @Test
    void theSoakHasItsTable(@TempDir Path dir) throws Exception {
        BenchResults base = HarnessSamples.results(false, false);
        TrialResult t = new TrialResult(480_000, 479_000, 479_000, 287_400_000, 287_400_000, 600, Double.NaN, null);
        SoakResult soak = new SoakResult(64, "engine", t, 30, 0, 4,
            List.of(new SoakResult.RssSample(30, 400_000), new SoakResult.RssSample(600, 401_000)), true);
        BenchResults r = new BenchResults(base.schema(), base.started(), base.finished(), base.machine(), base.method(),
            base.runs(), base.ndr(), soak, base.notes());
        String section = PerformanceReport.section(r, "p", List.of());
        assertTrue(section.contains("### Soak"), section);
        assertTrue(section.contains("| 479,000 | 479,000 | 0.00 % | 0 (4), warm-up 30 s | 400,000 KiB, 401,000 KiB (+1,000 KiB) | yes | passed |"), section);
        assertEquals(List.of(), PerformanceReport.problems(section, r, dir));
        assertEquals(List.of("no soak table"), PerformanceReport.problems(section.replace("### Soak", "### Something"), r, dir));
        assertEquals(r, ResultFiles.fromJson(ResultFiles.toJson(r)), "the soak survives the JSON round trip");
    }

    @Test
    void aDocumentWithoutTheSectionGetsItAppendedAndProblemsAreFound(@TempDir Path dir) {
        BenchResults r = HarnessSamples.results(false, false);
        String section = PerformanceReport.section(r, "plots", List.of(Plots.RATE));
        String doc = PerformanceReport.replaceSection("# Performance\n", section);
        assertEquals("# Performance\n\n" + section, doc);
        List<String> problems = PerformanceReport.problems(doc, r, dir);
        assertEquals(List.of("plot plots/forward-rate.svg is missing or not an SVG"), problems);
        assertEquals(List.of("the generated section's markers are missing or out of order"),
            PerformanceReport.problems("# Performance\n", r, dir));
        String truncated = doc.replaceAll("(?s)### 1518-byte frames.*?(?=!\\[)", "");
        assertTrue(PerformanceReport.problems(truncated, r, dir).contains("no table for 1518-byte frames"));
        String missingRow = doc.replace("| engine core | sluice |", "| engine core | ? |");
        assertTrue(PerformanceReport.problems(missingRow, r, dir).stream().anyMatch(p -> p.contains("no row for sluice, engine core")));
        assertThrows(IllegalArgumentException.class, () -> PerformanceReport.replaceSection(PerformanceReport.BEGIN + "\n", section));
    }
}
