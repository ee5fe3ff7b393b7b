package io.sluice.nativeio.uring;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;
import io.sluice.nativeio.afpacket.AfPacketConfig;
import io.sluice.nativeio.afpacket.AfPacketPort;
import io.sluice.nativeio.afpacket.Frames;
import io.sluice.nativeio.afpacket.VethLab;
import io.sluice.nativeio.linux.NetNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * AF_PACKET against io_uring on the same veth pair in the same run (not a test; run by hand as root): a
 * transmitting thread on ifA and, in the "tx+rx" runs, a receiving thread on ifB, both ends with the same kind of
 * port, for a few seconds per run; in the "1thread" runs one thread transmits a burst on ifA and then receives on
 * ifB what arrived, so that the whole cost of a frame, the kernel's part included, is on that thread: its CPU time
 * per frame compares the kinds even on a loaded machine. The kinds run interleaved, round after round, so that a
 * change in the machine's load hits them alike; the table at the end gives each kind's median over the rounds.
 * The kernel's receive work for ifB runs on the transmitting thread's CPU (veth, no RPS), as it would for either
 * kind; CPU times come from {@code ThreadMXBean} (user and system time of the thread, softirqs it ran included).
 *
 * <p>Usage: {@code AfPacketVsUringRate [seconds] [rounds] [sizes...]}, defaults 3 s, 3 rounds, 60 and 1514 bytes.
 * Kinds: {@code afpacket} (TPACKET_V3 rings), {@code uring} (the defaults: RECVMSG with PACKET_AUXDATA,
 * COOP_TASKRUN, registered socket, 32 receives and 128 send buffers), {@code uring-recv} (plain RECV),
 * {@code uring-nocoop} (no COOP_TASKRUN), {@code uring-nofile} (socket not registered), {@code uring-ts} (kernel
 * timestamps), {@code uring-rx8} ... {@code uring-rx256} (receives outstanding: 8, 16, 32, 64, 128, 256);
 * {@code -Dkinds=afpacket,uring} picks some, {@code -Dmodes=tx,tx+rx,1thread} the modes.
 */
public final class AfPacketVsUringRate {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private AfPacketVsUringRate() {
    }

    private record Kind(String name, Function<String, NicPort> tx, Function<String, NicPort> rx) {
    }

    /** Rates in frames per second; CPU time of the transmitting and receiving threads in ns per frame moved. */
    private record Result(double txRate, double rxRate, long kernelDrops, double txCpu, double rxCpu, String detail) {
    }

    private enum Mode {
        /** A transmitting thread, nobody receiving on the peer. */
        TX("tx"),
        /** A transmitting thread on ifA and a receiving thread on ifB. */
        TWO_THREADS("tx+rx"),
        /** One thread transmitting a burst on ifA, then receiving on ifB what arrived: its CPU time is the cost. */
        ONE_THREAD("1thread");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    private static Kind uring(String name, Function<UringConfig.Builder, UringConfig.Builder> tune) {
        return new Kind(name, i -> UringPort.open(tune.apply(UringConfig.builder(i).receive(false)).build()),
            i -> UringPort.open(tune.apply(UringConfig.builder(i).transmit(false)).build()));
    }

    public static void main(String[] args) throws Exception {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] sizes = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {60, 1514};
        List<Kind> all = List.of(
            new Kind("afpacket", i -> AfPacketPort.open(AfPacketConfig.builder(i).receive(false).build()),
                i -> AfPacketPort.open(AfPacketConfig.builder(i).transmit(false).build())),
            uring("uring", b -> b),
            uring("uring-recv", b -> b.auxdata(false)),
            uring("uring-nocoop", b -> b.coopTaskrun(false)),
            uring("uring-nofile", b -> b.registerFile(false)),
            uring("uring-ts", b -> b.kernelTimestamps(true)),
            uring("uring-rx8", b -> b.rxBuffers(8)),
            uring("uring-rx16", b -> b.rxBuffers(16)),
            uring("uring-rx32", b -> b.rxBuffers(32)),
            uring("uring-rx128", b -> b.rxBuffers(128)),
            uring("uring-rx64", b -> b.rxBuffers(64)),
            uring("uring-rx256", b -> b.queueDepth(512).rxBuffers(256)));
        List<String> wanted = Arrays.asList(System.getProperty("kinds", "afpacket,uring,uring-recv,uring-rx128")
            .split(","));
        List<Mode> modes = Arrays.stream(System.getProperty("modes", "tx,tx+rx,1thread").split(","))
            .map(m -> Arrays.stream(Mode.values()).filter(x -> x.label.equals(m)).findFirst().orElseThrow()).toList();
        List<Kind> kinds = all.stream().filter(k -> wanted.contains(k.name())).toList();
        System.out.printf("load before: %s", Files.readString(Path.of("/proc/loadavg")));
        Map<String, List<Result>> results = new LinkedHashMap<>();
        try (VethLab lab = VethLab.create(); PbufPool pool = PbufPool.create(1 << 16);
             NetNamespace inA = NetNamespace.enter(lab.nsA); NetNamespace inB = NetNamespace.enter(lab.nsB)) {
            for (int round = 1; round <= rounds; round++) {
                for (int size : sizes) {
                    for (Mode mode : modes) {
                        for (Kind kind : kinds) {
                            Result r = mode == Mode.ONE_THREAD ? runOneThread(kind, lab, pool, inA, inB, size, seconds)
                                : run(kind, lab, pool, inA, inB, size, seconds, mode == Mode.TWO_THREADS);
                            String key = String.format("%5d B %-7s %-12s", size, mode.label, kind.name());
                            results.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                            System.out.printf("round %d: %s tx %9.0f/s rx %9.0f/s, CPU ns/frame tx %5.0f rx %5.0f, "
                                + "kernel drops %d; %s%n", round, key, r.txRate(), r.rxRate(), r.txCpu(), r.rxCpu(),
                                r.kernelDrops(), r.detail());
                        }
                    }
                }
            }
        } finally {
            VethLab.sweep(true);
        }
        System.out.printf("load after: %s", Files.readString(Path.of("/proc/loadavg")));
        System.out.println("median over " + rounds + " rounds of " + seconds + " s (frames per second):");
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            double tx = median(e.getValue().stream().mapToDouble(Result::txRate).toArray());
            double rx = median(e.getValue().stream().mapToDouble(Result::rxRate).toArray());
            double txCpu = median(e.getValue().stream().mapToDouble(Result::txCpu).toArray());
            double rxCpu = median(e.getValue().stream().mapToDouble(Result::rxCpu).toArray());
            long drops = (long) median(e.getValue().stream().mapToDouble(Result::kernelDrops).toArray());
            System.out.printf("  %s tx %9.0f  rx %9.0f  CPU ns/frame tx %5.0f rx %5.0f  drops %8d  (rx runs %s)%n",
                e.getKey(), tx, rx, txCpu, rxCpu, drops,
                e.getValue().stream().map(r -> String.format("%.0f", r.rxRate())).toList());
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static Result run(Kind kind, VethLab lab, PbufPool pool, NetNamespace inA, NetNamespace inB, int size,
                              double seconds, boolean receiver) throws InterruptedException {
        NicPort tx = inA.call(() -> kind.tx().apply(lab.ifA));
        NicPort rx = receiver ? inB.call(() -> kind.rx().apply(lab.ifB)) : null;
        AtomicBoolean stop = new AtomicBoolean();
        long[] received = new long[1];
        long[] cpu = new long[2];
        Thread rxThread = null;
        if (rx != null) {
            rxThread = new Thread(() -> {
                long c0 = THREADS.getCurrentThreadCpuTime();
                Pbufs p = pool.local();
                int[] in = new int[64];
                while (!stop.get()) {
                    int n = rx.receiveBurst(p, in, in.length);
                    for (int i = 0; i < n; i++) {
                        p.freem(in[i]);
                    }
                    received[0] += n;
                    if (n == 0) {
                        Thread.onSpinWait();
                    }
                }
                for (int k = 0; k < 1000; k++) { // what is already queued, bounded
                    int n = rx.receiveBurst(p, in, in.length);
                    for (int i = 0; i < n; i++) {
                        p.freem(in[i]);
                    }
                    received[0] += n;
                }
                cpu[1] = THREADS.getCurrentThreadCpuTime() - c0;
                refresh(rx);
                p.close();
            }, "rx");
            rxThread.start();
        }
        Thread txThread = new Thread(() -> {
            long c0 = THREADS.getCurrentThreadCpuTime();
            Pbufs p = pool.local();
            MemorySegment frame = Arena.ofAuto().allocate(size);
            MemorySegment.copy(Frames.experimental(size, 0), 0, frame, ValueLayout.JAVA_BYTE, 0, size);
            int[] out = new int[64];
            while (!stop.get()) {
                int k = 0;
                for (; k < out.length; k++) {
                    out[k] = p.alloc(Layer.RAW, size);
                    if (out[k] == PbufHandle.NULL) {
                        break;
                    }
                    p.copyback(out[k], 0, frame, 0, size);
                }
                int taken = tx.transmitBurst(p, out, 0, k);
                for (int i = taken; i < k; i++) {
                    p.freem(out[i]);
                }
            }
            cpu[0] = THREADS.getCurrentThreadCpuTime() - c0;
            p.close();
        }, "tx");
        long t0 = System.nanoTime();
        txThread.start();
        Thread.sleep((long) (seconds * 1000)); // the measuring period itself, not synchronisation
        stop.set(true);
        txThread.join(10_000);
        long elapsed = System.nanoTime() - t0;
        if (rxThread != null) {
            rxThread.join(10_000);
        }
        double s = elapsed / 1e9;
        long drops = rx == null ? 0 : kernelDrops(rx);
        String detail = detail(tx, rx);
        long sent = Math.max(1, tx.counters().txPackets());
        Result r = new Result(tx.counters().txPackets() / s, received[0] / s, drops, cpu[0] / (double) sent,
            cpu[1] / (double) Math.max(1, received[0]), detail);
        tx.close();
        if (rx != null) {
            rx.close();
        }
        return r;
    }

    /**
     * One thread: a burst of 64 frames out of ifA, then everything that has arrived on ifB, again and again. The
     * kernel delivers a veth frame inside the sender's system call, so the thread does all the work of a frame.
     */
    private static Result runOneThread(Kind kind, VethLab lab, PbufPool pool, NetNamespace inA, NetNamespace inB,
                                       int size, double seconds) {
        NicPort tx = inA.call(() -> kind.tx().apply(lab.ifA));
        NicPort rx = inB.call(() -> kind.rx().apply(lab.ifB));
        long moved = 0;
        long cpu;
        long elapsed;
        try (Pbufs p = pool.local()) {
            MemorySegment frame = Arena.ofAuto().allocate(size);
            MemorySegment.copy(Frames.experimental(size, 0), 0, frame, ValueLayout.JAVA_BYTE, 0, size);
            int[] out = new int[64];
            int[] in = new int[64];
            long warm = System.nanoTime() + 1_000_000_000L;
            long c0 = 0;
            long t0 = 0;
            long start = 0;
            boolean measuring = false;
            long end = warm + (long) (seconds * 1e9);
            while (true) {
                long now = System.nanoTime();
                if (!measuring && now - warm >= 0) {
                    measuring = true; // after a second of warm-up
                    c0 = THREADS.getCurrentThreadCpuTime();
                    t0 = now;
                    start = moved;
                }
                if (now - end >= 0) {
                    break;
                }
                int k = 0;
                for (; k < out.length; k++) {
                    out[k] = p.alloc(Layer.RAW, size);
                    if (out[k] == PbufHandle.NULL) {
                        break;
                    }
                    p.copyback(out[k], 0, frame, 0, size);
                }
                int taken = tx.transmitBurst(p, out, 0, k);
                for (int i = taken; i < k; i++) {
                    p.freem(out[i]);
                }
                for (int n = rx.receiveBurst(p, in, in.length); n > 0; n = rx.receiveBurst(p, in, in.length)) {
                    for (int i = 0; i < n; i++) {
                        p.freem(in[i]);
                    }
                    moved += n;
                }
            }
            cpu = THREADS.getCurrentThreadCpuTime() - c0;
            elapsed = System.nanoTime() - t0;
            moved -= start;
        }
        refresh(rx);
        long drops = kernelDrops(rx);
        String detail = detail(tx, rx);
        tx.close();
        rx.close();
        double rate = moved * 1e9 / elapsed;
        return new Result(rate, rate, drops, cpu / (double) Math.max(1, moved), 0, detail);
    }

    private static void refresh(NicPort port) {
        if (port instanceof AfPacketPort a) {
            a.refreshStatistics();
        } else if (port instanceof UringPort u) {
            u.refreshStatistics();
        }
    }

    private static long kernelDrops(NicPort port) {
        return port instanceof AfPacketPort a ? a.stats().kernelDrops() : ((UringPort) port).stats().kernelDrops();
    }

    private static String detail(NicPort tx, NicPort rx) {
        StringBuilder b = new StringBuilder();
        if (tx instanceof UringPort u) {
            long frames = Math.max(1, u.counters().txPackets());
            b.append(String.format("tx enters/frame %.3f, tx noBuffer %d", u.stats().txEnters() / (double) frames,
                u.stats().txNoBuffer()));
        } else if (tx instanceof AfPacketPort a) {
            b.append(String.format("tx kicks/frame %.3f, ring full %d", a.stats().txKicks()
                / (double) Math.max(1, a.counters().txPackets()), a.stats().txRingFull()));
        }
        if (rx instanceof UringPort u) {
            long frames = Math.max(1, u.counters().rxPackets());
            b.append(String.format(", rx enters/frame %.3f (taskrun %.3f)", u.stats().rxEnters() / (double) frames,
                u.stats().rxTaskrunEnters() / (double) frames));
        }
        return b.toString();
    }
}
