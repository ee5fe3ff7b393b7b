package io.sluice.engine.inet;

import io.sluice.engine.stats.ProtocolCounters;
import io.sluice.engine.wire.WireError;
import java.util.Map;

/**
 * The forwarding plane's counters: {@link Mib} protocol counters, {@link InetDrop} drop reasons and
 * {@link WireError} header errors. One thread (the stage's) writes, with opaque stores, so that a reader on
 * another thread (JMX, {@code sluice stat}) sees each value whole and never stale for long, at the cost of a
 * plain add on the data path.
 */
public final class InetCounters {
    private final ProtocolCounters counters = new ProtocolCounters(Mib.values(), InetDrop.values());

    public void inc(Mib m) {
        counters.addMib(m, 1);
    }

    public void add(Mib m, long n) {
        counters.addMib(m, n);
    }

    /** Counts a drop under its reason and its MIB-2 counter. */
    public void drop(InetDrop d) {
        counters.addDrop(d);
        if (d.mib() != null) {
            counters.addMib(d.mib(), 1);
        }
    }

    /** Counts a malformed header under its {@link WireError} and the MIB-2 counter it feeds. */
    public void drop(WireError e, Mib mib) {
        counters.addError(e);
        counters.addMib(mib, 1);
    }

    /** Every drop, by reason and header error. */
    public long drops() {
        return counters.drops();
    }

    public long get(Mib m) {
        return counters.mib(m);
    }

    public long get(InetDrop d) {
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
