package io.sluice.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One raw setting of a port's backend section ({@code afpacket { ... }} or {@code io_uring { ... }}), kept
 * as written with its origin, so that the module that knows the backend (native-io) can validate it later and
 * still report {@code FILE:LINE: KEY}. The typed readers below throw a {@link ConfigException} in that form;
 * {@link #checkKnown} reports unknown keys with a suggestion.
 *
 * @param key    the full key, such as {@code ports[0].afpacket.rxBlockCount}
 * @param name   the key within the section, such as {@code rxBlockCount}
 * @param value  the value as text: numbers and booleans as HOCON wrote them ({@code 262144}, {@code true}),
 *               strings unquoted
 * @param origin where it was set
 */
public record Setting(String key, String name, String value, Origin origin) {
    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }

    /** A problem at this setting: {@code FILE:LINE: KEY: message}. */
    public ConfigProblem problem(String message) {
        return new ConfigProblem(origin, key, message);
    }

    /** An exception for this setting: {@code FILE:LINE: KEY: message}. */
    public ConfigException error(String message) {
        return new ConfigException(problem(message));
    }

    /** The value as a whole number in {@code min..max}; {@code _} may group digits ({@code 65_536}). */
    public long asLong(long min, long max) {
        long v;
        try {
            v = Long.parseLong(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw error(quoted() + " is not a whole number; allowed: " + min + ".." + max);
        }
        if (v < min || v > max) {
            throw error(v + " is out of range; allowed: " + min + ".." + max);
        }
        return v;
    }

    /** The value as a whole number in {@code min..max}. */
    public int asInt(int min, int max) {
        return (int) asLong(min, max);
    }

    /**
     * The value as a byte count in {@code min..max}: a whole number, optionally followed by {@code K}, {@code M}
     * or {@code G} (or {@code KiB}, {@code MiB}, {@code GiB}: powers of 1024), as in {@code 256K}.
     */
    public long asBytes(long min, long max) {
        String v = value.trim().replace("_", "");
        long unit = 1;
        String upper = v.toUpperCase(Locale.ROOT);
        for (String[] u : new String[][] {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"},
                                          {"K", "1024"}, {"M", "1048576"}, {"G", "1073741824"}}) {
            if (upper.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                v = v.substring(0, v.length() - u[0].length()).trim();
                break;
            }
        }
        long n;
        try {
            n = Math.multiplyExact(Long.parseLong(v), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw error(quoted() + " is not a byte count (a whole number, optionally with K, M or G); allowed: "
                + min + ".." + max);
        }
        if (n < min || n > max) {
            throw error(n + " bytes is out of range; allowed: " + min + ".." + max);
        }
        return n;
    }

    /** The value as a boolean: {@code true}, {@code false}, {@code yes}, {@code no}, {@code on}, {@code off}. */
    public boolean asBoolean() {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(quoted() + " is not a boolean; allowed: true or false");
        };
    }

    /** The value as one of {@code allowed} (case ignored), returned as written in {@code allowed}. */
    public String asChoice(Collection<String> allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value.trim())) {
                return a;
            }
        }
        throw error(Suggest.notOneOf(quoted(), value.trim(), allowed));
    }

    private String quoted() {
        return "\"" + value + "\"";
    }

    /**
     * The settings of {@code settings} whose name is not in {@code known}, as problems with a "did you mean"
     * suggestion where a known name is close.
     */
    public static List<ConfigProblem> checkKnown(Map<String, Setting> settings, Collection<String> known) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Setting s : settings.values()) {
            if (!known.contains(s.name)) {
                problems.add(s.problem(Suggest.unknownKey(s.name, known)));
            }
        }
        return problems;
    }

    @Override
    public String toString() {
        return origin + ": " + key + " = " + value;
    }
}
