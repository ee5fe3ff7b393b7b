package io.sluice.config;

import java.util.Objects;

/**
 * A static route: packets to {@code prefix/length} leave through {@link #port}, to the gateway {@link #via}
 * or, when there is none, straight to their destination (a route to a directly attached network). Each port's
 * own subnet is a connected route already and needs no entry.
 *
 * @param prefix the destination network (no host bits set)
 * @param length the prefix length, 0..32 (0 for the default route)
 * @param via    the gateway's address, or 0 for none
 * @param port   the egress port's name: as written, or else the port whose subnet holds the gateway
 * @param origin where the route was defined
 */
public record RouteConfig(int prefix, int length, int via, String port, Origin origin) {
    public RouteConfig {
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(origin, "origin");
        if (length < 0 || length > 32 || (prefix & ~Ipv4.mask(length)) != 0) {
            throw new ConfigException(origin + ": route " + Ipv4.format(prefix) + "/" + length
                + ": the length must be in 0..32 and the prefix must have no host bits set");
        }
    }

    public boolean hasGateway() {
        return via != 0;
    }

    /** Whether {@code address} matches this route. */
    public boolean matches(int address) {
        return Ipv4.contains(prefix, length, address);
    }

    /** {@code 198.19.0.0/16 via 10.10.2.2 port sink}, or {@code 10.10.2.0/24 port sink}. */
    @Override
    public String toString() {
        return Ipv4.format(prefix) + "/" + length + (hasGateway() ? " via " + Ipv4.format(via) : "") + " port " + port;
    }
}
