package io.sluice.nativeio;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigProblem;
import io.sluice.config.PortConfig;
import io.sluice.config.Setting;
import io.sluice.engine.forward.PortFactory;
import io.sluice.nativeio.afpacket.AfPacketConfig;
import io.sluice.nativeio.afpacket.AfPacketPort;
import io.sluice.nativeio.afpacket.FanoutMode;
import io.sluice.nativeio.linux.NetNamespace;
import io.sluice.nativeio.uring.UringConfig;
import io.sluice.nativeio.uring.UringPort;
import io.sluice.nativeio.linux.Interfaces;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Opens the AF_PACKET and io_uring ports a forwarder's configuration names, in the port's network namespace,
 * applying its backend section ({@code afpacket { }} or {@code io_uring { }}). A bad setting is reported with
 * the file, line and key it came from. Found by the engine through {@link java.util.ServiceLoader}.
 */
public final class NativePortFactory implements PortFactory {

    /**
     * Opens the port; with {@code queues > 1} (AF_PACKET only) a fan-out group of that many sockets, the first
     * receiving and transmitting, the others receiving only, each drained by its own receive stage.
     */
    @Override
    public Opened open(PortConfig config) {
        if (config.queues() > 1 && config.backend() != PortConfig.Backend.AFPACKET) {
            throw new ConfigException(config.origin().source() + ":" + config.origin().line() + ": ports."
                + config.name() + ".queues: " + config.queues() + " receive queues need PACKET_FANOUT, which only the"
                + " afpacket backend has; use backend = afpacket, or queues = 1");
        }
        NetNamespace ns = config.netns().map(NetNamespace::enter).orElse(null);
        try {
            List<NativePort> queues = ns == null ? openQueues(config) : ns.call(() -> openQueues(config));
            NativePort first = queues.getFirst();
            return new Opened(first, List.copyOf(queues.subList(1, queues.size())), first.interfaceInfo().mac(),
                first.interfaceInfo().mtu());
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    private static List<NativePort> openQueues(PortConfig c) {
        if (c.queues() == 1) {
            return List.of(openHere(c));
        }
        AfPacketConfig first = afpacket(c);
        List<NativePort> queues = new ArrayList<>(c.queues());
        try {
            for (int q = 0; q < c.queues(); q++) {
                AfPacketConfig.Builder b = first.toBuilder().portName(c.name() + ".q" + q);
                queues.add(AfPacketPort.open(q == 0 ? b.build() : b.transmit(false).build()));
            }
        } catch (RuntimeException | Error e) {
            queues.forEach(NativePort::close);
            throw e;
        }
        return queues;
    }

    /** Opens a port with {@code backend}'s default settings on {@code interfaceName}, in this thread's netns. */
    public static NativePort open(PortConfig.Backend backend, String interfaceName, boolean receive, boolean transmit) {
        return switch (backend) {
            case AFPACKET -> AfPacketPort.open(AfPacketConfig.builder(interfaceName).receive(receive).transmit(transmit).build());
            case IO_URING -> UringPort.open(UringConfig.builder(interfaceName).receive(receive).transmit(transmit).build());
        };
    }

    private static NativePort openHere(PortConfig c) {
        return switch (c.backend()) {
            case AFPACKET -> AfPacketPort.open(afpacket(c));
            case IO_URING -> UringPort.open(uring(c));
        };
    }

    static AfPacketConfig afpacket(PortConfig c) {
        AfPacketConfig.Builder b = AfPacketConfig.builder(c.interfaceName()).portName(c.name());
        Map<String, Setting> o = c.options();
        known(o, List.of("receive", "transmit", "rxBlockSize", "rxBlockCount", "rxFrameSize", "rxRetireTimeoutMillis",
            "txBlockSize", "txBlockCount", "txFrameSize", "maxBurst", "qdiscBypass", "ignoreOutgoing", "separateTxSocket",
            "receiveGso", "promiscuous", "fanoutGroup", "minMtu", "txRetries", "statsIntervalMillis"));
        bool(o, "receive", b::receive);
        bool(o, "transmit", b::transmit);
        integer(o, "rxBlockSize", b::rxBlockSize);
        integer(o, "rxBlockCount", b::rxBlockCount);
        integer(o, "rxFrameSize", b::rxFrameSize);
        integer(o, "rxRetireTimeoutMillis", b::rxRetireTimeoutMillis);
        integer(o, "txBlockSize", b::txBlockSize);
        integer(o, "txBlockCount", b::txBlockCount);
        integer(o, "txFrameSize", b::txFrameSize);
        integer(o, "maxBurst", b::maxBurst);
        bool(o, "qdiscBypass", b::qdiscBypass);
        bool(o, "ignoreOutgoing", b::ignoreOutgoing);
        bool(o, "separateTxSocket", b::separateTxSocket);
        bool(o, "receiveGso", b::receiveGso);
        bool(o, "promiscuous", b::promiscuous);
        integer(o, "minMtu", b::minMtu);
        integer(o, "txRetries", b::txRetries);
        integer(o, "statsIntervalMillis", b::statsIntervalMillis);
        if (c.queues() > 1) {
            // A group is per network namespace: by default the interface's index, which no other interface there has.
            int group = o.containsKey("fanoutGroup") ? o.get("fanoutGroup").asInt(0, 0xFFFF)
                : Interfaces.lookup(c.interfaceName()).index() & 0xFFFF;
            b.fanout(FanoutMode.valueOf(c.fanout().name()), group);
        }
        return build(c, b::build);
    }

    static UringConfig uring(PortConfig c) {
        UringConfig.Builder b = UringConfig.builder(c.interfaceName()).portName(c.name());
        Map<String, Setting> o = c.options();
        known(o, List.of("receive", "transmit", "queueDepth", "rxBuffers", "txBuffers", "bufferSize", "maxBurst",
            "auxdata", "kernelTimestamps", "coopTaskrun", "registerFile", "qdiscBypass", "ignoreOutgoing",
            "receiveGso", "socketBuffer", "minMtu", "statsIntervalMillis"));
        bool(o, "receive", b::receive);
        bool(o, "transmit", b::transmit);
        integer(o, "queueDepth", b::queueDepth);
        integer(o, "rxBuffers", b::rxBuffers);
        integer(o, "txBuffers", b::txBuffers);
        integer(o, "bufferSize", b::bufferSize);
        integer(o, "maxBurst", b::maxBurst);
        bool(o, "auxdata", b::auxdata);
        bool(o, "kernelTimestamps", b::kernelTimestamps);
        bool(o, "coopTaskrun", b::coopTaskrun);
        bool(o, "registerFile", b::registerFile);
        bool(o, "qdiscBypass", b::qdiscBypass);
        bool(o, "ignoreOutgoing", b::ignoreOutgoing);
        bool(o, "receiveGso", b::receiveGso);
        integer(o, "socketBuffer", b::socketBuffer);
        integer(o, "minMtu", b::minMtu);
        integer(o, "statsIntervalMillis", b::statsIntervalMillis);
        return build(c, b::build);
    }

    private static void known(Map<String, Setting> o, List<String> names) {
        List<ConfigProblem> problems = Setting.checkKnown(o, names);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private static void bool(Map<String, Setting> o, String name, Consumer<Boolean> set) {
        Setting s = o.get(name);
        if (s != null) {
            set.accept(s.asBoolean());
        }
    }

    private static void integer(Map<String, Setting> o, String name, IntConsumer set) {
        Setting s = o.get(name);
        if (s != null) {
            set.accept(s.asInt(0, Integer.MAX_VALUE));
        }
    }

    /** The backend's own validation, its message prefixed with where the port was defined. */
    private static <T> T build(PortConfig c, Supplier<T> build) {
        try {
            return build.get();
        } catch (ConfigException e) {
            throw new ConfigException(c.origin().source() + ":" + c.origin().line() + ": ports." + c.name() + "."
                + c.backend().configName() + ": " + e.getMessage());
        }
    }
}
