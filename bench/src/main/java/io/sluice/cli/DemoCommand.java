package io.sluice.cli;

import io.sluice.bench.demo.PbufDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./sluice demo}: the pbuf pool at work across two threads, with the netstat -m report at the end. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Allocates, chains, prepends and frees packets of mixed sizes across two threads,",
        "then prints the rates and the netstat -m report. Needs no privileges."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--packets", defaultValue = "1000000", description = "Packets to send (default ${DEFAULT-VALUE}).")
    long packets;

    @Option(names = "--slots", defaultValue = "65536", description = "Pbuf slots in the pool (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--max-seconds", defaultValue = "60", description = "Stop after this long whatever the count (default ${DEFAULT-VALUE}).")
    int maxSeconds;

    @Override
    public Integer call() {
        PbufDemo.Result r = new PbufDemo(packets, slots, maxSeconds, System.out).run();
        return r.ok() ? 0 : 1;
    }
}
