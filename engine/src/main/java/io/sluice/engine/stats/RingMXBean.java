package io.sluice.engine.stats;

/** A ring between two stages, as jconsole shows it. */
public interface RingMXBean {
    String getName();

    int getCapacity();

    int getSize();

    long getHighWater();

    long getFullEvents();

    long getEmptyEvents();
}
