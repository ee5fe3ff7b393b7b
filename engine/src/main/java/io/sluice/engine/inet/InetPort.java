package io.sluice.engine.inet;

import io.sluice.engine.wire.Ipv4Address;
import io.sluice.engine.wire.MacAddress;

/**
 * One port as the forwarding plane sees it: its index in the pipeline (the {@code rcvif} its packets carry and
 * the {@code txif} that sends out of it), its MAC, its IPv4 address and prefix, and its MTU.
 *
 * @param index        the port's input and output index in the pipeline
 * @param name         the port's name, for messages
 * @param mac          the port's MAC, 48 bits
 * @param address      the port's IPv4 address
 * @param prefixLength the prefix length of the port's subnet, 0..32
 * @param mtu          the largest IP datagram the port sends, in bytes
 */
public record InetPort(int index, String name, long mac, int address, int prefixLength, int mtu) {

    /** The smallest MTU an IPv4 link may have (RFC 791: every host must take 68-byte datagrams). */
    public static final int MIN_MTU = 68;

    public InetPort {
        if (index < 0 || index > 255) {
            throw new IllegalArgumentException("port " + name + ": index=" + index + " must be in 0..255");
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("port " + name + ": prefix length " + prefixLength + " must be in 0..32");
        }
        if (mtu < MIN_MTU || mtu > 65535) {
            throw new IllegalArgumentException("port " + name + ": mtu=" + mtu + " must be in " + MIN_MTU + "..65535");
        }
        if (MacAddress.isMulticast(mac)) {
            throw new IllegalArgumentException("port " + name + ": MAC " + MacAddress.toString(mac) + " is multicast");
        }
    }

    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int network() {
        return address & netmask();
    }

    /** The subnet's directed broadcast address. */
    public int broadcast() {
        return address | ~netmask();
    }

    /** Whether one of {@code ports} has the address {@code ip} (a plane has a handful of ports: a scan is cheapest). */
    static boolean anyHas(InetPort[] ports, int ip) {
        for (InetPort port : ports) {
            if (port.address == ip) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code ip} is in this port's subnet. */
    public boolean onLink(int ip) {
        return (ip & netmask()) == network();
    }

    @Override
    public String toString() {
        return name + " " + Ipv4Address.toString(address) + "/" + prefixLength + " " + MacAddress.toString(mac)
            + " mtu " + mtu;
    }
}
