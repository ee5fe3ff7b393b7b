package io.sluice.nativeio.uring;

import io.sluice.nativeio.ffm.NativeException;

/**
 * io_uring cannot be used on this machine or by this process: the kernel lacks it, an administrator switched it
 * off ({@code kernel.io_uring_disabled}), or a seccomp filter or security module refuses its system calls. The
 * message names the cause and the fix; {@link io.sluice.nativeio.afpacket.AfPacketPort} needs none of it.
 */
public final class UringUnavailableException extends NativeException {
    private static final long serialVersionUID = 1L;

    public UringUnavailableException(String message, int errno) {
        super(message, errno);
    }
}
