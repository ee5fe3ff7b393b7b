package io.sluice.config;

/** Reading the engine's settings from system properties, with one message for a value that is not a number. */
final class SystemProperties {
    private SystemProperties() {
    }

    /** The whole number in system property {@code name} ({@code _} allowed as a separator), or {@code fallback}. */
    static int intProperty(String name, int fallback) {
        String v = System.getProperty(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ConfigException("system property " + name + "=" + v + " is not a whole number");
        }
    }
}
