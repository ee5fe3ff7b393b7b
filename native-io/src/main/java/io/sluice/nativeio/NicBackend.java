package io.sluice.nativeio;

import io.sluice.config.ConfigException;
import io.sluice.nativeio.afpacket.AfPacketConfig;
import io.sluice.nativeio.afpacket.AfPacketPort;
import io.sluice.nativeio.uring.UringConfig;
import io.sluice.nativeio.uring.UringPort;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The kinds of port Sluice can open on a Linux interface, chosen per port in configuration
 * ({@code backend = afpacket | io_uring}) or on the command line ({@code --backend}).
 */
public enum NicBackend {
    /** TPACKET_V3 memory-mapped receive and transmit rings: the default, and the cheaper per frame here. */
    AFPACKET("afpacket") {
        @Override
        public NativePort open(String interfaceName, boolean receive, boolean transmit) {
            return AfPacketPort.open(AfPacketConfig.builder(interfaceName).receive(receive).transmit(transmit).build());
        }
    },
    /** A packet socket driven through io_uring submission and completion rings. */
    IO_URING("io_uring") {
        @Override
        public NativePort open(String interfaceName, boolean receive, boolean transmit) {
            return UringPort.open(UringConfig.builder(interfaceName).receive(receive).transmit(transmit).build());
        }
    };

    private final String configName;

    NicBackend(String configName) {
        this.configName = configName;
    }

    /** The name configuration files and the command line use. */
    public String configName() {
        return configName;
    }

    /** Opens a port with this backend's default settings on {@code interfaceName}, in the calling thread's netns. */
    public abstract NativePort open(String interfaceName, boolean receive, boolean transmit);

    /** The backend named {@code name} ({@code afpacket}, {@code io_uring}; case and {@code -}/{@code _} ignored). */
    public static NicBackend of(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (NicBackend b : values()) {
            if (b.configName.equals(n) || b.configName.replace("_", "").equals(n)) {
                return b;
            }
        }
        throw new ConfigException("backend=" + name + " is not one of " + names());
    }

    /** Every backend's name, for messages. */
    public static String names() {
        return Arrays.stream(values()).map(NicBackend::configName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return configName;
    }
}
