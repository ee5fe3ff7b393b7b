package io.sluice.config;

import java.util.Set;

/**
 * Settings of the pipeline: thread layout, idle strategy, back-pressure policy, ring size, batch size and
 * drain timeout. {@code *_PROP} names the system property of each; {@link #conclude()} validates.
 */
public final class PipelineConfig {
    public static final String LAYOUT_PROP = "sluice.pipeline.layout";
    /** Fused on small machines (2 cores or fewer), a thread per stage otherwise. */
    public static final String LAYOUT_DEFAULT = Runtime.getRuntime().availableProcessors() <= 2 ? "fused" : "per-stage";

    public static final String IDLE_PROP = "sluice.pipeline.idle";
    public static final String IDLE_DEFAULT = "backoff";
    public static final Set<String> IDLE_STRATEGIES = Set.of("busy", "yield", "backoff", "sleep");

    public static final String REALTIME_PROP = "sluice.pipeline.realtime";
    public static final String REALTIME_DEFAULT = "off";
    /**
     * Linux scheduling of the stage threads: {@code off} (the normal policy), {@code rr} or {@code fifo} (real
     * time, priority 1). Real time puts a stage thread ahead of every normal thread on its CPU, ksoftirqd among
     * them: when the kernel's receive work shares the engine's core and more arrives than the core can carry,
     * the excess is then dropped early at the backlog instead of taking the CPU the engine needs to drain
     * what already arrived (receive livelock; see PERFORMANCE.md). The JVM's JIT compiler threads get the same
     * policy, or the stage would keep them off the CPU and run interpreted. Needs CAP_SYS_NICE.
     */
    public static final Set<String> REALTIME_POLICIES = Set.of("off", "rr", "fifo");

    public static final String BACKPRESSURE_PROP = "sluice.pipeline.backpressure";
    public static final String BACKPRESSURE_DEFAULT = "hold";
    public static final Set<String> BACKPRESSURE_POLICIES = Set.of("hold", "drop");

    public static final String RING_PROP = "sluice.pipeline.ring";
    public static final int RING_DEFAULT = 1024;

    public static final String BATCH_PROP = "sluice.pipeline.batch";
    public static final int BATCH_DEFAULT = 32;

    public static final String DRAIN_PROP = "sluice.pipeline.drain.ms";
    public static final int DRAIN_DEFAULT = 5000;

    private String layout = LAYOUT_DEFAULT;
    private String idle = IDLE_DEFAULT;
    private String realtime = REALTIME_DEFAULT;
    private String backPressure = BACKPRESSURE_DEFAULT;
    private int ringSize = RING_DEFAULT;
    private int batch = BATCH_DEFAULT;
    private int drainMillis = DRAIN_DEFAULT;

    public static PipelineConfig fromSystemProperties() {
        PipelineConfig c = new PipelineConfig();
        c.layout = System.getProperty(LAYOUT_PROP, LAYOUT_DEFAULT);
        c.idle = System.getProperty(IDLE_PROP, IDLE_DEFAULT);
        c.realtime = System.getProperty(REALTIME_PROP, REALTIME_DEFAULT);
        c.backPressure = System.getProperty(BACKPRESSURE_PROP, BACKPRESSURE_DEFAULT);
        c.ringSize = Integer.getInteger(RING_PROP, RING_DEFAULT);
        c.batch = Integer.getInteger(BATCH_PROP, BATCH_DEFAULT);
        c.drainMillis = Integer.getInteger(DRAIN_PROP, DRAIN_DEFAULT);
        return c;
    }

    public PipelineConfig layout(String layout) {
        this.layout = layout;
        return this;
    }

    public PipelineConfig idle(String idle) {
        this.idle = idle;
        return this;
    }

    public PipelineConfig realtime(String policy) {
        this.realtime = policy;
        return this;
    }

    public PipelineConfig backPressure(String policy) {
        this.backPressure = policy;
        return this;
    }

    public PipelineConfig ringSize(int ringSize) {
        this.ringSize = ringSize;
        return this;
    }

    public PipelineConfig batch(int batch) {
        this.batch = batch;
        return this;
    }

    public PipelineConfig drainMillis(int millis) {
        this.drainMillis = millis;
        return this;
    }

    public String layout() {
        return layout;
    }

    public String idle() {
        return idle;
    }

    /** {@code off}, {@code rr} or {@code fifo}: see {@link #REALTIME_POLICIES}. */
    public String realtime() {
        return realtime;
    }

    public String backPressure() {
        return backPressure;
    }

    public int ringSize() {
        return ringSize;
    }

    public int batch() {
        return batch;
    }

    public int drainMillis() {
        return drainMillis;
    }

    /** A new configuration with the same settings. */
    public PipelineConfig copy() {
        return new PipelineConfig().layout(layout).idle(idle).realtime(realtime).backPressure(backPressure).ringSize(ringSize).batch(batch)
            .drainMillis(drainMillis);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PipelineConfig c && java.util.Objects.equals(layout, c.layout)
            && java.util.Objects.equals(idle, c.idle) && java.util.Objects.equals(realtime, c.realtime)
            && java.util.Objects.equals(backPressure, c.backPressure)
            && ringSize == c.ringSize && batch == c.batch && drainMillis == c.drainMillis;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(layout, idle, realtime, backPressure, ringSize, batch, drainMillis);
    }

    @Override
    public String toString() {
        return "PipelineConfig{" + LAYOUT_PROP + "=" + layout + ", " + IDLE_PROP + "=" + idle + ", " + REALTIME_PROP + "=" + realtime + ", " + BACKPRESSURE_PROP
            + "=" + backPressure + ", " + RING_PROP + "=" + ringSize + ", " + BATCH_PROP + "=" + batch + ", "
            + DRAIN_PROP + "=" + drainMillis + "}";
    }

    /** Validates every setting; the layout's stage names are checked when the pipeline is built. */
    public PipelineConfig conclude() {
        if (layout == null || layout.isBlank()) {
            throw new ConfigException(LAYOUT_PROP + "=" + layout + " must name a layout (fused, per-stage, or groups like rx|ip+tx)");
        }
        if (!IDLE_STRATEGIES.contains(idle)) {
            throw new ConfigException(IDLE_PROP + "=" + idle + " must be one of " + IDLE_STRATEGIES);
        }
        if (!REALTIME_POLICIES.contains(realtime)) {
            throw new ConfigException(REALTIME_PROP + "=" + realtime + " must be one of " + REALTIME_POLICIES);
        }
        if (!BACKPRESSURE_POLICIES.contains(backPressure)) {
            throw new ConfigException(BACKPRESSURE_PROP + "=" + backPressure + " must be one of " + BACKPRESSURE_POLICIES);
        }
        if (ringSize < 2 || Integer.bitCount(ringSize) != 1 || ringSize > (1 << 24)) {
            throw new ConfigException(RING_PROP + "=" + ringSize + " must be a power of two in 2..16777216");
        }
        if (batch < 1 || batch > 1024) {
            throw new ConfigException(BATCH_PROP + "=" + batch + " must be in 1..1024");
        }
        if (drainMillis < 0) {
            throw new ConfigException(DRAIN_PROP + "=" + drainMillis + " must be >= 0");
        }
        return this;
    }
}
