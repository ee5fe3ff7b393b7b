package io.sluice.nativeio.afpacket;

import io.sluice.engine.pbuf.Layer;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.nativeio.linux.NetNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A quick rate check over a veth pair (not a test; run by hand as root): a transmitting thread on ifA and a
 * receiving thread on ifB, each with its own AF_PACKET port, for a few seconds per frame size. Prints frames
 * per second sent and received and the kernel's drops. Usage: {@code VethRate [seconds] [sizes...]}.
 */
public final class VethRate {
    private VethRate() {
    }

    public static void main(String[] args) throws Exception {
        String missing = VethLab.missingPrerequisites();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int[] sizes = args.length > 1 ? java.util.Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt)
            .toArray() : new int[] {60, 1514};
        try (VethLab lab = VethLab.create(); PbufPool pool = PbufPool.create(1 << 16);
             NetNamespace inA = NetNamespace.enter(lab.nsA); NetNamespace inB = NetNamespace.enter(lab.nsB)) {
            for (int size : sizes) {
                for (boolean receiver : new boolean[] {false, true}) {
                    run(lab, pool, inA, inB, size, seconds, receiver);
                }
            }
        } finally {
            VethLab.sweep(true);
        }
    }

    private static void run(VethLab lab, PbufPool pool, NetNamespace inA, NetNamespace inB, int size, double seconds,
                            boolean receiver) throws InterruptedException {
        AfPacketPort tx = inA.call(() -> AfPacketPort.open(AfPacketConfig.builder(lab.ifA).receive(false).build()));
        AfPacketPort rx = receiver
            ? inB.call(() -> AfPacketPort.open(AfPacketConfig.builder(lab.ifB).transmit(false).build())) : null;
        AtomicBoolean stop = new AtomicBoolean();
        long[] received = new long[1];
        Thread rxThread = null;
        if (rx != null) {
            rxThread = new Thread(() -> {
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
                for (int n = rx.receiveBurst(p, in, in.length); n > 0; n = rx.receiveBurst(p, in, in.length)) {
                    for (int i = 0; i < n; i++) {
                        p.freem(in[i]);
                    }
                    received[0] += n;
                }
                rx.refreshStatistics();
                p.close();
            }, "rx");
            rxThread.start();
        }
        Thread txThread = new Thread(() -> {
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
        int[] none = new int[0];
        try (Pbufs p = pool.local()) {
            tx.transmitBurst(p, none, 0, 0);
        }
        double s = elapsed / 1e9;
        System.out.printf("%5d-byte frames, %s: tx %.0f frames/s (%.0f Mbit/s)%s; tx %s%n", size,
            receiver ? "Sluice receiving on the peer" : "nobody receiving on the peer",
            tx.counters().txPackets() / s, tx.counters().txBytes() * 8 / s / 1e6,
            rx == null ? "" : String.format(", rx %.0f frames/s, kernel drops %d (%.2f%%), rx ring freezes %d",
                received[0] / s, rx.stats().kernelDrops(),
                100.0 * rx.stats().kernelDrops() / Math.max(1, rx.stats().kernelPackets()), rx.stats().freezes()),
            tx.stats());
        tx.close();
        if (rx != null) {
            rx.close();
        }
    }
}
