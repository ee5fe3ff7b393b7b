package io.sluice.nativeio.uring;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ConfigException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Validation of {@link UringConfig}: every bad value is named as {@code uring.NAME=VALUE} with its range. */
class UringConfigTest {

    private static String bad(UnaryOperator<UringConfig.Builder> change) {
        return assertThrows(ConfigException.class, () -> change.apply(UringConfig.builder("veth0")).build())
            .getMessage();
    }

    @Test
    void theDefaultsAreValidAndDocumented() {
        UringConfig c = UringConfig.defaults("veth0");
        assertEquals("veth0", c.name());
        assertEquals(128, c.queueDepth());
        assertEquals(32, c.rxBuffers());
        assertEquals(128, c.txBuffers());
        assertEquals(2048, c.bufferSize());
        assertEquals(64, c.maxBurst());
        assertTrue(c.auxdata() && c.coopTaskrun() && c.registerFile() && c.qdiscBypass() && c.ignoreOutgoing());
        assertFalse(c.kernelTimestamps());
        assertEquals(c, c.toBuilder().build());
        assertEquals("p1", c.toBuilder().portName("p1").build().name());
    }

    @Test
    void badValuesAreNamedWithTheirRange() {
        assertEquals("uring.interface=eth0/x is not valid: an interface name takes 1 to 15 bytes without '/', ':' or "
            + "white space", bad(b -> b.interfaceName("eth0/x")));
        assertEquals("uring.interface=null is not valid: an interface name takes 1 to 15 bytes without '/', ':' or "
            + "white space", bad(b -> b.interfaceName(null)));
        assertEquals("uring.portName=  must not be blank (null means the interface name)", bad(b -> b.portName(" ")));
        assertEquals("uring.receive=false and uring.transmit=false: a port needs at least one direction",
            bad(b -> b.receive(false).transmit(false)));
        assertEquals("uring.queueDepth=100 must be a power of two in 2..4096", bad(b -> b.queueDepth(100)));
        assertEquals("uring.queueDepth=8192 must be a power of two in 2..4096", bad(b -> b.queueDepth(8192)));
        assertEquals("uring.rxBuffers=300 must be in 1..256 (uring.queueDepth): every outstanding receive takes an SQ"
            + " entry", bad(b -> b.queueDepth(256).rxBuffers(300)));
        assertEquals("uring.rxBuffers=0 must be in 1..128 (uring.queueDepth): every outstanding receive takes an SQ"
            + " entry", bad(b -> b.rxBuffers(0)));
        assertEquals("uring.txBuffers=129 must be in 1..128 (uring.queueDepth): every send in flight takes an SQ "
            + "entry", bad(b -> b.queueDepth(128).rxBuffers(64).txBuffers(129)));
        assertEquals("uring.bufferSize=1500 must be a multiple of 64 in 128..65536", bad(b -> b.bufferSize(1500)));
        assertEquals("uring.bufferSize=64 must be a multiple of 64 in 128..65536", bad(b -> b.bufferSize(64)));
        assertEquals("uring.maxBurst=0 must be in 1..4096", bad(b -> b.maxBurst(0)));
        assertEquals("uring.kernelTimestamps=true needs uring.auxdata=true: the receive time comes in a control "
            + "message, which only RECVMSG returns", bad(b -> b.auxdata(false).kernelTimestamps(true)));
        assertEquals("uring.socketBuffer=-1 must be in 0..1073741824 (bytes; 0 keeps the kernel's default)",
            bad(b -> b.socketBuffer(-1)));
        assertEquals("uring.minMtu=67 must be in 68..65535", bad(b -> b.minMtu(67)));
        assertEquals("uring.statsIntervalMillis=0 must be in 1..600000", bad(b -> b.statsIntervalMillis(0)));
    }

    @Test
    void aDirectionThatIsOffNeedsNoBuffers() {
        assertEquals(0, UringConfig.builder("veth0").transmit(false).txBuffers(0).build().txBuffers());
        assertEquals(0, UringConfig.builder("veth0").receive(false).rxBuffers(0).build().rxBuffers());
    }
}
