package io.sluice.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A port of the forwarder: one network interface, the backend that drives it, this forwarder's address on it
 * (which also makes the connected route {@code network/prefixLength} through this port), and the backend's own
 * settings, passed through unread.
 *
 * <p>Read from an element of {@code ports = [ ... ]} (see {@code config/README.md}) and checked there with
 * file, line and key; the constructor checks each value's own invariants again.
 *
 * @param name          the port's name (routes and neighbours refer to it); defaults to the interface name
 * @param interfaceName the network interface, such as {@code eth0} or {@code s-gen}
 * @param netns         the network namespace the interface lives in ({@code ip netns add NAME}); empty for the
 *                      forwarder's own
 * @param backend       how packets are moved: AF_PACKET rings or io_uring
 * @param address       this forwarder's IPv4 address on the port
 * @param prefixLength  the length of the port's subnet prefix, 1..32
 * @param mtu           the MTU; empty to take the interface's
 * @param mac           the source MAC address; empty to take the interface's
 * @param queues        receive queues: sockets in one PACKET_FANOUT group, each with its own receive stage
 * @param fanout        how the kernel spreads frames over the queues (used when {@code queues > 1})
 * @param options       the backend section's settings by name, as written, with their origins
 * @param origin        where the port was defined
 */
public record PortConfig(
    String name,
    String interfaceName,
    Optional<String> netns,
    Backend backend,
    int address,
    int prefixLength,
    OptionalInt mtu,
    Optional<MacAddress> mac,
    int queues,
    Fanout fanout,
    Map<String, Setting> options,
    Origin origin) {

    public static final int MTU_MIN = 68;
    public static final int MTU_MAX = 65535;
    public static final int QUEUES_DEFAULT = 1;
    public static final int QUEUES_MAX = 64;
    public static final Backend BACKEND_DEFAULT = Backend.AFPACKET;
    public static final Fanout FANOUT_DEFAULT = Fanout.HASH;
    /** Port and engine names: letters, digits, '.', '_' and '-'; they appear in thread and JMX names. */
    public static final String NAME_PATTERN = "[A-Za-z0-9_.-]{1,32}";

    /** The packet I/O backend of a port; {@link #configName()} is how a configuration file writes it. */
    public enum Backend {
        /** AF_PACKET sockets with TPACKET_V3 rings (native-io {@code afpacket}). */
        AFPACKET("afpacket"),
        /** An AF_PACKET socket driven through io_uring (native-io {@code uring}). */
        IO_URING("io_uring");

        private final String configName;

        Backend(String configName) {
            this.configName = configName;
        }

        /** {@code afpacket} or {@code io_uring}: the value of {@code backend} and the name of its section. */
        public String configName() {
            return configName;
        }

        /** The backend a command line names ({@code afpacket}, {@code io_uring}; case and '-' ignored). */
        public static Backend of(String name) {
            String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
            for (Backend b : values()) {
                if (b.configName.equals(n) || b.configName.replace("_", "").equals(n)) {
                    return b;
                }
            }
            throw new ConfigException("backend \"" + name + "\" is not one of afpacket, io_uring");
        }
    }

    /** PACKET_FANOUT modes for a port with several queues. */
    public enum Fanout {
        /** By flow hash: a flow stays on one queue, so its order is kept. */
        HASH,
        /** Round robin, frame by frame. */
        LB,
        /** By the CPU that received the frame. */
        CPU,
        /** By the NIC's receive queue. */
        QM;

        /** {@code hash}, {@code lb}, {@code cpu} or {@code qm}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PortConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(mtu, "mtu");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(fanout, "fanout");
        Objects.requireNonNull(origin, "origin");
        check(name.matches(NAME_PATTERN), "name", name, "must match " + NAME_PATTERN);
        check(interfaceProblem(interfaceName) == null, "interface", interfaceName, interfaceProblem(interfaceName));
        check(netns.map(PortConfig::netnsProblem).isEmpty(), "netns", netns.orElse(""),
            netns.map(PortConfig::netnsProblem).orElse(""));
        check(prefixLength >= 1 && prefixLength <= 32, "address", Ipv4.format(address) + "/" + prefixLength,
            "the prefix length must be in 1..32");
        check(mtu.isEmpty() || mtu.getAsInt() >= MTU_MIN && mtu.getAsInt() <= MTU_MAX, "mtu",
            mtu.isPresent() ? mtu.getAsInt() : "", "must be in " + MTU_MIN + ".." + MTU_MAX);
        check(mac.isEmpty() || mac.get().notUnicast() == null, "mac", mac.map(MacAddress::toString).orElse(""),
            "must be a unicast address");
        check(queues >= 1 && queues <= QUEUES_MAX, "queues", queues, "must be in 1.." + QUEUES_MAX);
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    private void check(boolean ok, String key, Object value, String message) {
        if (!ok) {
            throw new ConfigException(origin + ": port " + name + ": " + key + " " + value + " " + message);
        }
    }

    /** Why {@code name} cannot name a Linux interface (1 to 15 bytes, no '/', ':' or white space), or null. */
    static String interfaceProblem(String name) {
        boolean ok = !name.isEmpty() && !name.equals(".") && !name.equals("..")
            && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 15;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c != '/' && c != ':' && !Character.isWhitespace(c) && c != 0;
        }
        return ok ? null : "is not an interface name: 1 to 15 bytes without '/', ':' or white space";
    }

    /** Why {@code name} cannot name a network namespace under /run/netns, or null. */
    static String netnsProblem(String name) {
        boolean ok = !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
            && name.indexOf('\0') < 0 && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255;
        return ok ? null : "is not a network namespace name: 1 to 255 bytes without '/', not . or ..";
    }

    /** The port's subnet: the address with the host bits cleared. */
    public int network() {
        return address & Ipv4.mask(prefixLength);
    }

    public int netmask() {
        return Ipv4.mask(prefixLength);
    }

    /** Whether {@code addr} is inside this port's subnet (the connected route). */
    public boolean contains(int addr) {
        return Ipv4.contains(address, prefixLength, addr);
    }

    /** The broadcast address of the subnet, for prefixes up to /30 (none for /31 and /32). */
    public OptionalInt broadcast() {
        return prefixLength <= 30 ? OptionalInt.of(network() | ~netmask()) : OptionalInt.empty();
    }

    /** {@code 10.10.1.1/24}. */
    public String addressString() {
        return Ipv4.format(address) + "/" + prefixLength;
    }

    @Override
    public String toString() {
        return "PortConfig[name=" + name + ", interface=" + interfaceName + netns.map(n -> ", netns=" + n).orElse("")
            + ", backend=" + backend.configName() + ", address=" + addressString()
            + (mtu.isPresent() ? ", mtu=" + mtu.getAsInt() : "") + mac.map(m -> ", mac=" + m).orElse("")
            + ", queues=" + queues + ", fanout=" + fanout.configName() + ", options=" + options.values()
            + ", origin=" + origin + "]";
    }

    /** The backend setting {@code name}, if the port's backend section sets it. */
    public Optional<Setting> option(String name) {
        return Optional.ofNullable(options.get(name));
    }
}
