/**
 * A NIC port over io_uring: {@link io.sluice.nativeio.uring.IoUring} sets a ring up with the raw system calls
 * (425 setup, 426 enter, 427 register) and maps it; {@link io.sluice.nativeio.uring.SqRing} and
 * {@link io.sluice.nativeio.uring.CqRing} are flyweights over the mapped queues (release store on the SQ tail and
 * the CQ head, acquire loads of the SQ head and the CQ tail); {@link io.sluice.nativeio.uring.UringPort} implements
 * the engine's {@link io.sluice.engine.phy.NicPort} with receives and sends on an AF_PACKET socket, configured by
 * {@link io.sluice.nativeio.uring.UringConfig} and counted in {@link io.sluice.nativeio.uring.UringStats}.
 * {@link io.sluice.nativeio.uring.Uring} holds the ABI: constants and struct layouts.
 */
package io.sluice.nativeio.uring;
