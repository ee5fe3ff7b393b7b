/**
 * Sluice's NIC ports over Linux kernel interfaces, through the Foreign Function and Memory API (no JNI, no
 * C). This is the only module that uses {@link java.lang.foreign.Linker}; the engine never depends on it.
 *
 * <ul>
 *   <li>{@link io.sluice.nativeio.ffm}: the libc downcalls and per-thread errno capture;</li>
 *   <li>{@link io.sluice.nativeio.linux}: kernel constants, struct layouts, interface ioctls and network
 *       namespaces;</li>
 *   <li>{@link io.sluice.nativeio.afpacket}: the AF_PACKET port with its TPACKET_V3 receive and transmit
 *       rings.</li>
 * </ul>
 */
package io.sluice.nativeio;
