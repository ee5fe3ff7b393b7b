package io.sluice.config;

/**
 * Settings of a pbuf pool. Each setting has a system property ({@code *_PROP}) and a default
 * ({@code *_DEFAULT}); {@link #fromSystemProperties()} reads them, the setters override them, and
 * {@link #conclude()} validates the whole before a pool is built from it.
 */
public final class PoolConfig {
    public static final String SLOTS_PROP = "sluice.pool.slots";
    /** 64 Ki slots of 512 bytes: a 32 MiB arena. */
    public static final int SLOTS_DEFAULT = 64 * 1024;
    public static final int SLOTS_MAX = 1 << 22;

    public static final String CACHE_PROP = "sluice.pool.cache";
    /** Slots a thread may hold in its cache; it refills and flushes half of this at a time. */
    public static final int CACHE_DEFAULT = 256;

    public static final String RESERVE_PROP = "sluice.pool.reserve";
    /** Slots kept back for receive and ACK processing; -1 means 1/64 of the pool. */
    public static final int RESERVE_DEFAULT = -1;

    public static final String NAME_PROP = "sluice.pool.name";
    public static final String NAME_DEFAULT = "pbufs";

    public static final String JMX_PROP = "sluice.pool.jmx";
    public static final boolean JMX_DEFAULT = true;

    private int slots = SLOTS_DEFAULT;
    private int cacheSize = CACHE_DEFAULT;
    private int reserve = RESERVE_DEFAULT;
    private String name = NAME_DEFAULT;
    private boolean jmx = JMX_DEFAULT;
    private boolean concluded;

    /** A configuration with every setting at its default. */
    public PoolConfig() {
    }

    /** A configuration whose settings are read from system properties, falling back to the defaults. */
    public static PoolConfig fromSystemProperties() {
        PoolConfig c = new PoolConfig();
        c.slots = SystemProperties.intProperty(SLOTS_PROP, SLOTS_DEFAULT);
        c.cacheSize = SystemProperties.intProperty(CACHE_PROP, CACHE_DEFAULT);
        c.reserve = SystemProperties.intProperty(RESERVE_PROP, RESERVE_DEFAULT);
        c.name = System.getProperty(NAME_PROP, NAME_DEFAULT);
        c.jmx = Boolean.parseBoolean(System.getProperty(JMX_PROP, Boolean.toString(JMX_DEFAULT)));
        return c;
    }

    public PoolConfig slots(int slots) {
        checkMutable();
        this.slots = slots;
        return this;
    }

    public PoolConfig cacheSize(int cacheSize) {
        checkMutable();
        this.cacheSize = cacheSize;
        return this;
    }

    public PoolConfig reserve(int reserve) {
        checkMutable();
        this.reserve = reserve;
        return this;
    }

    public PoolConfig name(String name) {
        checkMutable();
        this.name = name;
        return this;
    }

    public PoolConfig jmx(boolean jmx) {
        checkMutable();
        this.jmx = jmx;
        return this;
    }

    public int slots() {
        return slots;
    }

    public int cacheSize() {
        return cacheSize;
    }

    /** The reserve in slots, with the default resolved. */
    public int reserve() {
        return reserve < 0 ? Math.min(slots / 64, 4096) : reserve;
    }

    public String name() {
        return name;
    }

    public boolean jmx() {
        return jmx;
    }

    /**
     * Validates the settings and freezes them.
     *
     * @throws ConfigException naming the first setting that is out of range, as {@code name=value}
     */
    public PoolConfig conclude() {
        if (slots < 1 || slots > SLOTS_MAX) {
            throw new ConfigException(SLOTS_PROP + "=" + slots + " must be in 1.." + SLOTS_MAX);
        }
        if (cacheSize < 2 || cacheSize % 2 != 0 || cacheSize > 65534) {
            throw new ConfigException(CACHE_PROP + "=" + cacheSize + " must be an even number in 2..65534");
        }
        if (reserve < -1 || reserve() >= slots) {
            throw new ConfigException(RESERVE_PROP + "=" + reserve + " must be -1 (default) or in 0.." + (slots - 1)
                + " for " + SLOTS_PROP + "=" + slots);
        }
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException(NAME_PROP + "=" + name + " must be letters, digits, '.', '_' or '-'");
        }
        concluded = true;
        return this;
    }

    private void checkMutable() {
        if (concluded) {
            throw new IllegalStateException("PoolConfig is concluded and can no longer change");
        }
    }

    /** Equal when every setting is (the reserve compared resolved); whether concluded does not matter. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PoolConfig c && slots == c.slots && cacheSize == c.cacheSize && reserve() == c.reserve()
            && java.util.Objects.equals(name, c.name) && jmx == c.jmx;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(slots, cacheSize, reserve(), name, jmx);
    }

    @Override
    public String toString() {
        return "PoolConfig{" + SLOTS_PROP + "=" + slots + ", " + CACHE_PROP + "=" + cacheSize + ", " + RESERVE_PROP
            + "=" + reserve() + ", " + NAME_PROP + "=" + name + ", " + JMX_PROP + "=" + jmx + "}";
    }
}
