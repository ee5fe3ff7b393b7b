package io.sluice.engine.forward;

import io.sluice.config.PortConfig;
import io.sluice.engine.phy.NicPort;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens the port a {@link PortConfig} describes. The engine knows no kernel interface; native-io provides the
 * factory for AF_PACKET and io_uring ports through {@link ServiceLoader} ({@code META-INF/services}), so a
 * forwarder started from a configuration finds it on the class path.
 */
public interface PortFactory {

    /**
     * An opened port and the facts the forwarding plane needs of its interface.
     *
     * @param port         receives (its first queue) and transmits
     * @param moreQueues   the port's other receive queues (fan-out), which only receive; empty for one queue
     */
    record Opened(NicPort port, List<NicPort> moreQueues, long mac, int mtu) {
        public Opened {
            moreQueues = List.copyOf(moreQueues);
        }

        /** A port with one receive queue. */
        public Opened(NicPort port, long mac, int mtu) {
            this(port, List.of(), mac, mtu);
        }
    }

    /** Opens the port, in the port's network namespace if it names one. Throws with a message naming the fix. */
    Opened open(PortConfig config);

    /** The factory on the class path, if any. */
    static PortFactory find() {
        return ServiceLoader.load(PortFactory.class).findFirst().orElseThrow(() -> new IllegalStateException(
            "no PortFactory on the class path: add sluice-native-io to open kernel interfaces, or give the forwarder"
                + " its ports with Forwarder.Builder.port(name, port, mac, mtu)"));
    }
}
