package io.sluice.cli;

import io.sluice.config.ForwarderConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.engine.phy.NicPort;
import io.sluice.engine.services.UdpChargen;
import io.sluice.engine.services.UdpDiscard;
import io.sluice.engine.services.UdpEcho;
import io.sluice.engine.transport.udp.UdpMib;
import io.sluice.engine.transport.udp.UdpProtocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice serve --config FILE}: the forwarder's ports with the stack's own services on them, so that any
 * Linux client can talk to Sluice: UDP echo (RFC 862, port 7), discard (RFC 863, port 9) and chargen (RFC 864,
 * port 19). The TCP versions come with the TCP engine. Runs until SIGINT or SIGTERM (or {@code --seconds}),
 * with a status line every second, then stops in order and says whether the pool is full again.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the ports a forwarder configuration file describes (config/README.md)",
        "with Sluice's own UDP services on every port's address: echo (7), discard (9)",
        "and chargen (19, RFC 864). TCP echo, discard, chargen and HTTP come with the",
        "TCP engine. Until SIGINT or SIGTERM, with a status line every second. Needs",
        "CAP_NET_RAW (and CAP_SYS_ADMIN for ports in another network namespace).",
        "Try: echo hello | nc -u -w1 ADDRESS 7"})
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "The configuration file.")
    Path config;

    @Option(names = "--udp", split = ",", defaultValue = "echo,discard,chargen",
        description = "The UDP services to run: echo, discard, chargen (default ${DEFAULT-VALUE}).")
    List<String> udpServices;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after this long; 0 = until a signal (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--quiet", description = "No status line every second.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        ForwarderConfig cfg = ForwarderConfig.load(config);
        cfg.warnings().forEach(w -> System.err.println("sluice serve: warning: " + w));
        UdpProtocol udp = new UdpProtocol();
        UdpEcho echo = new UdpEcho();
        UdpDiscard discard = new UdpDiscard();
        UdpChargen chargen = new UdpChargen();
        List<String> running = new ArrayList<>();
        for (String s : udpServices) {
            // Bound before the stack starts: the sockets are the stack thread's once it runs.
            switch (s.trim()) {
                case "echo" -> udp.bind(0, UdpEcho.PORT, echo, 256);
                case "discard" -> udp.bind(0, UdpDiscard.PORT, discard, 256);
                case "chargen" -> udp.bind(0, UdpChargen.PORT, chargen, 256);
                default -> throw new IllegalArgumentException("--udp: no service " + s + "; there are echo, discard, chargen");
            }
            running.add(s.trim());
        }
        try (StopSignal signal = new StopSignal("sluice-serve")) {
            Forwarder f = Forwarder.builder(cfg).transport(udp).start();
            System.out.printf("sluice serve: %s, %d ports: %s; pid %d%n", cfg.name(), f.inetPorts().size(),
                f.inetPorts(), ProcessHandle.current().pid());
            System.out.println("  UDP: " + String.join(", ", running.stream().map(ServeCommand::describe).toList())
                + " on every port's address");
            System.out.println("  TCP echo, discard, chargen and HTTP come with the TCP engine (not in this build)");
            long end = seconds > 0 ? System.nanoTime() + (long) (seconds * 1e9) : Long.MAX_VALUE;
            long[] last = totals(f.ports());
            while (!signal.await(1000) && System.nanoTime() - end < 0) {
                long[] now = totals(f.ports());
                if (!quiet) {
                    System.out.printf("  rx %,9d pps  tx %,9d pps  udp in %,d out %,d noport %,d errors %,d"
                            + "  echoed %,d discarded %,d chargen %,d%n",
                        now[0] - last[0], now[1] - last[1], udp.counters().get(UdpMib.udpInDatagrams),
                        udp.counters().get(UdpMib.udpOutDatagrams), udp.counters().get(UdpMib.udpNoPorts),
                        udp.counters().get(UdpMib.udpInErrors), echo.echoed(), discard.discarded(), chargen.sent());
                }
                last = now;
            }
            f.close();
            Forwarder.ClosedReport r = f.closedReport();
            System.out.println(r.netstat());
            System.out.println("counters: " + r.counters());
            boolean full = r.stats().inUse() == 0;
            System.out.println(full ? "pool full again: every pbuf returned" : "LEAK: " + r.stats().inUse() + " pbufs in use");
            return full ? 0 : 1;
        }
    }

    private static String describe(String service) {
        return switch (service) {
            case "echo" -> "echo " + UdpEcho.PORT;
            case "discard" -> "discard " + UdpDiscard.PORT;
            default -> "chargen " + UdpChargen.PORT;
        };
    }

    private static long[] totals(List<NicPort> ports) {
        long rx = 0;
        long tx = 0;
        for (NicPort p : ports) {
            rx += p.counters().rxPackets();
            tx += p.counters().txPackets();
        }
        return new long[] {rx, tx};
    }
}
