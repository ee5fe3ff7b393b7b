package io.sluice.engine.pbuf;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.sluice.config.PoolConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Proves that {@link PbufLeakExtension} fails a test that leaks a pbuf, with the leak report naming the
 * holder, and passes tests that do not leak.
 *
 * <p>The cases are static nested classes run here through the JUnit Platform test kit, in this JVM. They
 * must never run on their own: Surefire skips nested classes ({@code **}{@code /*$*} is in its default
 * excludes), and JUnit does not treat a static nested class as part of its enclosing class. Should anything
 * discover them all the same (an IDE running the package, say), {@link OnlyThroughTheTestKit} disables
 * them: it enables a case only when the test kit passes the configuration parameter {@link #CASES}, which
 * nothing else sets. That keeps the guard out of global state such as system properties.
 *
 * <p>This class itself runs under the extension too: the pools of the cases are forgotten by the cases'
 * own extension when their class ends, so the deliberate leaks below do not fail this class.
 */
@ExtendWith(PbufLeakExtension.class)
class PbufLeakExtensionTest {
    static final String CASES = "io.sluice.test.pbufLeakExtensionCases";

    private static EngineExecutionResults run(Class<?> cases) {
        return EngineTestKit.engine("junit-jupiter")
            .configurationParameter(CASES, "true")
            .selectors(selectClass(cases))
            .execute();
    }

    @Test
    void aTestThatLeaksAPbufFailsWithTheLeakReport() {
        EngineExecutionResults results = run(LeakingCase.class);
        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));

        List<Event> failed = results.testEvents().failed().list();
        assertEquals(1, failed.size());
        Event event = failed.get(0);
        assertEquals("leaksOnePbuf()", event.getTestDescriptor().getDisplayName());
        TestExecutionResult result = event.getRequiredPayload(TestExecutionResult.class);
        Throwable cause = result.getThrowable().orElseThrow();
        String message = cause.getMessage();
        assertInstanceOf(AssertionError.class, cause);
        assertTrue(message.startsWith("pbuf leak in leaksOnePbuf():"), message);
        assertTrue(message.contains("pool leak-case: 1 pbuf(s) still allocated"), message);
        assertTrue(message.contains("1 held by tcp-output"), message);
        assertTrue(message.matches("(?s).*#\\d+g\\d+ header len=0 pkthdr len=0 held by tcp-output.*"), message);

        // The class as a whole is not failed again for the same leak.
        results.containerEvents().assertStatistics(stats -> stats.failed(0));
    }

    @Test
    void testsThatFreeEverythingPass() {
        EngineExecutionResults results = run(CleanCase.class);
        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2).failed(0));
        results.containerEvents().assertStatistics(stats -> stats.failed(0));
    }

    @Test
    void aPoolFromBeforeAllIsCheckedWhenTheClassEnds() {
        EngineExecutionResults results = run(ClassPoolCase.class);
        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        List<Event> failed = results.containerEvents().failed().list();
        assertEquals(1, failed.size(), "the class fails, after its test");
        Throwable cause = failed.get(0).getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        assertTrue(cause.getMessage().contains("pool class-case: 1 pbuf(s) still allocated"), cause.getMessage());
        assertTrue(cause.getMessage().contains("held by arp"), cause.getMessage());
    }

    @Test
    void theCasesDoNotRunOutsideTheTestKit() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(LeakingCase.class))
            .execute();
        results.containerEvents().assertStatistics(stats -> stats.skipped(1));
        results.testEvents().assertStatistics(stats -> stats.started(0));
    }

    /** Enables the cases only when run by {@link #run}, which sets the configuration parameter {@link #CASES}. */
    static final class OnlyThroughTheTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(CASES).map(Boolean::parseBoolean).orElse(false)
                ? ConditionEvaluationResult.enabled("run by PbufLeakExtensionTest")
                : ConditionEvaluationResult.disabled("a case of PbufLeakExtensionTest, run only through it");
        }
    }

    @ExtendWith(OnlyThroughTheTestKit.class)
    @ExtendWith(PbufLeakExtension.class)
    static class LeakingCase {
        @Test
        void leaksOnePbuf() {
            try (PbufPool pool = PbufPool.create(new PoolConfig().name("leak-case").slots(16).jmx(false))) {
                Pbufs p = pool.local();
                p.owner(pool.registerOwner("tcp-output"));
                int kept = p.getHdr(PbufType.HEADER, Layer.IP);
                int freed = p.get(PbufType.DATA);
                p.free(freed);
                assertNotEquals(PbufHandle.NULL, kept);
                p.close();
            }
        }

        @Test
        void freesEverything() {
            try (PbufPool pool = PbufPool.create(16)) {
                Pbufs p = pool.local();
                p.freem(p.alloc(Layer.RAW, 1000));
                p.close();
            }
        }
    }

    @ExtendWith(OnlyThroughTheTestKit.class)
    @ExtendWith(PbufLeakExtension.class)
    static class CleanCase {
        @Test
        void allocatesAndFrees() {
            try (PbufPool pool = PbufPool.create(16)) {
                Pbufs p = pool.local();
                int h = p.alloc(Layer.IP, 600);
                p.freem(h);
                p.close();
            }
        }

        @Test
        void closesItsPoolWithNothingAllocated() {
            PbufPool pool = PbufPool.create(16);
            Pbufs p = pool.local();
            p.free(p.get(PbufType.CONTROL));
            p.close();
            pool.close();
        }
    }

    @ExtendWith(OnlyThroughTheTestKit.class)
    @ExtendWith(PbufLeakExtension.class)
    static class ClassPoolCase {
        static PbufPool pool;

        @BeforeAll
        static void openPool() {
            pool = PbufPool.create(new PoolConfig().name("class-case").slots(16).jmx(false));
        }

        @Test
        void leavesAPbufInTheClassPool() {
            Pbufs p = pool.local();
            p.owner(pool.registerOwner("arp"));
            assertNotEquals(PbufHandle.NULL, p.get(PbufType.DATA));
        }

        @AfterAll
        static void closePool() {
            pool.close();
        }
    }
}
