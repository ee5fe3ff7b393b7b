package io.sluice.engine.phy;

/**
 * The libpcap file format, as tcpdump and tshark read it.
 *
 * <pre>
 * global header (24 bytes):  magic u32 | version major u16 (2) | minor u16 (4) | thiszone i32 | sigfigs u32
 *                            | snaplen u32 | linktype u32 (1 = Ethernet)
 * record header (16 bytes):  ts_sec u32 | ts_frac u32 (micro- or nanoseconds, by magic) | incl_len u32
 *                            | orig_len u32, then incl_len bytes of frame
 * </pre>
 *
 * The magic also gives the byte order: written in the writer's order, read back swapped by a reader of the
 * other order. Sluice writes little-endian files with nanosecond timestamps.
 */
final class PcapFormat {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;
    static final int LINKTYPE_ETHERNET = 1;
    static final int DEFAULT_SNAPLEN = 65535;
    /** Largest record Sluice reads back: a jumbo frame and some. */
    static final int MAX_RECORD = 256 * 1024;

    private PcapFormat() {
    }
}
