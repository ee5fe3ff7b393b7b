package io.sluice.nativeio.afpacket;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A lab test class's frame: before its tests, fail them with what is missing (root, ip, ...) and remove what an
 * earlier, killed run left behind ({@link VethLab#requirePrerequisites}); after them, remove what is left of this
 * JVM's labs.
 */
public final class VethLabExtension implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        VethLab.requirePrerequisites();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        VethLab.sweep(true);
    }
}
