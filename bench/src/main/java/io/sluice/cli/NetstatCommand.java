package io.sluice.cli;

import io.sluice.bench.jmx.EngineReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sluice netstat -m}: the pbuf pool report of a running engine, over JMX. */
@Command(name = "netstat", mixinStandardHelpOptions = true,
    description = "Prints the netstat -m report of a running engine's pbuf pools, read over JMX.")
final class NetstatCommand implements Callable<Integer> {
    @Option(names = "-m", required = true, description = "Pbuf (memory buffer) statistics, as netstat -m.")
    boolean memory;

    @ArgGroup(exclusive = true, multiplicity = "1")
    StatCommand.Target target;

    @Override
    public Integer call() throws Exception {
        return target.run(c -> {
            System.out.print(new EngineReport(c.server()).netstat());
            return 0;
        });
    }
}
