package io.sluice.nativeio.afpacket;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.config.ConfigException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Validation of {@link AfPacketConfig}: each bad setting is named as {@code afpacket.NAME=VALUE}. No privilege needed. */
class AfPacketConfigTest {

    private static String error(UnaryOperator<AfPacketConfig.Builder> change) {
        return assertThrows(ConfigException.class, () -> change.apply(AfPacketConfig.builder("veth0")).build())
            .getMessage();
    }

    @Test
    void defaultsAreValidAndDescribeTheRings() {
        AfPacketConfig c = AfPacketConfig.defaults("veth0");
        assertEquals("veth0", c.name());
        assertEquals(32L << 20, c.rxRingBytes());
        assertEquals(512, c.txFrames());
        assertEquals(1L << 20, c.txRingBytes());
        assertEquals(2000, c.txFrameCapacity(), "2048 minus the 48-byte V3 header");
        assertEquals(128 * 1024 - 48 - 82 - 10, c.rxFrameCapacity(), "less the virtio_net_hdr (receiveGso)");
        assertEquals(128 * 1024 - 48 - 82, c.toBuilder().receiveGso(false).build().rxFrameCapacity());
        assertEquals(FanoutMode.NONE, c.fanout());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void badSettingsAreNamedWithTheirValue() {
        assertTrue(error(b -> b.rxBlockSize(1000)).startsWith("afpacket.rxBlockSize=1000 must be a power of two"));
        assertTrue(error(b -> b.rxBlockSize(6 * 4096)).startsWith("afpacket.rxBlockSize=24576 must be a power of two"));
        assertTrue(error(b -> b.rxBlockCount(0)).startsWith("afpacket.rxBlockCount=0 must be at least 1"));
        assertTrue(error(b -> b.rxBlockCount(16384)).startsWith("afpacket.rxBlockSize=131072 times "
            + "afpacket.rxBlockCount=16384 is 2147483648 bytes"));
        assertTrue(error(b -> b.rxBlockSize(65536)).startsWith("afpacket.rxBlockSize=65536 holds frames of at most "
            + "65396 bytes, but a segmentation-offload frame (afpacket.receiveGso=true) may take 65557"));
        assertEquals(65536, AfPacketConfig.builder("veth0").rxBlockSize(65536).receiveGso(false).build().rxBlockSize());
        assertTrue(error(b -> b.rxFrameSize(100)).startsWith("afpacket.rxFrameSize=100 must be a multiple of 16"));
        assertTrue(error(b -> b.rxRetireTimeoutMillis(0)).startsWith("afpacket.rxRetireTimeoutMillis=0 must be in"));
        assertTrue(error(b -> b.txFrameSize(2050)).startsWith("afpacket.txFrameSize=2050 must be a multiple of 16"));
        assertTrue(error(b -> b.txBlockSize(4096).txFrameSize(8192))
            .startsWith("afpacket.txFrameSize=8192 must be a multiple of 16 in 128..4096"));
        assertTrue(error(b -> b.maxBurst(0)).startsWith("afpacket.maxBurst=0 must be in 1..4096"));
        assertTrue(error(b -> b.fanout(FanoutMode.HASH, 70_000)).startsWith("afpacket.fanoutGroup=70000 must be in"));
        assertTrue(error(b -> b.receive(false).fanout(FanoutMode.LB, 1))
            .startsWith("afpacket.fanout=lb needs afpacket.receive=true"));
        assertTrue(error(b -> b.receive(false).transmit(false)).contains("a port needs at least one direction"));
        assertTrue(error(b -> b.minMtu(20)).startsWith("afpacket.minMtu=20 must be in 68..65535"));
        assertTrue(error(b -> b.txRetries(-1)).startsWith("afpacket.txRetries=-1 must be in"));
        assertTrue(error(b -> b.statsIntervalMillis(0)).startsWith("afpacket.statsIntervalMillis=0 must be in"));
        assertTrue(error(b -> b.interfaceName("way-too-long-name")).startsWith(
            "afpacket.interface=way-too-long-name is not valid"));
        assertEquals("afpacket.fanout=rss must be one of none, hash, lb, cpu, qm",
            assertThrows(ConfigException.class, () -> FanoutMode.parse("rss")).getMessage());
    }

    @Test
    void aDirectionThatIsOffNeedsNoValidGeometry() {
        AfPacketConfig c = AfPacketConfig.builder("veth0").transmit(false).txFrameSize(1).build();
        assertEquals(0, c.txFrames());
        assertEquals(0, c.txRingBytes());
    }
}
