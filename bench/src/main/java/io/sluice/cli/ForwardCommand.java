package io.sluice.cli;

import io.sluice.config.ForwarderConfig;
import io.sluice.engine.forward.Forwarder;
import io.sluice.engine.inet.Mib;
import io.sluice.engine.phy.NicPort;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice forward --config FILE}: runs the forwarder until SIGINT or SIGTERM (or {@code --seconds}),
 * with a status line every second, then shuts down in order and says whether the pool is full again.
 */
@Command(name = "forward", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the IPv4 forwarder a configuration file describes (config/README.md) until SIGINT or",
        "SIGTERM, printing rx and tx packet rates and drops every second. Needs CAP_NET_RAW (and CAP_SYS_ADMIN",
        "for ports in another network namespace). ./sluice stat --pid PID shows its counters."})
final class ForwardCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "The configuration file.")
    Path config;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after this long; 0 = until a signal (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--quiet", description = "No status line every second.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        ForwarderConfig cfg = ForwarderConfig.load(config);
        cfg.warnings().forEach(w -> System.err.println("sluice forward: warning: " + w));
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(10, TimeUnit.SECONDS); // let the orderly shutdown finish before the JVM exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-forward-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Forwarder f = Forwarder.start(cfg);
            System.out.printf("sluice forward: %s, %d ports: %s; pid %d%n", cfg.name(), f.inetPorts().size(),
                f.inetPorts(), ProcessHandle.current().pid());
            // Threads start on their own; give them a moment to pin and schedule themselves before reporting.
            Thread.sleep(100);
            f.pipeline().pinning().forEach((thread, how) -> System.out.printf("  thread %s: %s%n", thread, how));
            long end = seconds > 0 ? System.nanoTime() + (long) (seconds * 1e9) : Long.MAX_VALUE;
            long[] last = totals(f.ports());
            long lastDrops = f.counters().drops();
            while (!stop.await(1, TimeUnit.SECONDS) && System.nanoTime() - end < 0) {
                long[] now = totals(f.ports());
                long drops = f.counters().drops();
                if (!quiet) {
                    System.out.printf("  rx %,12d pps  tx %,12d pps  forwarded %,14d  drops %,d (+%,d)%n",
                        now[0] - last[0], now[1] - last[1], f.counters().get(Mib.ipForwDatagrams),
                        drops, drops - lastDrops);
                }
                last = now;
                lastDrops = drops;
            }
            f.close();
            Forwarder.ClosedReport r = f.closedReport();
            System.out.println(r.netstat());
            System.out.println("counters: " + r.counters());
            boolean full = r.stats().inUse() == 0;
            System.out.println(full ? "pool full again: every pbuf returned" : "LEAK: " + r.stats().inUse() + " pbufs in use");
            return full ? 0 : 1;
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // Shutting down already: the hook is running.
            }
        }
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
