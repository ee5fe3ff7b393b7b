package io.sluice.nativeio.linux;

import io.sluice.nativeio.ffm.NativeException;

/**
 * A network interface cannot be used as asked: it does not exist, is down, has too small an MTU, or the
 * process lacks the privilege. The message names the interface, the cause (with the errno when there is one)
 * and the fix.
 */
public final class InterfaceException extends NativeException {
    private static final long serialVersionUID = 1L;

    private final String interfaceName;

    public InterfaceException(String interfaceName, String message, int errno) {
        super(message, errno);
        this.interfaceName = interfaceName;
    }

    public String interfaceName() {
        return interfaceName;
    }
}
