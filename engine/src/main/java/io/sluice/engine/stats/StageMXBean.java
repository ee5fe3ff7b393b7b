package io.sluice.engine.stats;

import java.util.Map;

/** A pipeline stage, as jconsole shows it. */
public interface StageMXBean {
    String getName();

    String getThread();

    long getPackets();

    long getBatches();

    long getWorkLoops();

    long getIdleLoops();

    Map<String, Long> getDrops();
}
