package io.sluice.cli;

import io.sluice.bench.pktgen.Ipv4;
import io.sluice.bench.pktgen.Pktgen;
import io.sluice.bench.pktgen.PktgenConfig;
import io.sluice.bench.pktgen.PktgenSink;
import io.sluice.config.ConfigException;
import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.config.PortConfig;
import io.sluice.nativeio.NativePort;
import io.sluice.nativeio.NativePortFactory;
import io.sluice.nativeio.linux.NetNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice pktgen}: the Linux pktgen's parameters over an AF_PACKET transmit ring (or io_uring), or with
 * {@code --sink} the matching receiver that counts, validates and measures loss, reordering and latency.
 */
@Command(name = "pktgen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Sends pktgen frames (Ethernet/IPv4/UDP with magic, sequence and timestamp) out of an interface",
        "through the AF_PACKET transmit ring (or io_uring), or with --sink receives and checks them. Needs CAP_NET_RAW.",
        "Send only to interfaces of your own lab (network namespaces and veth pairs)."})
final class PktgenCommand implements Callable<Integer> {
    @Option(names = {"-i", "--iface"}, required = true, description = "Interface to send on (or receive on with --sink).")
    String iface;

    @Option(names = "--netns", description = "Network namespace the interface lives in (ip netns).")
    String netns;

    @Option(names = "--sink", description = "Receive and check instead of sending.")
    boolean sink;

    @Option(names = "--backend", defaultValue = "afpacket", description = "Port backend: afpacket or io_uring (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--count", defaultValue = "0", description = "Frames to send (sink: to expect); 0 = until --seconds (default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--seconds", defaultValue = "10", description = "Stop after this long, whatever the count (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--pkt-size", defaultValue = "60", description = "Frame bytes without FCS, 60..1514 (default ${DEFAULT-VALUE}).")
    int pktSize;

    @Option(names = "--dst-mac", defaultValue = "ff:ff:ff:ff:ff:ff", description = "Destination MAC (default ${DEFAULT-VALUE}).")
    String dstMac;

    @Option(names = "--src-mac", description = "Source MAC (default: the interface's).")
    String srcMac;

    @Option(names = "--dst-min", defaultValue = "198.19.0.1") String dstMin;
    @Option(names = "--dst-max", description = "Default: --dst-min.") String dstMax;
    @Option(names = "--src-min", defaultValue = "198.18.0.1") String srcMin;
    @Option(names = "--src-max", description = "Default: --src-min.") String srcMax;
    @Option(names = "--udp-src-min", defaultValue = "9") int udpSrcMin;
    @Option(names = "--udp-src-max", defaultValue = "-1", description = "Default: --udp-src-min.") int udpSrcMax;
    @Option(names = "--udp-dst-min", defaultValue = "9") int udpDstMin;
    @Option(names = "--udp-dst-max", defaultValue = "-1", description = "Default: --udp-dst-min.") int udpDstMax;

    @Option(names = "--flows", defaultValue = "1", description = "Flows, walking the address and port ranges (default ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--rate", defaultValue = "0", description = "Frames per second; 0 = as fast as the ring takes them.")
    long ratePps;

    @Option(names = "--rate-mbps", defaultValue = "0", description = "Rate in Mb/s of frame bytes (instead of --rate).")
    double rateMbps;

    @Option(names = "--burst", defaultValue = "32", description = "Frames per transmit call (default ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--commands", description = {"Send: one JVM for many counted runs. Reads runs from stdin, one a line,",
        "\"COUNT RATE [PKT_SIZE]\" (the other options as given), answers each with its \"sent ...\" line once it is",
        "over, until \"quit\" or the end of input. A load harness keeps one warm sender instead of starting a JVM a run."})
    boolean commands;

    @Option(names = "--warmup", defaultValue = "0", description = "Sink: leave the first seconds after the first frame out of the frame rate (default ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--latency-out", description = "Sink: write the latency histogram to this file (HdrHistogram log format, one interval), for ./sluice bench forward.")
    Path latencyOut;

    @Option(names = "--idle-seconds", defaultValue = "2", description = "Sink: stop after this long without frames once traffic started (default ${DEFAULT-VALUE}).")
    double idleSeconds;

    @Override
    public Integer call() throws Exception {
        NetNamespace ns = netns == null ? null : NetNamespace.enter(netns);
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(65536).name("pktgen"))) {
            PortConfig.Backend kind = PortConfig.Backend.of(backend);
            NativePort port = ns == null ? NativePortFactory.open(kind, iface, sink, !sink)
                : ns.call(() -> NativePortFactory.open(kind, iface, sink, !sink));
            try (Pbufs p = pool.local()) {
                try {
                    return sink ? receive(port, pool) : send(port, pool);
                } finally {
                    port.close(p);
                }
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    private int send(NativePort port, PbufPool pool) throws IOException {
        long rate = ratePps > 0 ? ratePps : rateMbps > 0 ? (long) (rateMbps * 1e6 / (8.0 * pktSize)) : 0;
        byte[] src = srcMac != null ? Ipv4.parseMac(srcMac) : port.interfaceInfo().macBytes();
        PktgenConfig c = config(src, count, pktSize, rate);
        if (commands) {
            return sendCommands(port, pool, src);
        }
        System.out.printf("pktgen: %s%s (%s), %d-byte frames, %s, %d flow(s), burst %d%n", iface,
            netns == null ? "" : " in " + netns, backend, pktSize, rate == 0 ? "unlimited rate" : rate + " pps", flows, burst);
        report(port, Pktgen.run(port, pool, c, System.out));
        return 0;
    }

    /** --commands: "COUNT RATE [PKT_SIZE]" lines; a bad line is answered with "error: ..." and skipped. */
    private int sendCommands(NativePort port, PbufPool pool, byte[] src) throws IOException {
        System.out.printf("pktgen: %s%s (%s), %d flow(s), burst %d: reading runs \"COUNT RATE [PKT_SIZE]\" from stdin%n",
            iface, netns == null ? "" : " in " + netns, backend, flows, burst);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            if (w[0].isEmpty()) {
                continue;
            }
            if (w[0].equals("quit")) {
                break;
            }
            try {
                if (w.length < 2 || w.length > 3) {
                    throw new ConfigException("want COUNT RATE [PKT_SIZE]");
                }
                PktgenConfig c = config(src, Long.parseLong(w[0]), w.length == 3 ? Integer.parseInt(w[2]) : pktSize,
                    Long.parseLong(w[1]));
                report(port, Pktgen.run(port, pool, c, null));
            } catch (NumberFormatException | ConfigException e) {
                System.out.println("error: \"" + line + "\": " + e.getMessage());
            }
            System.out.flush();
        }
        return 0;
    }

    private PktgenConfig config(byte[] src, long frames, int size, long rate) {
        return new PktgenConfig(frames, size, seconds, Ipv4.parseMac(dstMac), src,
            Ipv4.parse(dstMin), Ipv4.parse(dstMax != null ? dstMax : dstMin),
            Ipv4.parse(srcMin), Ipv4.parse(srcMax != null ? srcMax : srcMin),
            udpSrcMin, udpSrcMax < 0 ? udpSrcMin : udpSrcMax, udpDstMin, udpDstMax < 0 ? udpDstMin : udpDstMax,
            flows, rate, burst);
    }

    private static void report(NativePort port, Pktgen.Result r) {
        System.out.printf("sent %,d frames (%,d bytes) in %.2f s: %,.0f pps, %,.1f Mb/s; no-pbufs %d, port busy %d;"
                + " port drops %s%n", r.sent(), r.bytes(), r.seconds(), r.pps(), r.mbps(), r.noPbufs(), r.portBusy(),
            port.counters().drops());
    }

    private int receive(NativePort port, PbufPool pool) {
        System.out.printf("pktgen sink: %s%s (%s), expecting %s%n", iface, netns == null ? "" : " in " + netns, backend,
            count == 0 ? "frames until idle for " + idleSeconds + " s" : count + " frames");
        PktgenSink.Result r = PktgenSink.run(port, pool, count, seconds, idleSeconds, warmupSeconds, System.out);
        Histogram l = r.latency();
        System.out.printf("received %,d pktgen frames in %.2f s (%,.0f pps); expected %,d, lost %,d, reordered %,d,"
                + " foreign %,d; all frames %,.0f pps%s%n", r.received(), r.seconds(), r.pps(), r.expected(), r.lost(),
            r.reordered(), r.foreign(), r.framesPps(), warmupSeconds > 0 ? " after a " + warmupSeconds + " s warm-up" : "");
        if (l.getTotalCount() > 0) {
            System.out.printf("latency (same-host clock): p50 %,d ns, p99 %,d ns, p99.9 %,d ns, max %,d ns%n",
                l.getValueAtPercentile(50), l.getValueAtPercentile(99), l.getValueAtPercentile(99.9), l.getMaxValue());
        }
        System.out.printf("port drops %s%n", port.counters().drops());
        if (latencyOut != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(latencyOut), false,
                StandardCharsets.US_ASCII)) {
                HistogramLogWriter w = new HistogramLogWriter(out);
                w.outputLogFormatVersion();
                w.outputLegend();
                w.outputIntervalHistogram(0, r.seconds(), l, 1.0);
            } catch (IOException e) {
                throw new UncheckedIOException("--latency-out " + latencyOut + ": " + e.getMessage(), e);
            }
        }
        return r.lost() == 0 ? 0 : 1;
    }
}
