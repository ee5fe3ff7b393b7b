package io.sluice.nativeio.ffm;

/** A libc call failed; the message names the call, the errno and, where one is known, the fix. */
public class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NativeException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** {@code "<what> failed: ENOBUFS (No buffer space available)"}. */
    public static NativeException of(String what, int errno) {
        return new NativeException(what + " failed: " + Errno.describe(errno), errno);
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }
}
