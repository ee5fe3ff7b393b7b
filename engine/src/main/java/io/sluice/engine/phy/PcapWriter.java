package io.sluice.engine.phy;

import io.sluice.engine.pbuf.Pbufs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.lang.foreign.MemorySegment;

/**
 * Writes packets to a libpcap file (little-endian, nanosecond timestamps, Ethernet). Packets are copied out
 * of their chains into one reused buffer and written in batches; nothing is allocated per packet.
 */
public final class PcapWriter implements AutoCloseable {
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final MemorySegment bufferSegment;
    private final int snaplen;
    private long records;

    private PcapWriter(FileChannel channel, int snaplen) throws IOException {
        this.channel = channel;
        this.snaplen = snaplen;
        this.buffer = ByteBuffer.allocateDirect(Math.max(1 << 16, 4 * (snaplen + PcapFormat.RECORD_HEADER)))
            .order(ByteOrder.LITTLE_ENDIAN);
        this.bufferSegment = MemorySegment.ofBuffer(buffer);
        buffer.putInt(PcapFormat.MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
            .putInt(snaplen).putInt(PcapFormat.LINKTYPE_ETHERNET);
    }

    /** Creates (or truncates) {@code path} and writes the global header. */
    public static PcapWriter create(Path path) throws IOException {
        return create(path, PcapFormat.DEFAULT_SNAPLEN);
    }

    public static PcapWriter create(Path path, int snaplen) throws IOException {
        if (snaplen < 1 || snaplen > PcapFormat.MAX_RECORD) {
            throw new IllegalArgumentException("snaplen=" + snaplen + " must be in 1.." + PcapFormat.MAX_RECORD);
        }
        return new PcapWriter(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING), snaplen);
    }

    /**
     * Appends packet {@code h} with timestamp {@code epochNanos}; the caller keeps the packet.
     */
    public void write(Pbufs p, int h, long epochNanos) throws IOException {
        int len = p.length(h);
        int incl = Math.min(len, snaplen);
        if (buffer.remaining() < PcapFormat.RECORD_HEADER + incl) {
            flush();
        }
        buffer.putInt((int) (epochNanos / 1_000_000_000L)).putInt((int) (epochNanos % 1_000_000_000L))
            .putInt(incl).putInt(len);
        p.copydata(h, 0, incl, bufferSegment, buffer.position());
        buffer.position(buffer.position() + incl);
        records++;
    }

    /** Writes out what is buffered. */
    public void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    public long records() {
        return records;
    }

    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
