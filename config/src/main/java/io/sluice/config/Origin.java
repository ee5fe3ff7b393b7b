package io.sluice.config;

import java.util.Objects;

/**
 * Where a setting came from: a file (or the name given to {@link ForwarderConfig#parse}) and a line, or
 * {@link #BUILDER} for settings made in code. Printed as {@code FILE:LINE}, or {@code FILE} when the line is
 * not known.
 *
 * @param source the file name as the user gave it, or a description such as {@code builder}
 * @param line   the 1-based line, or -1 when unknown
 */
public record Origin(String source, int line) {
    /** Settings made through {@link ForwarderConfig#builder()}. */
    public static final Origin BUILDER = new Origin("builder", -1);

    public Origin {
        Objects.requireNonNull(source, "source");
        if (line < 1) {
            line = -1;
        }
    }

    /** The origin of a value Lightbend Config parsed, with {@code fallback} as the source of parsed text. */
    static Origin of(com.typesafe.config.ConfigOrigin o, String fallback) {
        if (o == null) {
            return new Origin(fallback, -1);
        }
        String source = o.filename();
        if (source == null && o.resource() != null) {
            source = o.resource();
        }
        if (source == null && o.url() != null) {
            source = o.url().toString();
        }
        if (source == null) {
            // Parsed text: the description is "NAME: LINE" or "NAME: FIRST-LAST" (merged values).
            source = o.description().replaceFirst(": \\d+(-\\d+)?$", "");
            if (source.isEmpty()) {
                source = fallback;
            }
        }
        return new Origin(source, o.lineNumber());
    }

    public boolean hasLine() {
        return line > 0;
    }

    @Override
    public String toString() {
        return hasLine() ? source + ":" + line : source;
    }
}
