package io.sluice.engine.transport.tcp;

import io.sluice.engine.stats.ProtocolCounters;
import io.sluice.engine.wire.WireError;
import java.util.Map;

/**
 * TCP's counters: {@link TcpMib} protocol counters, {@link TcpDrop} drop reasons and {@link WireError} header
 * errors. One thread (the stage's) writes, with opaque stores, so that a reader on another thread (JMX, {@code
 * sluice stat}) sees each value whole, at the cost of a plain add on the data path (as {@code InetCounters}).
 */
public final class TcpCounters {
    private final ProtocolCounters counters = new ProtocolCounters(TcpMib.values(), TcpDrop.values());

    public void inc(TcpMib m) {
        counters.addMib(m, 1);
    }

    /** Counts a drop under its reason and its MIB counter. */
    public void drop(TcpDrop d) {
        counters.addDrop(d);
        if (d.mib() != null) {
            counters.addMib(d.mib(), 1);
        }
    }

    /** Counts a malformed segment under its {@link WireError} and tcpInErrs. */
    public void drop(WireError e) {
        counters.addError(e);
        counters.addMib(TcpMib.tcpInErrs, 1);
    }

    public long get(TcpMib m) {
        return counters.mib(m);
    }

    public long get(TcpDrop d) {
        return counters.drop(d);
    }

    public long get(WireError e) {
        return counters.error(e);
    }

    /** Every counter that is not zero, by name, in declaration order (for reports, off the data path). */
    public Map<String, Long> nonZero() {
        return counters.nonZero();
    }

    @Override
    public String toString() {
        return nonZero().toString();
    }
}
