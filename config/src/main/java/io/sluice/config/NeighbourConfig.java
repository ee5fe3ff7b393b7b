package io.sluice.config;

import java.util.Objects;

/**
 * A static ARP entry: {@code address} is at {@code mac} on {@code port}. It never expires and ARP replies do
 * not change it.
 *
 * @param address the neighbour's IPv4 address, inside the port's subnet
 * @param mac     its unicast MAC address
 * @param port    the port's name: as written, or else the port whose subnet holds the address
 * @param origin  where the entry was defined
 */
public record NeighbourConfig(int address, MacAddress mac, String port, Origin origin) {
    public NeighbourConfig {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(origin, "origin");
        if (mac.notUnicast() != null) {
            throw new ConfigException(origin + ": neighbour " + Ipv4.format(address) + ": mac " + mac + " "
                + mac.notUnicast());
        }
    }

    @Override
    public String toString() {
        return Ipv4.format(address) + " lladdr " + mac + " port " + port;
    }
}
