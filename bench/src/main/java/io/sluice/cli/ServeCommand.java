package io.sluice.cli;

import io.sluice.config.ForwarderConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.engine.phy.NicPort;
import io.sluice.engine.services.HttpServer;
import io.sluice.engine.services.TcpChargen;
import io.sluice.engine.services.TcpDiscard;
import io.sluice.engine.services.TcpEcho;
import io.sluice.engine.services.UdpChargen;
import io.sluice.engine.services.UdpDiscard;
import io.sluice.engine.services.UdpEcho;
import io.sluice.engine.socket.CommandQueue;
import io.sluice.engine.transport.tcp.TcpConfig;
import io.sluice.engine.transport.tcp.TcpMib;
import io.sluice.engine.transport.tcp.TcpTransport;
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
 * Linux client can talk to Sluice: echo (RFC 862, port 7), discard (RFC 863, port 9) and chargen (RFC 864,
 * port 19) over UDP and TCP, and a small HTTP/1.1 server (port 80). Runs until SIGINT or SIGTERM (or {@code --seconds}),
 * with a status line every second, then stops in order and says whether the pool is full again.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the ports a forwarder configuration file describes (config/README.md)",
        "with Sluice's own services on every port's address, over its own TCP/IP stack:",
        "echo (7), discard (9) and chargen (19, RFC 864) over UDP and TCP, and an",
        "HTTP/1.1 server (80: GET / a page, GET /bytes/N N bytes of the chargen pattern).",
        "Until SIGINT or SIGTERM, with a status line every second. Needs CAP_NET_RAW",
        "(and CAP_SYS_ADMIN for ports in another network namespace).",
        "Try: echo hello | nc -u -w1 ADDRESS 7;  echo hello | nc -N ADDRESS 7;",
        "     curl http://ADDRESS/;  curl -s http://ADDRESS/bytes/100000000 | sha256sum"})
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "The configuration file.")
    Path config;

    @Option(names = "--udp", split = ",", defaultValue = "echo,discard,chargen",
        description = "The UDP services to run: echo, discard, chargen (default ${DEFAULT-VALUE}).")
    List<String> udpServices;

    @Option(names = "--tcp", split = ",", defaultValue = "echo,discard,chargen,http",
        description = "The TCP services to run: echo, discard, chargen, http (default ${DEFAULT-VALUE}); none for no TCP.")
    List<String> tcpServices;

    @Option(names = "--http-port", defaultValue = "80", description = "The HTTP server's port (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after this long; 0 = until a signal (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--quiet", description = "No status line every second.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        ForwarderConfig cfg = ForwarderConfig.load(config);
        cfg.warnings().forEach(w -> System.err.println("sluice serve: warning: " + w));
        CommandQueue commands = new CommandQueue(UdpProtocol.DEFAULT_COMMANDS);
        UdpProtocol udp = new UdpProtocol(commands);
        TcpTransport tcp = new TcpTransport(new TcpConfig(), commands);
        TcpEcho tcpEcho = new TcpEcho();
        TcpDiscard tcpDiscard = new TcpDiscard();
        TcpChargen tcpChargen = new TcpChargen();
        HttpServer http = new HttpServer();
        List<String> tcpRunning = new ArrayList<>();
        for (String s : tcpServices) {
            switch (s.trim()) {
                case "echo" -> tcp.listen(0, TcpEcho.PORT, 128, tcpEcho);
                case "discard" -> tcp.listen(0, TcpDiscard.PORT, 128, tcpDiscard);
                case "chargen" -> tcp.listen(0, TcpChargen.PORT, 128, tcpChargen);
                case "http" -> tcp.listen(0, httpPort, 128, http);
                case "none" -> {
                    continue;
                }
                default -> throw new IllegalArgumentException("--tcp: no service " + s
                    + "; there are echo, discard, chargen, http");
            }
            tcpRunning.add(s.trim().equals("http") ? "http " + httpPort : describe(s.trim()));
        }
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
            Forwarder.Builder builder = Forwarder.builder(cfg).transport(udp);
            if (!tcpRunning.isEmpty()) {
                builder.transport(tcp);
            }
            Forwarder f = builder.start();
            System.out.printf("sluice serve: %s, %d ports: %s; pid %d%n", cfg.name(), f.inetPorts().size(),
                f.inetPorts(), ProcessHandle.current().pid());
            System.out.println("  UDP: " + String.join(", ", running.stream().map(ServeCommand::describe).toList())
                + " on every port's address");
            System.out.println("  TCP: " + (tcpRunning.isEmpty() ? "none" : String.join(", ", tcpRunning))
                + " on every port's address");
            long end = seconds > 0 ? System.nanoTime() + (long) (seconds * 1e9) : Long.MAX_VALUE;
            try { // an orderly stop and the pool check even if the status loop fails
                long[] last = totals(f.ports());
                while (!signal.await(1000) && System.nanoTime() - end < 0) {
                    long[] now = totals(f.ports());
                    if (!quiet) {
                        System.out.printf("  rx %,9d pps  tx %,9d pps  udp in %,d out %,d noport %,d errors %,d"
                                + "  echoed %,d discarded %,d chargen %,d%n",
                            now[0] - last[0], now[1] - last[1], udp.counters().get(UdpMib.udpInDatagrams),
                            udp.counters().get(UdpMib.udpOutDatagrams), udp.counters().get(UdpMib.udpNoPorts),
                            udp.counters().get(UdpMib.udpInErrors), echo.echoed(), discard.discarded(), chargen.sent());
                        if (!tcpRunning.isEmpty()) {
                            System.out.printf("  tcp in %,d out %,d retrans %,d accepted %d  echo %,d B  discard %,d B"
                                    + "  chargen %,d B  http %,d requests %,d B%n",
                                tcp.counters().get(TcpMib.tcpInSegs), tcp.counters().get(TcpMib.tcpOutSegs),
                                tcp.counters().get(TcpMib.tcpRetransSegs), tcpEcho.connections() + tcpDiscard.connections()
                                    + tcpChargen.connections() + http.connections(),
                                tcpEcho.bytes(), tcpDiscard.bytes(), tcpChargen.bytes(), http.requests(), http.bodyBytes());
                        }
                    }
                    last = now;
                }
            } finally {
                f.close();
            }
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
