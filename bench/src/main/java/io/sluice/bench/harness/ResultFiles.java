package io.sluice.bench.harness;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The result files of a run: {@code results.json} (everything, read back by {@code ./sluice bench report}),
 * {@code runs.csv} (one row a run), {@code summary.csv} (the medians) and {@code ndr.csv} (the searches).
 * Numbers not measured are {@code "NaN"} in JSON and empty in CSV.
 */
public final class ResultFiles {
    public static final String JSON = "results.json";
    public static final String RUNS_CSV = "runs.csv";
    public static final String SUMMARY_CSV = "summary.csv";
    public static final String NDR_CSV = "ndr.csv";

    static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ResultFiles() {
    }

    public static String toJson(BenchResults r) throws IOException {
        ObjectNode root = MAPPER.valueToTree(r);
        root.set("summaries", MAPPER.valueToTree(r.summaries())); // for readers of the file; derived, so not read back
        return MAPPER.writeValueAsString(root) + "\n";
    }

    public static BenchResults fromJson(String json) throws IOException {
        BenchResults r = MAPPER.readValue(json, BenchResults.class);
        if (r.schema() != BenchResults.SCHEMA) {
            throw new IOException("results schema " + r.schema() + ", this Sluice reads schema " + BenchResults.SCHEMA);
        }
        return r;
    }

    public static BenchResults read(Path json) throws IOException {
        try {
            return fromJson(Files.readString(json));
        } catch (IOException e) {
            throw new IOException(json + ": " + e.getMessage(), e);
        }
    }

    /** Writes the JSON and the three CSV files into {@code dir}; returns their paths. */
    public static List<Path> write(BenchResults r, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        out.add(Files.writeString(dir.resolve(JSON), toJson(r)));
        out.add(Files.writeString(dir.resolve(RUNS_CSV), runsCsv(r)));
        out.add(Files.writeString(dir.resolve(SUMMARY_CSV), summaryCsv(r)));
        out.add(Files.writeString(dir.resolve(NDR_CSV), ndrCsv(r)));
        return out;
    }

    private static final String LATENCY_COLUMNS = "latency_p50_ns,latency_p90_ns,latency_p99_ns,latency_p999_ns,latency_max_ns";

    public static String runsCsv(BenchResults r) {
        StringBuilder b = new StringBuilder("frame_size,router,placement,run,target_pps,offered_pps,delivered_pps,loss_ratio,"
            + "sent,received,seconds,cpu_ns_per_packet," + LATENCY_COLUMNS + "\n");
        for (RunResult x : r.runs()) {
            TrialResult t = x.trial();
            row(b, x.frameSize(), x.router(), x.placement(), x.run(), num(t.targetPps()), num(t.offeredPps()),
                num(t.deliveredPps()), ratio(x.lossRatio()), t.sent(), t.received(), num(t.seconds()),
                num(t.cpuNsPerPacket()), latency(t.latency()));
        }
        return b.toString();
    }

    public static String summaryCsv(BenchResults r) {
        StringBuilder b = new StringBuilder("frame_size,router,placement,runs,offered_pps,delivered_pps,loss_ratio,"
            + "cpu_ns_per_packet," + LATENCY_COLUMNS + "\n");
        for (BenchResults.Summary s : r.summaries()) {
            row(b, s.frameSize(), s.router(), s.placement(), s.runs(), num(s.offeredPps()), num(s.deliveredPps()),
                ratio(s.lossRatio()), num(s.cpuNsPerPacket()), latency(s.latency()));
        }
        return b.toString();
    }

    public static String ndrCsv(BenchResults r) {
        StringBuilder b = new StringBuilder("frame_size,router,placement,ndr_pps,ndr_offered_pps,ndr_upper_pps,ndr_status,"
            + "pdr_loss_ratio,pdr_pps,pdr_offered_pps,pdr_upper_pps,pdr_status,trials\n");
        for (NdrRecord n : r.ndr()) {
            NdrSearch.Bound a = n.result().ndr();
            NdrSearch.Bound p = n.result().pdr();
            row(b, n.frameSize(), n.router(), n.placement(), num(a.lowerPps()), num(a.lowerOfferedPps()), num(a.upperPps()),
                a.status(), ratio(p.lossRatio()), num(p.lowerPps()), num(p.lowerOfferedPps()), num(p.upperPps()),
                p.status(), n.result().trials().size());
        }
        return b.toString();
    }

    /** The five latency cells (empty when not measured). */
    private static String[] latency(LatencySummary l) {
        if (l == null) {
            return new String[] {"", "", "", "", ""};
        }
        Function<Double, String> f = ResultFiles::num;
        return new String[] {f.apply(l.p50()), f.apply(l.p90()), f.apply(l.p99()), f.apply(l.p999()), f.apply(l.max())};
    }

    /** One CSV row (RFC 4180): cells with a comma, a quote or a line break are quoted; arrays are spread into cells. */
    private static void row(StringBuilder b, Object... cells) {
        List<String> flat = new ArrayList<>();
        for (Object c : cells) {
            if (c instanceof String[] a) {
                flat.addAll(List.of(a));
            } else {
                flat.add(String.valueOf(c));
            }
        }
        for (int i = 0; i < flat.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            String s = flat.get(i);
            b.append(s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s);
        }
        b.append('\n');
    }

    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String ratio(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "";
    }
}
