package io.sluice.bench.jmx;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.PipelineConfig;
import io.sluice.config.PoolConfig;
import io.sluice.engine.pbuf.PbufLeakExtension;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.phy.SyntheticPort;
import io.sluice.engine.stage.PacketHandler;
import io.sluice.engine.stage.Pipeline;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PbufLeakExtension.class)
class EngineReportTest {

    @Test
    void reportsPoolsRingsStagesAndPortsOfThisJvm() throws Exception {
        try (PbufPool pool = PbufPool.create(new PoolConfig().slots(1024).name("report-test").jmx(true))) {
            Pipeline pipeline = Pipeline.builder(pool)
                .receiveFrom(SyntheticPort.builder("gen").count(10_000).build())
                .stage("ip", PacketHandler.PASS)
                .transmitTo(SyntheticPort.builder("sink").build())
                .config(new PipelineConfig().layout("fused").idle("yield")).build().start();
            try {
                String stat = new EngineReport(ManagementFactory.getPlatformMBeanServer()).stat();
                assertTrue(stat.contains("[pool report-test, 512-byte slots, PHLEN 464]"), stat);
                assertTrue(stat.contains("rx->ip") && stat.contains("ip->tx"), stat);
                assertTrue(stat.contains("sluice-rx+ip+tx"), stat);
                assertTrue(stat.contains("gen") && stat.contains("sink"), stat);
            } finally {
                pipeline.close();
            }
            String after = new EngineReport(ManagementFactory.getPlatformMBeanServer()).stat();
            assertFalse(after.contains("rx->ip"), "closing the pipeline unregisters its MXBeans");
        }
    }

    /** The whole path a user takes: a running engine in another JVM, found by pid through the attach API. */
    @Test
    void attachesToARunningEngineByPid() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--") || a.startsWith("-Dchronicle")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.sluice.cli.SluiceMain", "pipeline",
            "--seconds", "60", "--warmup", "0", "--rate", "100000", "--idle", "sleep"));
        Process engine = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertNotNull(first, "the engine printed nothing");
            assertTrue(first.startsWith("sluice pipeline: pid " + engine.pid()), first);
            try (EngineConnection c = EngineConnection.attach(engine.pid())) {
                EngineReport report = new EngineReport(c.server());
                String netstat = report.netstat();
                assertTrue(netstat.contains("pbufs in use (current/cache/free/total)"), netstat);
                String stat = report.stat();
                assertTrue(stat.contains("rx->ip") && stat.contains("sluice-rx+ip+tx"), stat);
            }
        } finally {
            engine.destroy();
            assertTrue(engine.waitFor(20, TimeUnit.SECONDS), "the engine stops on SIGTERM");
        }
    }
}
