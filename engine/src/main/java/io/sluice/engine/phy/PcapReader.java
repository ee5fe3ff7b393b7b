package io.sluice.engine.phy;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a libpcap file (either byte order, micro- or nanosecond timestamps, Ethernet) into pbuf chains.
 * A malformed file gives a {@link PcapFormatException} naming the fault and its offset; nothing is leaked.
 */
public final class PcapReader implements AutoCloseable {
    private final InputStream in;
    private final String source;
    private final ByteOrder order;
    private final boolean nanos;
    private final int snaplen;
    private final byte[] header = new byte[PcapFormat.RECORD_HEADER];
    private final ByteBuffer headerView;
    private byte[] frame = new byte[2048];
    private long offset;
    private long lastTimestamp;
    private boolean poolEmpty;

    private PcapReader(InputStream in, String source) throws IOException {
        this.in = in;
        this.source = source;
        byte[] global = new byte[PcapFormat.GLOBAL_HEADER];
        readFully(global, PcapFormat.GLOBAL_HEADER, "global header");
        int magicLe = ByteBuffer.wrap(global).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        int magicBe = ByteBuffer.wrap(global).order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magicLe == PcapFormat.MAGIC_MICROS || magicLe == PcapFormat.MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = magicLe == PcapFormat.MAGIC_NANOS;
        } else if (magicBe == PcapFormat.MAGIC_MICROS || magicBe == PcapFormat.MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
            nanos = magicBe == PcapFormat.MAGIC_NANOS;
        } else {
            throw new PcapFormatException(source + ": not a pcap file (magic 0x"
                + Integer.toHexString(magicBe) + " at offset 0)");
        }
        ByteBuffer g = ByteBuffer.wrap(global).order(order);
        int major = g.getShort(4);
        if (major != 2) {
            throw new PcapFormatException(source + ": pcap version " + major + " at offset 4, expected 2");
        }
        this.snaplen = g.getInt(16);
        int linktype = g.getInt(20) & 0x03FFFFFF; // the upper bits may carry FCS length flags
        if (linktype != PcapFormat.LINKTYPE_ETHERNET) {
            throw new PcapFormatException(source + ": link type " + linktype + " at offset 20, only Ethernet (1) is read");
        }
        this.headerView = ByteBuffer.wrap(header).order(order);
    }

    public static PcapReader open(Path path) throws IOException {
        InputStream in = new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16);
        try {
            return new PcapReader(in, path.toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    public static PcapReader open(InputStream in, String name) throws IOException {
        return new PcapReader(in, name);
    }

    /**
     * Reads the next frame into a new packet (allocated for receive, so it may use the pool's reserve).
     *
     * @return the packet, owned by the caller; NULL at the end of the file or when the pool is empty (then
     *         {@link #poolWasEmpty()} is true and the frame is skipped)
     * @throws PcapFormatException on a truncated or malformed record
     */
    public int next(Pbufs p) throws IOException {
        poolEmpty = false;
        int first = in.read();
        if (first < 0) {
            return PbufHandle.NULL;
        }
        header[0] = (byte) first;
        offset++;
        readFully(header, 1, PcapFormat.RECORD_HEADER - 1, "record header");
        long sec = headerView.getInt(0) & 0xFFFFFFFFL;
        long frac = headerView.getInt(4) & 0xFFFFFFFFL;
        int incl = headerView.getInt(8);
        int orig = headerView.getInt(12);
        long at = offset - PcapFormat.RECORD_HEADER;
        if (incl < 0 || incl > PcapFormat.MAX_RECORD || (snaplen > 0 && incl > Math.max(snaplen, PcapFormat.MAX_RECORD))) {
            throw new PcapFormatException(source + ": record length " + Integer.toUnsignedString(incl) + " at offset "
                + at + " is out of range");
        }
        if (Integer.compareUnsigned(orig, incl) < 0) {
            throw new PcapFormatException(source + ": original length " + Integer.toUnsignedString(orig)
                + " < captured length " + incl + " at offset " + at);
        }
        if (frame.length < incl) {
            frame = new byte[Math.max(incl, frame.length * 2)];
        }
        readFully(frame, 0, incl, "frame of " + incl + " bytes");
        lastTimestamp = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
        int h = p.allocReceive(incl);
        if (h == PbufHandle.NULL) {
            poolEmpty = true;
            return PbufHandle.NULL;
        }
        p.copyback(h, 0, MemorySegment.ofArray(frame), 0, incl);
        return h;
    }

    /** Whether the last {@link #next} returned NULL because the pool was empty, not at end of file. */
    public boolean poolWasEmpty() {
        return poolEmpty;
    }

    /** Timestamp of the last frame read, nanoseconds since the epoch. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    private void readFully(byte[] b, int n, String what) throws IOException {
        readFully(b, 0, n, what);
    }

    /** Reads {@code b[off..off+n)}; the {@code off} bytes before were already read, as part of the same item. */
    private void readFully(byte[] b, int off, int n, String what) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(b, off + done, n - done);
            if (r < 0) {
                throw new PcapFormatException(source + ": truncated " + what + " at offset " + (offset + done)
                    + " (" + (off + done) + " of " + (off + n) + " bytes)");
            }
            done += r;
        }
        offset += n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
