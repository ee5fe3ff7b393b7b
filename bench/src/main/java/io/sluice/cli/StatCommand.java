package io.sluice.cli;

import io.sluice.bench.jmx.EngineConnection;
import io.sluice.bench.jmx.EngineReport;
import io.sluice.nativeio.linux.NetNamespace;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sluice stat}: pools, rings, stages and ports of a running engine, over JMX. */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Prints the pools (netstat -m), rings, stages and ports of a running engine, read over JMX.")
final class StatCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--interval", description = "Repeat every N seconds (default: once).")
    int interval;

    @Option(names = "--count", defaultValue = "0", description = "With --interval, stop after N reports (0: until interrupted).")
    int count;

    static final class Target {
        @Option(names = "--pid", description = "Process id of the engine's JVM on this host.")
        Long pid;

        @Option(names = "--jmx", description = "host:port of the engine's JMX agent.")
        String jmx;

        /**
         * Runs {@code task} on a connection to the engine. An engine attached to by pid in another network
         * namespace listens for JMX on that namespace's loopback, so the connection and the task run on a thread
         * that entered it.
         */
        int run(EngineTask task) throws Exception {
            if (pid == null) {
                try (EngineConnection c = EngineConnection.remote(jmx)) {
                    return task.run(c);
                }
            }
            if (NetNamespace.sameAsProcess(pid)) {
                try (EngineConnection c = EngineConnection.attach(pid)) {
                    return task.run(c);
                }
            }
            try (NetNamespace ns = NetNamespace.ofProcess(pid)) {
                return ns.call(() -> {
                    try (EngineConnection c = EngineConnection.attach(pid)) {
                        return task.run(c);
                    }
                }, Duration.ofDays(365));
            }
        }
    }

    /** Work on an engine connection. */
    @FunctionalInterface
    interface EngineTask {
        int run(EngineConnection c) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        return target.run(c -> {
            EngineReport report = new EngineReport(c.server());
            for (int n = 1; ; n++) {
                System.out.print(report.stat());
                if (interval <= 0 || (count > 0 && n >= count)) {
                    return 0;
                }
                System.out.println();
                Thread.sleep(interval * 1000L);
            }
        });
    }
}
