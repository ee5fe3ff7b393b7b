package io.sluice.cli;

import io.sluice.bench.harness.BenchResults;
import io.sluice.bench.harness.PerformanceReport;
import io.sluice.bench.harness.Plots;
import io.sluice.bench.harness.ResultFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench report}: regenerates the marked section of PERFORMANCE.md from a {@code results.json}
 * (the latest under bench/results by default). The plots are drawn again from the JSON into
 * {@code bench/report/}, and the JSON is copied there, so that the committed report can be regenerated.
 */
@Command(name = "bench-report", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Regenerates PERFORMANCE.md's generated section (machine, JDK, method, tables, plots) from a results.json.")
final class BenchReportCommand implements Callable<Integer> {
    @Option(names = "--from", description = "A results.json, or a directory holding one (default: the latest under bench/results).")
    Path from;

    @Option(names = "--performance-md", description = "The file to update (default: PERFORMANCE.md of the checkout).")
    Path performanceMd;

    @Option(names = "--plot-dir", description = "Where the plots go, relative to PERFORMANCE.md's directory (default ${DEFAULT-VALUE}).",
        defaultValue = "bench/report")
    String plotDir;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("sluice.home", "."));
        Path json = resolve(from != null ? from : latest(home.resolve("bench/results")));
        Path md = performanceMd != null ? performanceMd : home.resolve("PERFORMANCE.md");
        Path base = md.toAbsolutePath().getParent();
        BenchResults r = ResultFiles.read(json);
        Path plots = base.resolve(plotDir);
        Files.createDirectories(plots);
        List<String> names = Plots.write(r, plots).stream().map(p -> p.getFileName().toString()).toList();
        Files.copy(json, plots.resolve("forward-results.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        PerformanceReport.update(md, r, plotDir, names);
        List<String> problems = PerformanceReport.problems(Files.readString(md), r, base);
        System.out.printf("updated %s from %s (%d runs, %d searches); plots in %s%n", md, json, r.runs().size(), r.ndr().size(), plots);
        problems.forEach(p -> System.out.println("problem: " + p));
        return problems.isEmpty() ? 0 : 1;
    }

    private static Path resolve(Path p) throws IOException {
        Path json = Files.isDirectory(p) ? p.resolve(ResultFiles.JSON) : p;
        if (!Files.isRegularFile(json)) {
            throw new IOException(json + " not found (run ./sluice bench forward first, or give --from)");
        }
        return json;
    }

    /** The newest results.json under {@code dir}. */
    static Path latest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no results under " + dir + ": run ./sluice bench forward first (or give --from)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(d -> d.resolve(ResultFiles.JSON)).filter(Files::isRegularFile)
                .max(Comparator.comparing(BenchReportCommand::modified))
                .orElseThrow(() -> new IOException("no results.json under " + dir + ": run ./sluice bench forward first"));
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
