package io.sluice.engine.phy;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A port backed by files: it receives the frames of a pcap file (once, then nothing) and writes what it
 * transmits to another pcap file. A read or write error is counted as a device drop and remembered
 * ({@link #lastError()}); it never escapes into the pipeline.
 */
public final class PcapPort implements NicPort {
    private final String name;
    private final PcapReader reader;
    private final PcapWriter writer;
    private final PortCapabilities caps;
    private final PortCounters counters = new PortCounters();
    private volatile String lastError;
    private boolean endOfInput;

    private PcapPort(String name, PcapReader reader, PcapWriter writer, int maxBurst) {
        this.name = name;
        this.reader = reader;
        this.writer = writer;
        this.caps = new PortCapabilities(9000, maxBurst, reader != null, writer != null, 1);
        this.endOfInput = reader == null;
    }

    /**
     * @param input  a pcap file to receive from, or null
     * @param output a pcap file to create for what is transmitted, or null
     */
    public static PcapPort open(String name, Path input, Path output, int maxBurst) throws IOException {
        PcapReader r = input == null ? null : PcapReader.open(input);
        try {
            return new PcapPort(name, r, output == null ? null : PcapWriter.create(output), maxBurst);
        } catch (IOException | RuntimeException e) {
            if (r != null) {
                r.close();
            }
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PortCapabilities capabilities() {
        return caps;
    }

    @Override
    public int receiveBurst(Pbufs p, int[] out, int max) {
        int n = 0;
        long bytes = 0;
        int limit = Math.min(max, caps.maxBurst());
        while (n < limit && !endOfInput) {
            try {
                int h = reader.next(p);
                if (h == PbufHandle.NULL) {
                    if (reader.poolWasEmpty()) {
                        // Like a NIC ring without buffers: this frame is lost and the burst ends here, so that
                        // a moment's shortage costs one frame per call rather than the rest of the file.
                        counters.rxDrop(PortCounters.Drop.RX_NO_PBUFS);
                        break;
                    }
                    endOfInput = true;
                    break;
                }
                p.setTimestamp(h, reader.lastTimestamp());
                bytes += p.pktLen(h);
                out[n++] = h;
            } catch (IOException e) {
                lastError = e.getMessage();
                counters.rxDrop(PortCounters.Drop.DEVICE);
                endOfInput = true;
            }
        }
        counters.received(n, bytes);
        return n;
    }

    /** Whether every frame of the input file has been received (or reading failed). */
    public boolean endOfInput() {
        return endOfInput;
    }

    @Override
    public int transmitBurst(Pbufs p, int[] handles, int off, int n) {
        long bytes = 0;
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int k = 0; k < n; k++) {
            int h = handles[off + k];
            try {
                if (writer != null) {
                    writer.write(p, h, now);
                }
                bytes += p.pktLen(h);
            } catch (IOException e) {
                lastError = e.getMessage();
                counters.txDrop(PortCounters.Drop.DEVICE);
            }
            p.freem(h);
        }
        counters.transmitted(n, bytes);
        return n;
    }

    /** The last read or write error, or null. */
    public String lastError() {
        return lastError;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    @Override
    public void close(Pbufs p) {
        close();
    }

    @Override
    public void close() {
        try {
            if (reader != null) {
                reader.close();
            }
            if (writer != null) {
                writer.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing port " + name, e);
        }
    }
}
