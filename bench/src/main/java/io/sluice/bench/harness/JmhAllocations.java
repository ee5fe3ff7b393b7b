package io.sluice.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads JMH's JSON results ({@code -rf json}) and flags the benchmarks that allocate: those whose
 * {@code gc.alloc.rate.norm} (bytes allocated per operation, from {@code -prof gc}) is above a threshold. JMH's own
 * bookkeeping shows as a few thousandths of a byte per operation, so the default threshold is 0.1 B/op.
 */
public final class JmhAllocations {
    public static final double DEFAULT_THRESHOLD = 0.1;

    /**
     * One benchmark (with its parameters) and what it allocated; {@code bytesPerOp} is NaN when the run had no
     * {@code -prof gc}.
     */
    public record Entry(String benchmark, String params, String mode, double score, double scoreError, String unit,
                        double bytesPerOp) {
        public String name() {
            return params.isEmpty() ? benchmark : benchmark + " {" + params + "}";
        }

        public boolean allocates(double threshold) {
            return bytesPerOp > threshold;
        }
    }

    private JmhAllocations() {
    }

    public static List<Entry> parse(String json) throws IOException {
        JsonNode root = ResultFiles.MAPPER.readTree(json);
        if (root == null || !root.isArray()) {
            throw new IOException("not JMH's JSON results: the top level is not an array");
        }
        List<Entry> out = new ArrayList<>();
        for (JsonNode b : root) {
            String name = b.path("benchmark").asText("");
            if (name.isEmpty()) {
                throw new IOException("not JMH's JSON results: an entry has no \"benchmark\"");
            }
            Map<String, String> params = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = b.path("params").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                params.put(e.getKey(), e.getValue().asText());
            }
            StringBuilder p = new StringBuilder();
            params.forEach((k, v) -> p.append(p.isEmpty() ? "" : ", ").append(k).append('=').append(v));
            JsonNode primary = b.path("primaryMetric");
            double alloc = Double.NaN;
            for (Iterator<Map.Entry<String, JsonNode>> it = b.path("secondaryMetrics").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                // JMH before 1.36 prefixed its profilers' metrics with a middle dot: "·gc.alloc.rate.norm".
                if (e.getKey().replace("\u00b7", "").equals("gc.alloc.rate.norm")) {
                    alloc = number(e.getValue().path("score"));
                }
            }
            out.add(new Entry(name, p.toString(), b.path("mode").asText(""), number(primary.path("score")),
                number(primary.path("scoreError")), primary.path("scoreUnit").asText(""), alloc));
        }
        return out;
    }

    public static List<Entry> read(Path json) throws IOException {
        try {
            return parse(Files.readString(json));
        } catch (IOException e) {
            throw new IOException(json + ": " + e.getMessage(), e);
        }
    }

    /** The report: a line per benchmark, allocating ones flagged, and a closing verdict. */
    public static String report(List<Entry> entries, double threshold) {
        StringBuilder b = new StringBuilder();
        int width = entries.stream().mapToInt(e -> e.name().length()).max().orElse(10);
        int flagged = 0;
        int unknown = 0;
        for (Entry e : entries) {
            String alloc;
            if (Double.isNaN(e.bytesPerOp())) {
                alloc = "B/op not measured (run with -prof gc)";
                unknown++;
            } else {
                alloc = String.format(Locale.ROOT, "%12.3f B/op", e.bytesPerOp());
            }
            boolean bad = e.allocates(threshold);
            if (bad) {
                flagged++;
            }
            b.append(String.format(Locale.ROOT, "%s %-" + width + "s  %14.3f ± %-10.3f %-8s %s%n", bad ? "ALLOCATES" : "         ",
                e.name(), e.score(), Double.isNaN(e.scoreError()) ? 0 : e.scoreError(), e.unit(), alloc));
        }
        b.append(String.format(Locale.ROOT, "%d benchmark(s), %d allocate more than %s B/op%s%n", entries.size(), flagged,
            threshold, unknown > 0 ? ", " + unknown + " without an allocation figure" : ""));
        return b.toString();
    }

    public static List<Entry> allocating(List<Entry> entries, double threshold) {
        return entries.stream().filter(e -> e.allocates(threshold)).toList();
    }

    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) { // JMH writes "NaN" as a string
            try {
                return Double.parseDouble(n.asText());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}
