package io.sluice.engine.phy;

/**
 * What a port can do.
 *
 * @param mtu        largest IP packet it carries (the frame adds 14 bytes of Ethernet header)
 * @param maxBurst   most packets one receive or transmit call handles
 * @param canReceive whether {@link NicPort#receiveBurst} yields packets
 * @param canTransmit whether {@link NicPort#transmitBurst} accepts packets
 * @param queues     receive queues behind the port (fan-out)
 */
public record PortCapabilities(int mtu, int maxBurst, boolean canReceive, boolean canTransmit, int queues) {
    public PortCapabilities {
        if (mtu < 68 || maxBurst < 1 || queues < 1) {
            throw new IllegalArgumentException("mtu=" + mtu + " maxBurst=" + maxBurst + " queues=" + queues);
        }
    }

    public static PortCapabilities ethernet(int maxBurst) {
        return new PortCapabilities(1500, maxBurst, true, true, 1);
    }
}
