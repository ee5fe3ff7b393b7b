package io.sluice.config;

import java.util.Objects;

/**
 * One thing wrong (or, as a warning, doubtful) in a configuration: where, which key, and what. Printed as
 * {@code FILE:LINE: KEY: MESSAGE}, for example
 * {@code lab.conf:14: ports[1].address: "10.0.0.300/24" is not an IPv4 address/prefix (A.B.C.D/LEN)}.
 *
 * @param origin  the file and line of the key (or of the section that lacks it)
 * @param key     the key's path, such as {@code ports[1].address}; empty for a problem of the file itself
 * @param message what is wrong and what is allowed
 */
public record ConfigProblem(Origin origin, String key, String message) {
    public ConfigProblem {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return key.isEmpty() ? origin + ": " + message : origin + ": " + key + ": " + message;
    }
}
