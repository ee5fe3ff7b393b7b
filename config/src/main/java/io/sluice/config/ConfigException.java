package io.sluice.config;

/** Configuration that cannot be used; the message names the setting and its value. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
