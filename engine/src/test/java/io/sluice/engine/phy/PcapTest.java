package io.sluice.engine.phy;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.PbufStats;
import io.sluice.engine.pbuf.Pbufs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pcap writer, reader and file port: round trips, the format's bytes, tcpdump, foreign files, bad files. */
@ExtendWith(PbufLeakExtension.class)
class PcapTest {
    /** 2023-11-14T22:13:20.123456789Z */
    private static final long T0 = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------------
    // Round trips
    // ---------------------------------------------------------------------------------------------------

    @Test
    void packetsComeBackWithTheirBytesAndNanosecondTimestamps() throws IOException {
        Path file = dir.resolve("round.pcap");
        Random rnd = new Random(11);
        int[] sizes = {60, 61, 64, 463, 464, 465, 1000, 1514, 9014, 14, 1, 0};
        List<byte[]> frames = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            try (PcapWriter w = PcapWriter.create(file)) {
                for (int k = 0; k < 300; k++) {
                    byte[] f = new byte[sizes[k % sizes.length]];
                    rnd.nextBytes(f);
                    long ts = T0 + k * 1_000_001_001L + (k == 7 ? 999_999_999 - 123_456_789 : 0);
                    int h = packet(p, f);
                    w.write(p, h, ts);
                    p.freem(h);
                    frames.add(f);
                    stamps.add(ts);
                }
                assertEquals(300, w.records());
            }
            try (PcapReader r = PcapReader.open(file)) {
                for (int k = 0; k < 300; k++) {
                    int h = r.next(p);
                    assertNotEquals(PbufHandle.NULL, h, "record " + k);
                    assertFalse(r.poolWasEmpty());
                    assertArrayEquals(frames.get(k), p.toArray(h), "record " + k);
                    assertEquals(frames.get(k).length, p.pktLen(h));
                    assertNull(p.check(h));
                    assertEquals(stamps.get(k), r.lastTimestamp(), "timestamp of record " + k);
                    p.freem(h);
                }
                assertEquals(PbufHandle.NULL, r.next(p), "end of file");
                assertFalse(r.poolWasEmpty(), "the end, not an empty pool");
                assertEquals(PbufHandle.NULL, r.next(p), "and it stays at the end");
            }
            assertPoolFull(pool);
        }
    }

    @Test
    void aSnaplenCutsFramesButKeepsTheirOriginalLength() throws IOException {
        Path file = dir.resolve("snap.pcap");
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            byte[] f = new byte[1514];
            new Random(3).nextBytes(f);
            try (PcapWriter w = PcapWriter.create(file, 100)) {
                int h = packet(p, f);
                w.write(p, h, 5_000_000_123L);
                w.write(p, h, 6_000_000_000L);
                p.freem(h);
            }
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(24 + 2 * (16 + 100), b.capacity());
            assertEquals(100, b.getInt(16), "snaplen in the global header");
            assertEquals(5, b.getInt(24));
            assertEquals(123, b.getInt(28));
            assertEquals(100, b.getInt(32), "incl_len");
            assertEquals(1514, b.getInt(36), "orig_len");
            try (PcapReader r = PcapReader.open(file)) {
                int h = r.next(p);
                assertArrayEquals(Arrays.copyOf(f, 100), p.toArray(h));
                assertEquals(5_000_000_123L, r.lastTimestamp());
                p.freem(h);
                h = r.next(p);
                assertEquals(6_000_000_000L, r.lastTimestamp());
                p.freem(h);
                assertEquals(PbufHandle.NULL, r.next(p));
            }
            assertThrows(IllegalArgumentException.class, () -> PcapWriter.create(dir.resolve("x.pcap"), 0));
            assertThrows(IllegalArgumentException.class, () -> PcapWriter.create(dir.resolve("x.pcap"), 256 * 1024 + 1));
            assertPoolFull(pool);
        }
    }

    @Test
    void theGlobalAndRecordHeadersHaveTheDocumentedBytes() throws IOException {
        Path empty = dir.resolve("empty.pcap");
        PcapWriter.create(empty).close();
        assertEquals("4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "01000000",
            HexFormat.of().formatHex(Files.readAllBytes(empty)),
            "magic a1b23c4d (ns), version 2.4, thiszone 0, sigfigs 0, snaplen 65535, linktype 1, little-endian");
        Path one = dir.resolve("one.pcap");
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            byte[] frame = testFrame(7, 0, T0);
            try (PcapWriter w = PcapWriter.create(one, 1514)) {
                int h = packet(p, frame);
                w.write(p, h, T0);
                p.freem(h);
            }
            byte[] bytes = Files.readAllBytes(one);
            assertEquals("4d3cb2a1020004000000000000000000ea050000" + "01000000"
                    + "00f15365" + "15cd5b07" + "3c000000" + "3c000000",
                HexFormat.of().formatHex(bytes, 0, 40), "ts_sec 1700000000, ts_nsec 123456789, incl = orig = 60");
            assertArrayEquals(frame, Arrays.copyOfRange(bytes, 40, 100));
            assertEquals(100, bytes.length);
            assertPoolFull(pool);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // tcpdump
    // ---------------------------------------------------------------------------------------------------

    @Test
    void tcpdumpReadsOurFiles() throws Exception {
        Path tcpdump = findExecutable("tcpdump");
        assertNotNull(tcpdump, "tcpdump is not installed: this test needs it to check that Sluice's pcap files are "
            + "readable by others; install it (Debian: apt-get install tcpdump; CI installs it in .ci/run)");
        Path file = dir.resolve("dump.pcap");
        AtomicLong now = new AtomicLong(T0);
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            SyntheticPort gen = SyntheticPort.builder("gen").flows(3).count(5).clock(now::get).build();
            int[] out = new int[8];
            try (PcapWriter w = PcapWriter.create(file)) {
                for (int k = 0; k < 5; k++) {
                    assertEquals(1, gen.receiveBurst(p, out, 1));
                    w.write(p, out[0], p.timestamp(out[0]));
                    p.freem(out[0]);
                    now.addAndGet(1_000_000_001L);
                }
            }
            assertPoolFull(pool);
        }
        List<String> lines = run(tcpdump.toString(), "-nn", "-r", file.toString());
        assertEquals(5, lines.size(), lines::toString);
        for (int k = 0; k < 5; k++) {
            String expect = "IP 198.18.0.1." + (1024 + k % 3) + " > 198.19.0.1.9: UDP, length 18";
            assertTrue(lines.get(k).endsWith(expect), "line " + k + ": " + lines.get(k) + "\nexpected ..." + expect);
        }
        List<String> verbose = run(tcpdump.toString(), "-nn", "-v", "-tt", "--time-stamp-precision=nano", "-r",
            file.toString());
        String all = String.join("\n", verbose);
        assertFalse(all.contains("bad cksum"), all);
        assertEquals(5, verbose.stream().filter(l -> l.contains("proto UDP (17), length 46")).count(), all);
        for (int k = 0; k < 5; k++) {
            long ts = T0 + k * 1_000_000_001L;
            String stamp = (ts / 1_000_000_000L) + "." + String.format("%09d", ts % 1_000_000_000L);
            assertTrue(verbose.stream().anyMatch(l -> l.startsWith(stamp + " IP ")), stamp + " in\n" + all);
        }
    }

    private static Path findExecutable(String name) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"));
        for (String d : dirs) {
            if (!d.isEmpty()) {
                Path candidate = Path.of(d, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private List<String> run(String... command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process proc = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!proc.waitFor(20, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, proc.exitValue(), () -> String.join(" ", command) + " failed: " + stderr);
        try (Stream<String> s = Files.lines(out)) {
            return s.toList();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Files written by others
    // ---------------------------------------------------------------------------------------------------

    static Stream<Arguments> foreignFormats() {
        return Stream.of(Arguments.of(ByteOrder.BIG_ENDIAN, false), Arguments.of(ByteOrder.BIG_ENDIAN, true),
            Arguments.of(ByteOrder.LITTLE_ENDIAN, false), Arguments.of(ByteOrder.LITTLE_ENDIAN, true));
    }

    @ParameterizedTest
    @MethodSource("foreignFormats")
    void filesInEitherByteOrderWithMicroOrNanosecondsAreRead(ByteOrder order, boolean nanos) throws IOException {
        byte[] f1 = testFrame(1, 0, 0);
        byte[] f2 = new byte[1514];
        new Random(5).nextBytes(f2);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(globalHeader(order, nanos ? 0xa1b23c4d : 0xa1b2c3d4, 2, 4, 262144, 1));
        file.write(record(order, 1_700_000_000, nanos ? 999_999_999 : 999_999, f1.length, f1.length));
        file.write(f1);
        file.write(record(order, 0xFFFF_FFF0, nanos ? 1 : 1, f2.length, 4000)); // ts_sec past 2038: unsigned
        file.write(f2);
        Path path = dir.resolve("foreign.pcap");
        Files.write(path, file.toByteArray());
        try (PbufPool pool = PbufPool.create(256); PcapReader r = PcapReader.open(path)) {
            Pbufs p = pool.local();
            int h = r.next(p);
            assertArrayEquals(f1, p.toArray(h));
            assertEquals(1_700_000_000L * 1_000_000_000L + (nanos ? 999_999_999L : 999_999_000L), r.lastTimestamp());
            p.freem(h);
            h = r.next(p);
            assertArrayEquals(f2, p.toArray(h));
            assertEquals(0xFFFF_FFF0L * 1_000_000_000L + (nanos ? 1 : 1000), r.lastTimestamp());
            p.freem(h);
            assertEquals(PbufHandle.NULL, r.next(p));
            r.close();
            assertPoolFull(pool);
        }
    }

    @Test
    void lengthFieldsAreUnsigned() throws IOException {
        byte[] f = testFrame(3, 0, 0);
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] file = cat(globalHeader(le, 0xa1b23c4d, 2, 4, 65535, 1), record(le, 1, 0, 60, 0xFFFF_FFF0), f);
        try (PbufPool pool = PbufPool.create(64); PcapReader r = PcapReader.open(new ByteArrayInputStream(file), "u32")) {
            Pbufs p = pool.local();
            int h = r.next(p);
            assertArrayEquals(f, p.toArray(h), "orig_len 4294967280 >= incl_len 60: a (huge) cut frame, not an error");
            p.freem(h);
            assertEquals(PbufHandle.NULL, r.next(p));
            assertPoolFull(pool);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Malformed files
    // ---------------------------------------------------------------------------------------------------

    static Stream<Arguments> malformed() {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        byte[] good = globalHeader(le, 0xa1b23c4d, 2, 4, 65535, 1);
        byte[] frame = testFrame(0, 0, 0);
        byte[] oneRecord = cat(good, record(le, 1, 2, 60, 60), frame); // 100 bytes
        return Stream.of(
            Arguments.of("empty file", new byte[0], 0, "truncated global header at offset 0"),
            Arguments.of("truncated global header", Arrays.copyOf(good, 10), 0,
                "truncated global header at offset 10 (10 of 24 bytes)"),
            Arguments.of("wrong magic", cat(new byte[] {1, 2, 3, 4}, Arrays.copyOfRange(good, 4, 24)), 0,
                "not a pcap file (magic 0x1020304 at offset 0)"),
            Arguments.of("pcapng", cat(new byte[] {0x0a, 0x0d, 0x0d, 0x0a}, Arrays.copyOfRange(good, 4, 24)), 0,
                "not a pcap file (magic 0xa0d0d0a at offset 0)"),
            Arguments.of("wrong version", globalHeader(le, 0xa1b23c4d, 3, 0, 65535, 1), 0,
                "pcap version 3 at offset 4"),
            Arguments.of("wrong link type", globalHeader(le, 0xa1b23c4d, 2, 4, 65535, 101), 0,
                "link type 101 at offset 20"),
            Arguments.of("truncated record header", cat(oneRecord, new byte[7]), 1,
                "truncated record header at offset 107 (7 of 16 bytes)"),
            Arguments.of("truncated record header after one byte", cat(oneRecord, new byte[1]), 1,
                "truncated record header at offset 101 (1 of 16 bytes)"),
            Arguments.of("truncated frame", cat(oneRecord, record(le, 1, 2, 60, 60), Arrays.copyOf(frame, 30)), 1,
                "truncated frame of 60 bytes at offset 146 (30 of 60 bytes)"),
            Arguments.of("record longer than 256 KiB", cat(oneRecord, record(le, 1, 2, 256 * 1024 + 1, 256 * 1024 + 1),
                new byte[300_000]), 1, "record length 262145 at offset 100 is out of range"),
            Arguments.of("negative record length", cat(good, record(le, 1, 2, 0x8000_0000, 60), frame), 0,
                "record length 2147483648 at offset 24 is out of range"),
            Arguments.of("original length < captured length", cat(oneRecord, record(le, 1, 2, 60, 59), frame), 1,
                "original length 59 < captured length 60 at offset 100"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedFileGivesAFormatExceptionNamingTheFaultAndOffset(String what, byte[] bytes, int goodRecords,
                                                                     String message) throws IOException {
        Path path = dir.resolve("bad.pcap");
        Files.write(path, bytes);
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            for (boolean fromPath : new boolean[] {true, false}) {
                PcapFormatException e = assertThrows(PcapFormatException.class, () -> {
                    try (PcapReader r = fromPath ? PcapReader.open(path)
                        : PcapReader.open(new ByteArrayInputStream(bytes), path.toString())) {
                        for (int k = 0; k < goodRecords; k++) {
                            int h = r.next(p);
                            assertNotEquals(PbufHandle.NULL, h, "record " + k + " is good");
                            p.freem(h);
                        }
                        int h = r.next(p);
                        p.freem(h); // not reached when the reader throws as it should
                        fail(what + ": read past the fault, got " + (h == PbufHandle.NULL ? "end of file" : "a packet"));
                    }
                });
                assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
                assertTrue(e.getMessage().startsWith(path.toString() + ": "), "names the source: " + e.getMessage());
                assertPoolFull(pool);
            }
        }
    }

    /**
     * Random mutations and truncations of a valid file: the reader throws nothing but
     * {@link PcapFormatException} and leaks nothing, whatever it is fed. A few thousand seeded cases, stopped
     * early (not failed) if the time budget runs out on a slow machine.
     */
    @Test
    void mutatedFilesNeverThrowAnythingButFormatExceptionsAndNeverLeak() throws IOException {
        byte[] valid;
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            Path path = dir.resolve("valid.pcap");
            Random rnd = new Random(1);
            try (PcapWriter w = PcapWriter.create(path)) {
                for (int k = 0; k < 12; k++) {
                    byte[] f = k % 3 == 0 ? testFrame(k, k, T0 + k) : new byte[1 + rnd.nextInt(1600)];
                    if (k % 3 != 0) {
                        rnd.nextBytes(f);
                    }
                    int h = packet(p, f);
                    w.write(p, h, T0 + k * 1000L);
                    p.freem(h);
                }
            }
            valid = Files.readAllBytes(path);
            assertPoolFull(pool);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        Random rnd = new Random(20_240_601);
        int cases = 0;
        int formatErrors = 0;
        int clean = 0;
        try (PbufPool pool = PbufPool.create(2048)) {
            Pbufs p = pool.local();
            for (; cases < 4000 && System.nanoTime() < deadline; cases++) {
                byte[] b = mutate(valid, rnd);
                int held = PbufHandle.NULL;
                try (PcapReader r = PcapReader.open(new ByteArrayInputStream(b), "case " + cases)) {
                    for (int k = 0; k < 10_000; k++) {
                        int h = r.next(p);
                        if (h == PbufHandle.NULL) {
                            if (r.poolWasEmpty()) {
                                continue;
                            }
                            clean++;
                            break;
                        }
                        held = h;
                        assertNull(p.check(h));
                        p.freem(h);
                        held = PbufHandle.NULL;
                    }
                } catch (PcapFormatException e) {
                    formatErrors++;
                    assertTrue(e.getMessage().contains("offset"), e.getMessage());
                } catch (Throwable t) {
                    throw new AssertionError("case " + cases + " (" + b.length + " bytes) threw " + t, t);
                } finally {
                    p.freem(held);
                }
                assertEquals(0, pool.stats().inUse(), "case " + cases + " leaked");
            }
            assertPoolFull(pool);
        }
        assertTrue(cases >= 200, "only " + cases + " cases ran");
        assertTrue(formatErrors > cases / 10 && clean > cases / 10, formatErrors + " errors, " + clean + " clean of " + cases);
    }

    private static byte[] mutate(byte[] valid, Random rnd) {
        byte[] b = valid.clone();
        int kind = rnd.nextInt(6);
        if (kind == 0 || kind == 5) { // flip a few random bytes
            for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
        }
        if (kind == 1 || kind == 5) { // a random 32-bit value in a header field somewhere
            int at = rnd.nextInt(b.length - 4);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, rnd.nextBoolean() ? rnd.nextInt()
                : rnd.nextInt(300_000));
        }
        if (kind == 2) { // a byte of the global header
            b[rnd.nextInt(24)] = (byte) rnd.nextInt(256);
        }
        if (kind == 3) { // insert or delete a run of bytes
            int at = rnd.nextInt(b.length);
            int n = 1 + rnd.nextInt(40);
            b = rnd.nextBoolean() ? cat(Arrays.copyOf(b, at), new byte[n], Arrays.copyOfRange(b, at, b.length))
                : cat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, Math.min(b.length, at + n), b.length));
        }
        if (kind >= 3 || rnd.nextInt(4) == 0) { // truncate
            b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        }
        return b;
    }

    // ---------------------------------------------------------------------------------------------------
    // PcapPort
    // ---------------------------------------------------------------------------------------------------

    @Test
    void aPcapPortReceivesTheFramesOfAFileThenNothing() throws IOException {
        Path in = dir.resolve("in.pcap");
        List<byte[]> frames = writeTestFrames(in, 50);
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            PcapPort port = PcapPort.open("pcap", in, null, 8);
            assertTrue(port.capabilities().canReceive());
            assertFalse(port.capabilities().canTransmit());
            int[] out = new int[64];
            int got = 0;
            for (int calls = 0; calls < 100 && !port.endOfInput(); calls++) {
                int n = port.receiveBurst(p, out, out.length);
                assertTrue(n <= 8, "at most maxBurst per call: " + n);
                for (int k = 0; k < n; k++) {
                    assertArrayEquals(frames.get(got), p.toArray(out[k]), "frame " + got);
                    assertEquals(T0 + got * 1000L, p.timestamp(out[k]), "the file's timestamp");
                    got++;
                    p.freem(out[k]);
                }
            }
            assertTrue(port.endOfInput());
            assertEquals(50, got);
            assertEquals(0, port.receiveBurst(p, out, out.length), "end of input: nothing more");
            assertEquals(50, port.counters().rxPackets());
            assertEquals(50L * 60, port.counters().rxBytes());
            assertEquals(java.util.Map.of(), port.counters().drops());
            assertNull(port.lastError());
            port.close(p);
            assertPoolFull(pool);
        }
    }

    @Test
    void aPcapPortWritesWhatItTransmitsAndFreesIt() throws IOException {
        Path out = dir.resolve("out.pcap");
        try (PbufPool pool = PbufPool.create(1024)) {
            Pbufs p = pool.local();
            PcapPort port = PcapPort.open("pcap", null, out, 16);
            assertTrue(port.endOfInput(), "no input file: nothing to receive");
            assertEquals(0, port.receiveBurst(p, new int[4], 4));
            List<byte[]> sent = new ArrayList<>();
            int[] burst = new int[10];
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < burst.length; k++) {
                    byte[] f = testFrame(sent.size(), 0, 0);
                    sent.add(f);
                    burst[k] = packet(p, f);
                }
                assertEquals(10, port.transmitBurst(p, burst, 0, 10));
                for (int h : burst) {
                    assertThrows(RuntimeException.class, () -> p.len(h), "the port freed it");
                }
            }
            assertPoolFull(pool);
            assertEquals(30, port.counters().txPackets());
            assertEquals(30L * 60, port.counters().txBytes());
            port.close(p);
            port.close(p); // idempotent
            try (PcapReader r = PcapReader.open(out)) {
                for (byte[] f : sent) {
                    int h = r.next(p);
                    assertArrayEquals(f, p.toArray(h));
                    p.freem(h);
                }
                assertEquals(PbufHandle.NULL, r.next(p));
            }
            assertPoolFull(pool);
        }
    }

    @Test
    void aPoolTooSmallForTheFileCountsDropsOneFramePerCall() throws IOException {
        Path in = dir.resolve("big.pcap");
        int total = 300;
        List<byte[]> frames = writeTestFrames(in, total);
        try (PbufPool pool = PbufPool.create(64)) {
            Pbufs p = pool.local();
            PcapPort port = PcapPort.open("pcap", in, null, 32);
            List<Integer> held = new ArrayList<>();
            int[] out = new int[32];
            int calls = 0;
            // keep everything: the pool runs dry
            while (port.counters().rxDrops(PortCounters.Drop.RX_NO_PBUFS) == 0 && calls++ < 100) {
                int n = port.receiveBurst(p, out, out.length);
                for (int k = 0; k < n; k++) {
                    held.add(out[k]);
                }
            }
            long drops = port.counters().rxDrops(PortCounters.Drop.RX_NO_PBUFS);
            assertEquals(1, drops, "the call that found the pool empty dropped that frame and stopped");
            assertTrue(held.size() > 0 && held.size() < total, "held " + held.size());
            assertFalse(port.endOfInput(), "a transient shortage does not throw the rest of the file away");
            assertEquals(0, port.receiveBurst(p, out, out.length));
            assertEquals(2, port.counters().rxDrops(PortCounters.Drop.RX_NO_PBUFS), "one more per call");
            for (int k = 0; k < held.size(); k++) {
                assertArrayEquals(frames.get(k), p.toArray(held.get(k)), "frame " + k);
                p.freem(held.get(k));
            }
            int next = held.size() + 2; // two frames were dropped
            while (!port.endOfInput() && calls++ < 1000) {
                int n = port.receiveBurst(p, out, out.length);
                for (int k = 0; k < n; k++) {
                    assertArrayEquals(frames.get(next++), p.toArray(out[k]));
                    p.freem(out[k]);
                }
            }
            assertEquals(total, next);
            assertEquals(total - 2, port.counters().rxPackets());
            port.close(p);
            assertPoolFull(pool);
        }
    }

    @Test
    void aMalformedInputFileStopsThePortWithTheErrorRemembered() throws IOException {
        Path in = dir.resolve("in.pcap");
        writeTestFrames(in, 5);
        byte[] b = Files.readAllBytes(in);
        Files.write(in, Arrays.copyOf(b, b.length - 10));
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            PcapPort port = PcapPort.open("pcap", in, null, 32);
            int[] out = new int[32];
            assertEquals(4, port.receiveBurst(p, out, out.length));
            p.freem(out, 4);
            assertTrue(port.endOfInput());
            assertEquals(1, port.counters().rxDrops(PortCounters.Drop.DEVICE));
            assertTrue(port.lastError().contains("truncated frame of 60 bytes at offset " + (24 + 4 * 76 + 16 + 50) + " (50 of 60 bytes)"),
                port.lastError());
            assertEquals(0, port.receiveBurst(p, out, out.length));
            port.close(p);
            assertPoolFull(pool);
        }
        Files.write(in, new byte[] {1, 2, 3});
        IOException e = assertThrows(PcapFormatException.class, () -> PcapPort.open("pcap", in, dir.resolve("o.pcap"), 8));
        assertTrue(e.getMessage().contains("truncated global header"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------

    /** Writes {@code n} 60-byte test frames with timestamps T0 + k µs and returns their bytes. */
    private static List<byte[]> writeTestFrames(Path path, int n) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (PbufPool pool = PbufPool.create(256)) {
            Pbufs p = pool.local();
            try (PcapWriter w = PcapWriter.create(path)) {
                for (int k = 0; k < n; k++) {
                    byte[] f = testFrame(k, k % 4, T0 + k * 1000L);
                    frames.add(f);
                    int h = packet(p, f);
                    w.write(p, h, T0 + k * 1000L);
                    p.freem(h);
                }
            }
            assertPoolFull(pool);
            p.close();
        }
        return frames;
    }

    private static int packet(Pbufs p, byte[] bytes) {
        int h = p.allocReceive(bytes.length);
        assertNotEquals(PbufHandle.NULL, h);
        assertTrue(p.copyback(h, 0, bytes, 0, bytes.length));
        return h;
    }

    /** A 60-byte frame as SyntheticPort makes it. */
    private static byte[] testFrame(int seq, int flow, long timestamp) {
        byte[] f = TestFrame.template(60, new byte[] {2, 0, 0, 0, 0, 2}, new byte[] {2, 0, 0, 0, 0, 1}, 0xC6120001,
            0xC6130001);
        java.lang.foreign.MemorySegment s = java.lang.foreign.MemorySegment.ofArray(f);
        TestFrame.patch(s, 0, flow, seq, timestamp);
        return f;
    }

    private static byte[] globalHeader(ByteOrder order, int magic, int major, int minor, int snaplen, int linktype) {
        return ByteBuffer.allocate(24).order(order).putInt(magic).putShort((short) major).putShort((short) minor)
            .putInt(0).putInt(0).putInt(snaplen).putInt(linktype).array();
    }

    private static byte[] record(ByteOrder order, int sec, int frac, int incl, int orig) {
        return ByteBuffer.allocate(16).order(order).putInt(sec).putInt(frac).putInt(incl).putInt(orig).array();
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : parts) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static void assertPoolFull(PbufPool pool) {
        PbufStats s = pool.stats();
        assertEquals(0, s.inUse(), () -> pool.leakReport().toString());
        assertEquals(s.total(), s.free() + s.cached(), "every slot is back on a free list");
    }
}
