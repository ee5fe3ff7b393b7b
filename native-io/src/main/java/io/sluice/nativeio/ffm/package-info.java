/**
 * The foreign-function layer: {@link io.sluice.nativeio.ffm.Libc} holds one downcall handle per libc
 * function the module calls (socket, setsockopt, getsockopt, bind, ioctl, mmap, munmap, sendto, open,
 * setns, close, and syscall for io_uring_setup, io_uring_enter and io_uring_register), each capturing errno into
 * a segment the caller supplies; {@link io.sluice.nativeio.ffm.Errno}
 * allocates those capture segments (one per thread, so that the data path allocates nothing) and names errno
 * values; {@link io.sluice.nativeio.ffm.NativeException} reports a failed call with its errno.
 */
package io.sluice.nativeio.ffm;
