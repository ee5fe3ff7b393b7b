package io.sluice.cli;

import io.sluice.bench.jmx.EngineConnection;
import io.sluice.bench.jmx.EngineReport;
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

        EngineConnection connect() throws java.io.IOException {
            return pid != null ? EngineConnection.attach(pid) : EngineConnection.remote(jmx);
        }
    }

    @Override
    public Integer call() throws Exception {
        try (EngineConnection c = target.connect()) {
            EngineReport report = new EngineReport(c.server());
            for (int n = 1; ; n++) {
                System.out.print(report.stat());
                if (interval <= 0 || (count > 0 && n >= count)) {
                    return 0;
                }
                System.out.println();
                Thread.sleep(interval * 1000L);
            }
        }
    }
}
