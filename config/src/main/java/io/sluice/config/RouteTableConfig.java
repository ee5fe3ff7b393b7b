package io.sluice.config;

/**
 * Settings of an IPv4 routing table ({@code io.sluice.engine.route.RouteTable}). Each setting has a system
 * property ({@code *_PROP}) and a default ({@code *_DEFAULT}); {@link #fromSystemProperties()} reads them, the
 * setters override them, and {@link #conclude()} validates the whole before a table is built from it.
 *
 * <p>Memory: the table always holds 2^24 first-level entries (64 MiB) plus {@code tbl8Groups} groups of 256
 * entries (1 KiB each), all allocated up front, so the data path never allocates.
 */
public final class RouteTableConfig {
    public static final String TBL8_GROUPS_PROP = "sluice.route.tbl8Groups";
    /**
     * Second-level groups, one per /24 that holds a route longer than /24: 16 Ki groups is 16 MiB, room for
     * 16 Ki such /24s (a 1 M-route table with 1 % of its routes longer than /24 needs about 10 Ki).
     */
    public static final int TBL8_GROUPS_DEFAULT = 16 * 1024;
    /** 1 Mi groups (1 GiB): the group index must fit the entry's 24-bit field and {@code index << 8} an int. */
    public static final int TBL8_GROUPS_MAX = 1 << 20;

    public static final String NEXT_HOPS_PROP = "sluice.route.nextHops";
    /** Next-hop ids are {@code 0 .. nextHops - 1}. */
    public static final int NEXT_HOPS_DEFAULT = 64 * 1024;
    /** The entry's value field has 24 bits. */
    public static final int NEXT_HOPS_MAX = 1 << 24;

    public static final String READERS_PROP = "sluice.route.readers";
    /** Reader threads that may register at the same time (one 128-byte epoch slot each). */
    public static final int READERS_DEFAULT = 64;
    public static final int READERS_MAX = 4096;

    public static final String NAME_PROP = "sluice.route.name";
    public static final String NAME_DEFAULT = "routes";

    private int tbl8Groups = TBL8_GROUPS_DEFAULT;
    private int nextHops = NEXT_HOPS_DEFAULT;
    private int readers = READERS_DEFAULT;
    private String name = NAME_DEFAULT;
    private boolean concluded;

    /** A configuration with every setting at its default. */
    public RouteTableConfig() {
    }

    /** A configuration whose settings are read from system properties, falling back to the defaults. */
    public static RouteTableConfig fromSystemProperties() {
        RouteTableConfig c = new RouteTableConfig();
        c.tbl8Groups = SystemProperties.intProperty(TBL8_GROUPS_PROP, TBL8_GROUPS_DEFAULT);
        c.nextHops = SystemProperties.intProperty(NEXT_HOPS_PROP, NEXT_HOPS_DEFAULT);
        c.readers = SystemProperties.intProperty(READERS_PROP, READERS_DEFAULT);
        c.name = System.getProperty(NAME_PROP, NAME_DEFAULT);
        return c;
    }

    public RouteTableConfig tbl8Groups(int tbl8Groups) {
        checkMutable();
        this.tbl8Groups = tbl8Groups;
        return this;
    }

    public RouteTableConfig nextHops(int nextHops) {
        checkMutable();
        this.nextHops = nextHops;
        return this;
    }

    public RouteTableConfig readers(int readers) {
        checkMutable();
        this.readers = readers;
        return this;
    }

    public RouteTableConfig name(String name) {
        checkMutable();
        this.name = name;
        return this;
    }

    public int tbl8Groups() {
        return tbl8Groups;
    }

    public int nextHops() {
        return nextHops;
    }

    public int readers() {
        return readers;
    }

    public String name() {
        return name;
    }

    /**
     * Validates the settings and freezes them.
     *
     * @throws ConfigException naming the first setting that is out of range, as {@code name=value}
     */
    public RouteTableConfig conclude() {
        if (tbl8Groups < 1 || tbl8Groups > TBL8_GROUPS_MAX) {
            throw new ConfigException(TBL8_GROUPS_PROP + "=" + tbl8Groups + " must be in 1.." + TBL8_GROUPS_MAX);
        }
        if (nextHops < 1 || nextHops > NEXT_HOPS_MAX) {
            throw new ConfigException(NEXT_HOPS_PROP + "=" + nextHops + " must be in 1.." + NEXT_HOPS_MAX);
        }
        if (readers < 1 || readers > READERS_MAX) {
            throw new ConfigException(READERS_PROP + "=" + readers + " must be in 1.." + READERS_MAX);
        }
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException(NAME_PROP + "=" + name + " must be letters, digits, '.', '_' or '-'");
        }
        concluded = true;
        return this;
    }

    private void checkMutable() {
        if (concluded) {
            throw new IllegalStateException("RouteTableConfig is concluded and can no longer change");
        }
    }

    @Override
    public String toString() {
        return "RouteTableConfig{" + TBL8_GROUPS_PROP + "=" + tbl8Groups + ", " + NEXT_HOPS_PROP + "=" + nextHops + ", "
            + READERS_PROP + "=" + readers + ", " + NAME_PROP + "=" + name + "}";
    }
}
