package io.sluice.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link PbufCrossThreadBenchmark} in checked mode ({@code -Dsluice.pbuf.checked=true} in the fork). JMH
 * generates the inherited group benchmarks under this class's name.
 */
@Fork(value = 1, jvmArgsAppend = "-Dsluice.pbuf.checked=true")
public class PbufCrossThreadCheckedBenchmark extends PbufCrossThreadBenchmark {
}
