package io.sluice.cli;

import io.sluice.bench.harness.BenchResults;
import io.sluice.bench.harness.ForwardBench;
import io.sluice.bench.harness.LabSession;
import io.sluice.bench.harness.Plots;
import io.sluice.bench.harness.ResultFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench forward}: the kernel's IPv4 forwarding against Sluice's in the veth lab of
 * {@code bench/forward/forward-bench.sh}, which this command starts in its serving mode and drives trial by trial:
 * live progress, a table at the end, and results.json, CSV files and SVG plots in {@code --out}.
 */
@Command(name = "bench-forward", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Forwarding in a veth lab (root): the kernel against Sluice, interleaved runs per frame size and placement,",
        "an NDR/PDR search, CPU per packet, latency (--generator sluice); results.json, CSV and SVG plots in --out.",
        "Then ./sluice bench report puts them into PERFORMANCE.md."})
final class BenchForwardCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds of a full-rate run, after a 2 s warm-up (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--sizes", defaultValue = "64,512,1518", split = ",", description = "Frame sizes with the FCS, 64..1518 (default ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--placement", defaultValue = "both", description = "Where the router's receive work runs: engine, generator or both (default ${DEFAULT-VALUE}).")
    String placement;

    @Option(names = "--runs", defaultValue = "3", description = "Full-rate runs of each forwarder, interleaved (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--engine-only", description = "Sluice only: no kernel baseline.")
    boolean engineOnly;

    @Option(names = "--generator", defaultValue = "trafgen", description = "trafgen, or sluice (Sluice's pktgen: latency from its sink) (default ${DEFAULT-VALUE}).")
    String generator;

    @Option(names = "--ndr-trials", defaultValue = "10", description = "Bound on the trials of each NDR/PDR search; 0 = no search (default ${DEFAULT-VALUE}).")
    int ndrTrials;

    @Option(names = "--ndr-seconds", defaultValue = "2", description = "Length of a search's counted trial (default ${DEFAULT-VALUE}).")
    int ndrSeconds;

    @Option(names = "--pdr-loss", defaultValue = "0.005", description = "The PDR's loss tolerance (default ${DEFAULT-VALUE}, CSIT's 0.5 %%).")
    double pdrLoss;

    @Option(names = "--precision", defaultValue = "0.02", description = "A search stops when its interval is this narrow, relative (default ${DEFAULT-VALUE}).")
    double precision;

    @Option(names = "--soak", defaultValue = "0", description = "Then a soak of Sluice at 80 %% of its NDR for this many seconds with a GC log (the issue's: 600); 0 = none (default ${DEFAULT-VALUE}).")
    int soak;

    @Option(names = "--out", description = "Where the results go (default: bench/results/forward-UTCTIME).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("sluice.home", "."));
        List<String> placements = switch (placement) {
            case "both" -> List.of("generator", "engine");
            case "engine", "generator" -> List.of(placement);
            default -> throw new IllegalArgumentException("--placement " + placement + ": engine, generator or both");
        };
        StringBuilder cmd = new StringBuilder("./sluice bench forward --seconds " + seconds + " --runs " + runs + " --sizes "
            + String.join(",", sizes.stream().map(String::valueOf).toList()) + " --placement " + placement
            + " --generator " + generator + " --ndr-trials " + ndrTrials);
        if (ndrTrials > 0) {
            cmd.append(" --ndr-seconds ").append(ndrSeconds).append(" --pdr-loss ").append(pdrLoss).append(" --precision ").append(precision);
        }
        if (engineOnly) {
            cmd.append(" --engine-only");
        }
        if (soak > 0) {
            cmd.append(" --soak ").append(soak);
        }
        ForwardBench.Options o = new ForwardBench.Options(seconds, sizes, placements, runs, engineOnly, generator, ndrTrials,
            ndrSeconds, pdrLoss, precision, soak, cmd.toString());
        if (out == null) {
            out = home.resolve("bench/results/forward-"
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        Files.createDirectories(out);
        Path latencyDir = out.resolve("latency");
        List<String> script = new ArrayList<>(List.of("bash", home.resolve("bench/forward/forward-bench.sh").toString(),
            "--serve", "--generator", generator, "--latency-dir", latencyDir.toAbsolutePath().toString()));
        System.out.printf("sluice bench forward: %d full-rate runs of %d s (+ warm-ups)%s; results in %s%n", o.totalRuns(), seconds,
            ndrTrials > 0 ? ", then an NDR/PDR search of at most " + ndrTrials + " trials per forwarder" : "", out);
        BenchResults.Machine machine = BenchResults.Machine.current();
        BenchResults r;
        try (LabSession lab = LabSession.start(script, System.out)) {
            r = new ForwardBench(o, System.out).run(lab, machine);
        }
        List<Path> files = new ArrayList<>(ResultFiles.write(r, out));
        files.addAll(Plots.write(r, out));
        System.out.println();
        System.out.print(ForwardBench.table(r));
        System.out.println();
        r.notes().forEach(n -> System.out.println("note: " + n));
        System.out.println("wrote " + String.join(", ", files.stream().map(f -> out.relativize(f).toString()).toList()) + " in " + out);
        System.out.println("./sluice bench report puts them into PERFORMANCE.md");
        return 0;
    }
}
