package io.sluice.nativeio.linux;

import java.util.HexFormat;

/**
 * What the kernel says about a network interface, read with the SIOCGIF* ioctls.
 *
 * @param name  the interface name
 * @param index its ifindex
 * @param mac   the hardware address, the six bytes of an Ethernet MAC in the low 48 bits (first byte highest)
 * @param mtu   the MTU: the largest packet above the link header
 * @param flags the {@code IFF_*} flags from SIOCGIFFLAGS (the low 16 bits; IFF_LOWER_UP is not among them)
 */
public record InterfaceInfo(String name, int index, long mac, int mtu, int flags) {

    /** Administratively up ({@code ip link set dev NAME up}). */
    public boolean up() {
        return (flags & Linux.IFF_UP) != 0;
    }

    /** Up and with a carrier (RFC 2863 operational state up); a veth whose peer is down is up but not running. */
    public boolean running() {
        return (flags & Linux.IFF_RUNNING) != 0;
    }

    public boolean promiscuous() {
        return (flags & Linux.IFF_PROMISC) != 0;
    }

    /** The MAC as six bytes. */
    public byte[] macBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return b;
    }

    /** The MAC as {@code 02:00:00:00:00:01}. */
    public String macString() {
        return HexFormat.ofDelimiter(":").formatHex(macBytes());
    }

    @Override
    public String toString() {
        return name + "{index=" + index + ", mac=" + macString() + ", mtu=" + mtu + ", " + (up() ? "up" : "down")
            + (running() ? ", running" : "") + "}";
    }
}
