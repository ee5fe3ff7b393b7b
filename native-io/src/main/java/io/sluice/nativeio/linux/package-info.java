/**
 * Linux kernel interfaces as plain Java: {@link io.sluice.nativeio.linux.Linux} holds the constants
 * (address families, PACKET_* socket options, TP_STATUS_* bits, SIOCGIF* ioctls, IFF_* flags),
 * {@link io.sluice.nativeio.linux.Structs} the struct layouts with their field offsets (tpacket_req3,
 * tpacket_block_desc, tpacket3_hdr, sockaddr_ll, ifreq, tpacket_stats_v3, packet_mreq),
 * {@link io.sluice.nativeio.linux.Interfaces} the interface ioctls that fill an
 * {@link io.sluice.nativeio.linux.InterfaceInfo} (ifindex, MAC, MTU, up/running) and raise an
 * {@link io.sluice.nativeio.linux.InterfaceException} that names the interface and the fix, and
 * {@link io.sluice.nativeio.linux.NetNamespace} a thread moved into a named network namespace with setns(2).
 */
package io.sluice.nativeio.linux;
