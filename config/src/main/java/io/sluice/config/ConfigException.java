package io.sluice.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Configuration that cannot be used; the message names the setting and its value. Thrown for a configuration
 * file, it carries every {@link ConfigProblem} found (not only the first), one per line of the message, each
 * as {@code FILE:LINE: KEY: MESSAGE}, in the order of the file.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<ConfigProblem> problems;

    public ConfigException(String message) {
        super(message);
        this.problems = List.of();
    }

    /** An exception for {@code problems} (at least one), its message one problem per line. */
    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        this.problems = List.copyOf(problems);
    }

    /** An exception for one problem. */
    public ConfigException(ConfigProblem problem) {
        this(List.of(problem));
    }

    /** The problems with their origins and keys; empty for a message-only exception. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
