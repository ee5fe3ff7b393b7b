package io.sluice.cli;

import io.sluice.bench.harness.JmhAllocations;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./sluice bench jmh} runs JMH with {@code -prof gc -rf json}, then this: the benchmarks with their scores,
 * each one that allocates more than the threshold per operation flagged; exit status 3 when any does.
 */
@Command(name = "bench-jmh-report", mixinStandardHelpOptions = true,
    description = "Reads JMH's JSON results (-rf json, with -prof gc) and flags every benchmark that allocates.")
final class BenchJmhReportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "JMH's JSON results file.")
    Path json;

    @Option(names = "--threshold", defaultValue = "0.1", description = "B/op above which a benchmark allocates (default ${DEFAULT-VALUE}).")
    double threshold;

    @Override
    public Integer call() throws Exception {
        List<JmhAllocations.Entry> entries = JmhAllocations.read(json);
        System.out.print(JmhAllocations.report(entries, threshold));
        return JmhAllocations.allocating(entries, threshold).isEmpty() ? 0 : 3;
    }
}
