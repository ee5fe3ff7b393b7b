package io.sluice.engine.transport.udp;

import io.sluice.engine.stats.ProtocolCounters;
import io.sluice.engine.wire.WireError;
import java.util.Map;

/**
 * UDP's counters: {@link UdpMib}, {@link UdpDrop} reasons and the UDP {@link WireError}s. The stack's thread
 * writes with opaque stores; any thread reads (a status line, JMX) and sees each value whole.
 */
public final class UdpCounters {
    private final ProtocolCounters counters = new ProtocolCounters(UdpMib.values(), UdpDrop.values());

    void inc(UdpMib m) {
        counters.addMib(m, 1);
    }

    void drop(UdpDrop d) {
        counters.addDrop(d);
        if (d.mib() != null) {
            counters.addMib(d.mib(), 1);
        }
    }

    /** A malformed or corrupted datagram: its header error and udpInErrors (RFC 4113). */
    void drop(WireError e) {
        counters.addError(e);
        counters.addMib(UdpMib.udpInErrors, 1);
    }

    public long get(UdpMib m) {
        return counters.mib(m);
    }

    public long get(UdpDrop d) {
        return counters.drop(d);
    }

    public long get(WireError e) {
        return counters.error(e);
    }

    /** Every counter that is not zero, by name, in declaration order (for reports, off the data path). */
    public Map<String, Long> nonZero() {
        return counters.nonZero();
    }
}
