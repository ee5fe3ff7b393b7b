package io.sluice.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * The benchmarks of {@link PbufPoolBenchmark} in checked mode: a fork with {@code -Dsluice.pbuf.checked=true},
 * so {@code Pbufs.CHECKED} is true when the class loads (handle verification on every access, poisoning of
 * freed slots). JMH generates the inherited {@code @Benchmark} methods under this class's name
 * ({@code ./sluice bench jmh -l} lists them).
 */
@Fork(value = 1, jvmArgsAppend = "-Dsluice.pbuf.checked=true")
public class PbufPoolCheckedBenchmark extends PbufPoolBenchmark {
}
