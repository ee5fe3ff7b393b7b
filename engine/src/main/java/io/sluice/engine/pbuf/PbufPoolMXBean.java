package io.sluice.engine.pbuf;

import java.util.Map;

/**
 * The pool as jconsole and VisualVM show it: the figures of the netstat -m report as attributes, and the
 * report itself. Reading an attribute takes a fresh snapshot; nothing here touches the data path.
 */
public interface PbufPoolMXBean {
    String getName();

    long getTotal();

    long getInUse();

    long getCached();

    long getFree();

    Map<String, Long> getInUseByType();

    long getHighWater();

    long getRequests();

    long getDenied();

    long getDelayed();

    long getBytesInUse();

    long getBytesCached();

    long getBytesTotal();

    long getReserveSize();

    long getReserveFree();

    /** The whole {@code netstat -m} report, as text. */
    String getNetstatReport();

    /** The pbufs still allocated and who holds them. */
    String leakReport();
}
