package io.sluice.engine.pbuf;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails any test that leaks a pbuf. Every pool created during a test method (or, for pools made in
 * {@code @BeforeAll}, during the test class) must have all of its pbufs back by the end of it: the extension
 * scans the slots of each such pool (or reads the report taken when it was closed) and fails with the leak
 * report, which names the stage that last held each pbuf.
 *
 * <p>Use {@code @ExtendWith(PbufLeakExtension.class)} on a test class.
 */
public final class PbufLeakExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PbufLeakExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        PbufPool.trackCreations(true);
        context.getStore(NS).put("class", PbufPool.currentSequence());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("method", PbufPool.currentSequence());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        verify(context, "method");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        verify(context, "class");
    }

    private static void verify(ExtensionContext context, String key) {
        Integer mark = context.getStore(NS).get(key, Integer.class);
        if (mark == null) {
            return;
        }
        List<PbufPool> pools = PbufPool.createdSince(mark);
        StringBuilder leaks = new StringBuilder();
        for (PbufPool pool : pools) {
            LeakReport report = pool.leakReport();
            if (!report.isEmpty()) {
                leaks.append(report);
            }
        }
        if (key.equals("class")) {
            PbufPool.forget(pools);
        } else {
            // Pools still open may belong to the class (created in a @BeforeAll); keep those for afterAll.
            PbufPool.forget(pools.stream().filter(p -> !p.isOpen()).toList());
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("pbuf leak in " + context.getDisplayName() + ":\n" + leaks);
        }
    }
}
