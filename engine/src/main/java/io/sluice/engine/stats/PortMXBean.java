package io.sluice.engine.stats;

import java.util.Map;

/** A NIC port, as jconsole shows it. */
public interface PortMXBean {
    String getName();

    long getRxPackets();

    long getRxBytes();

    long getTxPackets();

    long getTxBytes();

    Map<String, Long> getDrops();
}
