package io.sluice.nativeio.afpacket;

import io.sluice.nativeio.linux.Linux;

/**
 * How PACKET_FANOUT spreads an interface's received frames over the sockets (queues) of one group. Each
 * socket of a group has its own receive ring; open one {@link AfPacketPort} per queue with the same
 * {@link AfPacketConfig#fanoutGroup()}.
 */
public enum FanoutMode {
    /** No fan-out: this socket sees every frame of the interface. */
    NONE(-1),
    /** By flow hash (the kernel's flow dissector): a flow stays on one queue, so its order is kept. */
    HASH(Linux.PACKET_FANOUT_HASH),
    /** Round robin, frame by frame: even load, no flow affinity. */
    LB(Linux.PACKET_FANOUT_LB),
    /** By the CPU that received the frame: pairs each queue with a CPU (RSS, RPS). */
    CPU(Linux.PACKET_FANOUT_CPU),
    /** By the NIC's receive queue (skb queue mapping): one socket per hardware queue. */
    QM(Linux.PACKET_FANOUT_QM);

    private final int kernelValue;

    FanoutMode(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    /** The PACKET_FANOUT_* type, -1 for {@link #NONE}. */
    public int kernelValue() {
        return kernelValue;
    }

    /** Parses {@code none}, {@code hash}, {@code lb}, {@code cpu} or {@code qm} (any case). */
    public static FanoutMode parse(String s) {
        for (FanoutMode m : values()) {
            if (m.name().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new io.sluice.config.ConfigException(AfPacketConfig.FANOUT_PROP + "=" + s
            + " must be one of none, hash, lb, cpu, qm");
    }
}
