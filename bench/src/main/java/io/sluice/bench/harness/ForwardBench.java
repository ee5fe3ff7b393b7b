package io.sluice.bench.harness;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./sluice bench forward}'s plan, run against a {@link Lab}: for each frame size and placement, runs of the
 * forwarders at the generator's full rate, interleaved (kernel, Sluice, kernel, Sluice, ...), so that whatever else
 * the machine does falls on both alike; then, if asked, an NDR/PDR search per forwarder between 1 % of the rate the
 * generator reached and that rate. Live progress goes to {@code out}; the results come back whole.
 */
public final class ForwardBench {

    /**
     * @param seconds    the measured window of a full-rate run
     * @param ndrTrials  the bound on each search's trials; 0 for no search
     * @param ndrSeconds the length of a search's counted trial
     * @param command    the command line, for the report's "reproduce with"
     */
    public record Options(int seconds, List<Integer> sizes, List<String> placements, int runs, boolean engineOnly,
                          String generator, int ndrTrials, int ndrSeconds, double pdrLossRatio, double ndrPrecision,
                          int soakSeconds, String command) {
        public Options {
            sizes = List.copyOf(sizes);
            placements = List.copyOf(placements);
            if (seconds < 1 || runs < 1 || ndrTrials < 0 || (ndrTrials > 0 && ndrSeconds < 1)) {
                throw new IllegalArgumentException("seconds=" + seconds + " runs=" + runs + " ndrTrials=" + ndrTrials
                    + " ndrSeconds=" + ndrSeconds + ": need seconds >= 1, runs >= 1, ndrTrials >= 0 (and ndrSeconds >= 1 with a search)");
            }
            if (soakSeconds < 0 || (soakSeconds > 0 && soakSeconds < 5)) {
                throw new IllegalArgumentException("soakSeconds=" + soakSeconds + ": 0 for none, else at least 5");
            }
            if (ndrTrials == 1) {
                throw new IllegalArgumentException("ndrTrials=1: a search needs 2 or more (0 for none)");
            }
            if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 64 || s > 1518)) {
                throw new IllegalArgumentException("frame sizes " + sizes + " must be 64..1518 bytes (with the FCS)");
            }
            if (placements.isEmpty() || placements.stream().anyMatch(p -> !p.equals("engine") && !p.equals("generator"))) {
                throw new IllegalArgumentException("placements " + placements + " must be engine and/or generator");
            }
            if (!generator.equals("trafgen") && !generator.equals("sluice")) {
                throw new IllegalArgumentException("generator " + generator + " must be trafgen or sluice");
            }
        }

        public List<String> routers() {
            return engineOnly ? List.of("sluice") : List.of("kernel", "sluice");
        }

        public int totalRuns() {
            return sizes.size() * placements.size() * runs * routers().size();
        }
    }

    private final Options options;
    private final PrintStream out;

    public ForwardBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public BenchResults run(Lab lab, BenchResults.Machine machine) throws Exception {
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<RunResult> runs = new ArrayList<>();
        List<NdrRecord> ndr = new ArrayList<>();
        int n = 0;
        int total = options.totalRuns();
        for (int size : options.sizes()) {
            for (String placement : options.placements()) {
                for (int run = 1; run <= options.runs(); run++) {
                    for (String router : options.routers()) {
                        n++;
                        out.printf(Locale.ROOT, "[%d/%d] %d-byte frames, %s, receive work on the %s core, run %d, full rate (%d s after a warm-up)%n",
                            n, total, size, router, placement, run, options.seconds());
                        TrialResult t = lab.trial(router, placement, size, 0, options.seconds(),
                            (o, d) -> out.printf(Locale.ROOT, "        offered %,10.0f pps  delivered %,10.0f pps%n", o, d));
                        out.println("      = " + describe(t));
                        runs.add(new RunResult(size, router, placement, run, t));
                    }
                }
                if (options.ndrTrials() > 0) {
                    for (String router : options.routers()) {
                        ndr.add(search(lab, runs, size, placement, router));
                    }
                }
            }
        }
        SoakResult soak = options.soakSeconds() > 0 ? soak(lab, runs, ndr) : null;
        List<String> notes = new ArrayList<>();
        if (options.generator().equals("trafgen")) {
            notes.add("Latency: not measured. trafgen's frames carry no timestamp; `--generator sluice` measures it "
                + "(Sluice's pktgen writes a sequence number and a send timestamp in each frame, its sink on k0 reads them).");
        } else {
            notes.add("Latency: Sluice's pktgen sink on k0 compares each frame's send timestamp (System.nanoTime, one host) "
                + "with its arrival; the sink shares CPU 1 with the generator, and full-rate runs include the warm-up.");
        }
        long short_ = ndr.stream().flatMap(x -> x.result().trials().stream())
            .filter(t -> t.offeredPps() < 0.95 * t.targetPps()).count();
        if (short_ > 0) {
            notes.add(short_ + " search trial(s) offered less than 95 % of their target rate: the pacer of counted runs "
                + "(Sluice's pktgen, whole bursts of 32 at the rate) falls short of trafgen's full rate"
                + (options.generator().equals("trafgen") ? "" : ", and shares CPU 1 with its sink") + ". The NDR and PDR are the rates actually offered; "
                + "\"the generator's limit\" marks a forwarder that lost nothing at the highest rate the generator reached.");
        }
        if (options.engineOnly()) {
            notes.add("--engine-only: no kernel baseline in this run.");
        }
        BenchResults.Method method = new BenchResults.Method(options.seconds(), options.runs(), options.sizes(),
            options.placements(), options.routers(), options.generator(), options.ndrTrials(), options.ndrSeconds(),
            options.pdrLossRatio(), options.ndrPrecision(), options.soakSeconds(), options.command());
        return new BenchResults(BenchResults.SCHEMA, started, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
            machine, method, runs, ndr, soak, notes);
    }

    /** The soak's warm-up: the first fifth of it, at most 30 s. */
    static double soakWarmup(int seconds) {
        return Math.min(30, seconds / 5.0);
    }

    /**
     * The soak: Sluice at 80 % of its NDR (of the first frame size, the engine placement if measured), or, without
     * a search, at 80 % of what it delivered at full rate.
     */
    private SoakResult soak(Lab lab, List<RunResult> runs, List<NdrRecord> ndr) throws Exception {
        int size = options.sizes().getFirst();
        String placement = options.placements().contains("engine") ? "engine" : options.placements().getFirst();
        double base = ndr.stream().filter(n -> n.router().equals("sluice") && n.frameSize() == size && n.placement().equals(placement))
            .map(n -> n.result().ndr().lowerOfferedPps()).filter(v -> v > 0).findFirst()
            .orElse(Stats.median(runs.stream().filter(r -> r.router().equals("sluice") && r.frameSize() == size
                && r.placement().equals(placement)).map(r -> r.trial().deliveredPps()).toList()));
        long rate = Math.max(1000, Math.round(0.8 * (Double.isFinite(base) ? base : 0)));
        double warmup = soakWarmup(options.soakSeconds());
        out.printf(Locale.ROOT, "soak: Sluice, %d-byte frames, receive work on the %s core, %,d pps (80 %% of %,.0f) for %d s, GC log on%n",
            size, placement, rate, base, options.soakSeconds());
        int[] second = {0};
        SoakResult s = lab.soak(placement, size, rate, options.soakSeconds(), warmup, (o, d) -> {
            if (++second[0] % 10 == 0 || second[0] <= 3) {
                out.printf(Locale.ROOT, "  %4d s  offered %,10.0f pps  delivered %,10.0f pps%n", second[0], o, d);
            }
        });
        out.println("  = " + describe(s.trial()) + "; " + soakVerdict(s));
        return s;
    }

    static String soakVerdict(SoakResult s) {
        return String.format(Locale.ROOT, "GC pauses after the %.0f s warm-up: %d (%d in all); resident memory %,d KiB after the warm-up, "
                + "at most %,d KiB later (+%,d KiB); pool full again at the end: %s; %s", s.warmupSeconds(), s.gcPausesAfterWarmup(),
            s.gcPauses(), s.rssAfterWarmupKb(), s.rssMaxAfterWarmupKb(), s.rssGrowthKb(), s.poolFullAtEnd() ? "yes" : "NO",
            s.passed() ? "passed" : "FAILED");
    }

    private NdrRecord search(Lab lab, List<RunResult> runs, int size, String placement, String router) throws Exception {
        double reached = Stats.median(runs.stream().filter(r -> r.frameSize() == size && r.placement().equals(placement))
            .map(r -> r.trial().offeredPps()).toList());
        double max = Double.isFinite(reached) && reached > 1000 ? Math.floor(reached) : 1_000_000;
        NdrSearch.Config c = new NdrSearch.Config(Math.max(1, Math.floor(max / 100)), max, options.pdrLossRatio(),
            options.ndrPrecision(), options.ndrTrials());
        out.printf(Locale.ROOT, "NDR/PDR search: %d-byte frames, %s, receive work on the %s core, %,.0f .. %,.0f pps, at most %d trials of %d s%n",
            size, router, placement, c.minPps(), c.maxPps(), c.maxTrials(), options.ndrSeconds());
        NdrSearch.Result r = new NdrSearch(c).search(
            rate -> lab.trial(router, placement, size, Math.round(rate), options.ndrSeconds(), null),
            (step, t) -> out.printf(Locale.ROOT, "  trial %2d at %,10.0f pps: %s%n", step.n(), step.targetPps(), describe(t)));
        out.printf(Locale.ROOT, "  = NDR %s, PDR (%.2f %%) %s%n", bound(r.ndr()), c.pdrLossRatio() * 100, bound(r.pdr()));
        return new NdrRecord(size, router, placement, c, r);
    }

    static String describe(TrialResult t) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "offered %,.0f pps, delivered %,.0f pps, loss %s",
            t.offeredPps(), t.deliveredPps(), PerformanceReport.pct(t.lossRatio())));
        if (t.sent() > 0) {
            b.append(String.format(Locale.ROOT, " (%,d of %,d frames)", Math.max(0, t.sent() - t.received()), t.sent()));
        }
        if (Double.isFinite(t.cpuNsPerPacket())) {
            b.append(String.format(Locale.ROOT, ", CPU %.0f ns/packet", t.cpuNsPerPacket()));
        }
        if (t.latency() != null) {
            b.append(String.format(Locale.ROOT, ", latency p50 %.1f µs p99 %.1f µs max %.1f µs", t.latency().p50() / 1e3,
                t.latency().p99() / 1e3, t.latency().max() / 1e3));
        }
        return b.toString();
    }

    static String bound(NdrSearch.Bound b) {
        return switch (b.status()) {
            case PRECISE -> String.format(Locale.ROOT, "%,.0f pps", b.lowerOfferedPps());
            case AT_MAX -> String.format(Locale.ROOT, "at least %,.0f pps (the generator's limit)", b.lowerOfferedPps());
            case BELOW_MIN -> "below the minimum";
            case TRIALS_EXHAUSTED -> String.format(Locale.ROOT, "%,.0f pps (trials ran out; interval %.1f %% wide)",
                b.lowerOfferedPps(), b.relativeWidth() * 100);
        };
    }

    /** The final table, as plain text. */
    public static String table(BenchResults r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-6s %-10s %-7s %4s %14s %14s %8s %10s %10s %s%n", "size", "placement", "router",
            "runs", "offered pps", "delivered pps", "loss", "deliv/off", "CPU ns/pkt", "latency p50/p99/p99.9/max µs"));
        for (BenchResults.Summary s : r.summaries()) {
            LatencySummary l = s.latency();
            b.append(String.format(Locale.ROOT, "%-6d %-10s %-7s %4d %14s %14s %8s %10s %10s %s%n", s.frameSize(), s.placement(),
                s.router(), s.runs(), PerformanceReport.pps(s.offeredPps()), PerformanceReport.pps(s.deliveredPps()),
                PerformanceReport.pct(s.lossRatio()), String.format(Locale.ROOT, "%.3f", Stats.ratio(s.deliveredPps(), s.offeredPps())),
                Double.isFinite(s.cpuNsPerPacket()) ? String.format(Locale.ROOT, "%.0f", s.cpuNsPerPacket()) : "-",
                l == null ? "-" : String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f", l.p50() / 1e3, l.p99() / 1e3,
                    l.p999() / 1e3, l.max() / 1e3)));
        }
        for (NdrRecord n : r.ndr()) {
            b.append(String.format(Locale.ROOT, "NDR %d-byte frames, %s, %s core: %s; PDR %s%n", n.frameSize(), n.router(),
                n.placement(), bound(n.result().ndr()), bound(n.result().pdr())));
        }
        if (r.soak() != null) {
            b.append("soak: ").append(describe(r.soak().trial())).append("; ").append(soakVerdict(r.soak())).append('\n');
        }
        return b.toString();
    }
}
