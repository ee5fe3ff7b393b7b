package io.sluice.cli;

import io.sluice.bench.demo.ForwardingDemo;
import io.sluice.bench.demo.PbufDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice demo}: Sluice forwarding pktgen traffic between two network namespaces (as root; on in-memory
 * wires otherwise), or with {@code --pool} the pbuf pool at work across two threads.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Builds a lab of three network namespaces (generator, Sluice, sink) as config/samples/demo-lab.conf",
        "describes, forwards pktgen traffic through Sluice for a few seconds with live progress, prints what was",
        "offered and delivered and the netstat -m report, and removes the lab. Without root it says so and runs",
        "the same forwarder on in-memory wires. --pool shows the pbuf pool alone."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "5", description = "Seconds of traffic (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rate", defaultValue = "100000", description = "Frames per second offered (default ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--pkt-size", defaultValue = "60", description = "Frame bytes, 60..1514 (default ${DEFAULT-VALUE}).")
    int pktSize;

    @Option(names = "--in-memory", description = "Forward on in-memory wires even as root (no lab).")
    boolean inMemory;

    @Option(names = "--pool", description = "The pbuf pool demo instead: packets of mixed sizes across two threads.")
    boolean pool;

    @Option(names = "--packets", defaultValue = "1000000", description = "--pool: packets to send (default ${DEFAULT-VALUE}).")
    long packets;

    @Override
    public Integer call() throws Exception {
        if (pool) {
            PbufDemo.Result r = new PbufDemo(packets, 65536, 60, System.out).run();
            return r.ok() ? 0 : 1;
        }
        return new ForwardingDemo(seconds, rate, pktSize, inMemory, System.out).run() ? 0 : 1;
    }
}
