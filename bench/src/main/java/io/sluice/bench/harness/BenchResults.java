package io.sluice.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one {@code ./sluice bench forward} measured, with the machine and the method: what the JSON file
 * holds and the report is generated from.
 */
public record BenchResults(int schema, String started, String finished, Machine machine, Method method,
                           List<RunResult> runs, List<NdrRecord> ndr, SoakResult soak, List<String> notes) {
    public static final int SCHEMA = 1;

    public BenchResults {
        runs = List.copyOf(runs);
        ndr = List.copyOf(ndr);
        notes = List.copyOf(notes);
    }

    /** The machine the runs ran on. */
    public record Machine(String cpuModel, int cpus, double mhz, String kernel, String jdk, String jvm, String loadAverage) {
        /** This machine, now. */
        public static Machine current() {
            String model = "unknown";
            double mhz = Double.NaN;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name") && model.equals("unknown")) {
                        model = line.substring(line.indexOf(':') + 1).strip();
                    } else if (line.startsWith("cpu MHz") && Double.isNaN(mhz)) {
                        mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not Linux, or an unusual cpuinfo: the report says unknown
            }
            String load;
            try {
                load = Files.readString(Path.of("/proc/loadavg")).strip();
                String[] w = load.split(" ");
                load = w.length >= 3 ? w[0] + " " + w[1] + " " + w[2] : load;
            } catch (IOException e) {
                load = String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
            return new Machine(model, Runtime.getRuntime().availableProcessors(), mhz,
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), load);
        }
    }

    /**
     * How the runs were made.
     *
     * @param seconds     the measured window of a run (after a warm-up)
     * @param runs        runs of each kind, interleaved
     * @param generator   "trafgen" or "sluice"
     * @param ndrTrials   the bound on an NDR search's trials (0: no search)
     * @param ndrSeconds  the length of an NDR trial
     */
    public record Method(double seconds, int runs, List<Integer> sizes, List<String> placements, List<String> routers,
                         String generator, int ndrTrials, double ndrSeconds, double pdrLossRatio, double ndrPrecision,
                         int soakSeconds, String command) {
        public Method {
            sizes = List.copyOf(sizes);
            placements = List.copyOf(placements);
            routers = List.copyOf(routers);
        }
    }

    /** The medians of the runs of one frame size, forwarder and placement. */
    public record Summary(int frameSize, String router, String placement, int runs, double offeredPps,
                          double deliveredPps, double lossRatio, double cpuNsPerPacket, LatencySummary latency) {
    }

    /** One summary per frame size, forwarder and placement, in the order of the method's lists. */
    public List<Summary> summaries() {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        List<RunResult> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingInt(RunResult::frameSize)
            .thenComparingInt(r -> indexOr(method.placements(), r.placement()))
            .thenComparingInt(r -> indexOr(method.routers(), r.router())));
        for (RunResult r : sorted) {
            groups.computeIfAbsent(r.frameSize() + "/" + r.router() + "/" + r.placement(), k -> new ArrayList<>()).add(r);
        }
        List<Summary> out = new ArrayList<>();
        for (List<RunResult> g : groups.values()) {
            RunResult first = g.getFirst();
            out.add(new Summary(first.frameSize(), first.router(), first.placement(), g.size(),
                Stats.median(g.stream().map(r -> r.trial().offeredPps()).toList()),
                Stats.median(g.stream().map(r -> r.trial().deliveredPps()).toList()),
                Stats.median(g.stream().map(RunResult::lossRatio).toList()),
                Stats.median(g.stream().map(r -> r.trial().cpuNsPerPacket()).toList()),
                LatencySummary.median(g.stream().map(r -> r.trial().latency()).toList())));
        }
        return out;
    }

    /** The summary of one kind, or null. */
    public Summary summary(int frameSize, String router, String placement) {
        return summaries().stream().filter(s -> s.frameSize() == frameSize && s.router().equals(router)
            && s.placement().equals(placement)).findFirst().orElse(null);
    }

    private static int indexOr(List<String> l, String s) {
        int i = l.indexOf(s);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    public BenchResults withNotes(List<String> more) {
        List<String> n = new ArrayList<>(notes);
        more.stream().filter(Objects::nonNull).forEach(n::add);
        return new BenchResults(schema, started, finished, machine, method, runs, ndr, soak, n);
    }
}
