package io.sluice.engine.phy;

import java.io.IOException;

/** A pcap file that is not what it claims: the message says what was wrong and at which byte offset. */
public final class PcapFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public PcapFormatException(String message) {
        super(message);
    }
}
