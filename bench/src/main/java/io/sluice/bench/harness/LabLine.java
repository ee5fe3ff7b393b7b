package io.sluice.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One machine-readable line of the lab script ({@code bench/forward/forward-bench.sh --serve}):
 * {@code @KIND key=value key=value ...}, values without spaces; {@code -}, {@code nan} or an empty value mean
 * "not measured". Lines that do not start with {@code @} are the script's human output, and not parsed.
 */
public record LabLine(String kind, Map<String, String> fields) {

    public LabLine {
        fields = Map.copyOf(fields);
    }

    /** The line parsed, or empty when it is not a machine-readable line. */
    public static Optional<LabLine> parse(String line) {
        if (line == null) {
            return Optional.empty();
        }
        String s = line.strip();
        if (!s.startsWith("@") || s.length() == 1 || Character.isWhitespace(s.charAt(1))) {
            return Optional.empty();
        }
        String[] words = s.substring(1).split("\\s+");
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("lab output: '" + words[i] + "' is not key=value in: " + line);
            }
            fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        return Optional.of(new LabLine(words[0], fields));
    }

    public String text(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("lab output: @" + kind + " has no " + key + "= (fields " + fields.keySet() + ")");
        }
        return v;
    }

    /** A number; NaN for "not measured". */
    public double num(String key) {
        String v = text(key);
        if (v.isEmpty() || v.equals("-") || v.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lab output: @" + kind + " " + key + "=" + v + " is not a number", e);
        }
    }

    /** A count; 0 for "not measured". */
    public long count(String key) {
        double v = num(key);
        return Double.isNaN(v) ? 0 : Math.round(v);
    }

    public String textOr(String key, String otherwise) {
        String v = fields.get(key);
        return v == null || v.isEmpty() || v.equals("-") ? otherwise : v;
    }
}
