package io.sluice.nativeio;

import io.sluice.engine.phy.NicPort;
import io.sluice.nativeio.linux.InterfaceInfo;

/** A {@link NicPort} on a Linux interface: it also tells what the kernel said of the interface when it opened. */
public interface NativePort extends NicPort {

    /** The interface's index, MAC, MTU and link state, as read when the port opened. */
    InterfaceInfo interfaceInfo();
}
