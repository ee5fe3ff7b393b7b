package io.sluice.nativeio.afpacket;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's side of the wire: python3 with a plain (unmapped) AF_PACKET socket, run in a namespace with
 * {@code ip netns exec}, so that what Sluice sends and receives is checked by code that shares none of it.
 * Frames travel through files of length-prefixed records.
 */
public final class KernelPeer {
    private static final String SEND = String.join("\n",
        "import socket, struct, sys",
        "ifname, path = sys.argv[1], sys.argv[2]",
        "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)",
        "s.bind((ifname, 0))",
        "data = open(path, 'rb').read()",
        "off = n = 0",
        "while off < len(data):",
        "    (l,) = struct.unpack_from('>I', data, off)",
        "    s.send(data[off + 4:off + 4 + l])",
        "    off += 4 + l",
        "    n += 1",
        "print('sent', n, flush=True)");

    /**
     * Receives the frames of one ethertype (after any VLAN tags). The socket listens to every protocol: only
     * such a tap sees a frame before the kernel drops the VLAN tag it stripped (a socket bound to one protocol
     * gets the frame without it). The tag comes back from PACKET_AUXDATA, as libpcap does it.
     */
    private static final String RECEIVE = String.join("\n",
        "import os, socket, struct, sys, time",
        "ifname, proto, count, limit, path = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]",
        "SOL_PACKET, PACKET_AUXDATA, ETH_P_ALL = 263, 8, 3",
        "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))",
        "s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)",
        "try:",
        "    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE: python is slower than the port",
        "except OSError:",
        "    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)",
        "s.bind((ifname, ETH_P_ALL))",
        "s.settimeout(0.1)",
        "print('ready', flush=True)",
        "def ethertype(f):",
        "    off = 12",
        "    while len(f) >= off + 2:",
        "        (t,) = struct.unpack_from('>H', f, off)",
        "        if t not in (0x8100, 0x88a8):",
        "            return t",
        "        off += 4",
        "    return -1",
        "got = other = 0",
        "deadline = time.time() + limit",
        "with open(path + '.part', 'wb') as out:",
        "    while got < count and time.time() < deadline:",
        "        try:",
        "            data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(32))",
        "        except socket.timeout:",
        "            continue",
        "        if addr[2] == socket.PACKET_OUTGOING:",
        "            continue",
        "        for level, kind, aux in anc:",
        "            if level == SOL_PACKET and kind == PACKET_AUXDATA:",
        "                status, _, _, _, _, tci, tpid = struct.unpack_from('=IIIHHHH', aux)",
        "                if status & 0x10:",
        "                    data = data[:12] + struct.pack('>HH', tpid if status & 0x40 else 0x8100, tci) + data[12:]",
        "        if ethertype(data) != proto:",
        "            other += 1",
        "            continue",
        "        out.write(struct.pack('>I', len(data)) + data)",
        "        got += 1",
        "os.rename(path + '.part', path)",
        "packets, drops = struct.unpack('=II', s.getsockopt(SOL_PACKET, 6, 8))  # PACKET_STATISTICS",
        "print('got', got, 'other', other, 'socket drops', drops, flush=True)");

    private KernelPeer() {
    }

    /** Sends {@code frames} from {@code ifname} in {@code ns}, in order; returns when python has sent them all. */
    public static void send(String ns, String ifname, List<byte[]> frames) {
        Path file = null;
        try {
            file = Files.createTempFile("sluice-frames", ".bin");
            Files.write(file, encode(frames));
            String out = VethLab.run("ip", "netns", "exec", ns, python(), "-c", SEND, ifname, file.toString());
            if (!out.contains("sent " + frames.size())) {
                throw new AssertionError("the python sender said: " + out);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            deleteQuietly(file);
        }
    }

    /** Starts a receiver and waits (bounded) until its socket is bound. */
    public static Receiver receive(String ns, String ifname, int ethertype, int count, Duration limit) {
        try {
            Path dir = Files.createTempDirectory("sluice-peer");
            Path frames = dir.resolve("frames.bin");
            Path log = dir.resolve("log.txt");
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, python(), "-c", RECEIVE, ifname,
                Integer.toString(ethertype), Integer.toString(count), Double.toString(limit.toMillis() / 1000.0),
                frames.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Receiver r = new Receiver(p, dir, frames, log);
            if (!Await.until(() -> r.log().contains("ready") || !p.isAlive(), Duration.ofSeconds(15))
                || !r.log().contains("ready")) {
                r.close();
                throw new AssertionError("the python receiver did not start: " + r.log());
            }
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String python() {
        String p = VethLab.executable("python3");
        if (p == null) {
            throw new AssertionError("python3 is not installed");
        }
        return p;
    }

    public static byte[] encode(List<byte[]> frames) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            for (byte[] f : frames) {
                d.writeInt(f.length);
                d.write(f);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return b.toByteArray();
    }

    public static List<byte[]> decode(byte[] data) {
        List<byte[]> frames = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.remaining() >= 4) {
            byte[] f = new byte[b.getInt()];
            b.get(f);
            frames.add(f);
        }
        return frames;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    /** A running python receiver. */
    public static final class Receiver implements AutoCloseable {
        private final Process process;
        private final Path dir;
        private final Path frames;
        private final Path log;
        private String lastLog = "";

        private Receiver(Process process, Path dir, Path frames, Path log) {
            this.process = process;
            this.dir = dir;
            this.frames = frames;
            this.log = log;
        }

        public String log() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                return "(log unreadable: " + e.getMessage() + ")";
            }
        }

        /** Waits (bounded) for the receiver to finish (it got its count or its time ran out) and returns the frames. */
        public List<byte[]> frames(Duration limit) {
            try {
                // the receiver stops by itself when its own limit passes; allow for python's start and exit
                if (!process.waitFor(limit.toMillis() + 15_000, TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the python receiver did not finish within " + limit + ": " + log());
                }
                if (process.exitValue() != 0 || !Files.exists(frames)) {
                    throw new AssertionError("the python receiver failed (" + process.exitValue() + "): " + log());
                }
                List<byte[]> got = decode(Files.readAllBytes(frames));
                lastLog = log();
                return got;
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** What the receiver printed when it finished ("got N other M"). */
        public String summary() {
            return lastLog.strip().replace('\n', ' ');
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                try {
                    process.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            deleteQuietly(frames);
            deleteQuietly(frames.resolveSibling("frames.bin.part"));
            deleteQuietly(log);
            deleteQuietly(dir);
        }
    }
}
