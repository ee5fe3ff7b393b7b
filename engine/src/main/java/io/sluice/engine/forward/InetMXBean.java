package io.sluice.engine.forward;

import java.util.Map;

/** The forwarding plane's protocol and drop counters, as jconsole and {@code ./sluice stat} read them. */
public interface InetMXBean {
    /** Every counter that is not zero: MIB-2 names, then {@code drop.REASON}. */
    Map<String, Long> getCounters();

    int getArpEntries();

    int getReassemblyDatagrams();

    int getRoutes();
}
