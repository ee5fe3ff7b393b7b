/**
 * The AF_PACKET NIC port: {@link io.sluice.nativeio.afpacket.AfPacketPort} implements the engine's
 * {@link io.sluice.engine.phy.NicPort} over one AF_PACKET socket with a memory-mapped TPACKET_V3 receive ring
 * ({@code RxRing}: blocks handed over by TP_STATUS_USER and back by TP_STATUS_KERNEL, frames copied into pbuf
 * chains) and transmit ring ({@code TxRing}: pbuf chains gathered into slots, one {@code sendto} kick per
 * burst, slots reclaimed when the kernel marks them available). {@link io.sluice.nativeio.afpacket.AfPacketConfig}
 * holds the ring geometry (with the reasons for the defaults), the socket options (PACKET_QDISC_BYPASS,
 * PACKET_IGNORE_OUTGOING, promiscuous mode) and the {@link io.sluice.nativeio.afpacket.FanoutMode fan-out}
 * that spreads one interface over several ports; {@link io.sluice.nativeio.afpacket.AfPacketStats} counts
 * what the engine's port counters do not: kernel statistics, ring events and absorbed errors.
 */
package io.sluice.nativeio.afpacket;
