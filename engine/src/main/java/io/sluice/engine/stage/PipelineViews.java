package io.sluice.engine.stage;

import io.sluice.engine.phy.NicPort;
import io.sluice.engine.ring.SpscRing;
import io.sluice.engine.stats.PortMXBean;
import io.sluice.engine.stats.RingMXBean;
import io.sluice.engine.stats.StageMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/** The read-only MXBean views of a pipeline's rings, stages and ports. */
final class PipelineViews {
    private PipelineViews() {
    }

    record RingView(SpscRing ring) implements RingMXBean {
        @Override
        public String getName() {
            return ring.name();
        }

        @Override
        public int getCapacity() {
            return ring.capacity();
        }

        @Override
        public int getSize() {
            return ring.size();
        }

        @Override
        public long getHighWater() {
            return ring.highWater();
        }

        @Override
        public long getFullEvents() {
            return ring.fullEvents();
        }

        @Override
        public long getEmptyEvents() {
            return ring.emptyEvents();
        }
    }

    record StageView(Stage stage, String thread) implements StageMXBean {
        @Override
        public String getName() {
            return stage.name;
        }

        @Override
        public String getThread() {
            return thread;
        }

        @Override
        public long getPackets() {
            return stage.counters.packets();
        }

        @Override
        public long getBatches() {
            return stage.counters.batches();
        }

        @Override
        public long getWorkLoops() {
            return stage.counters.workLoops();
        }

        @Override
        public long getIdleLoops() {
            return stage.counters.idleLoops();
        }

        @Override
        public Map<String, Long> getDrops() {
            Map<String, Long> m = new LinkedHashMap<>();
            for (StageDrop d : StageDrop.values()) {
                m.put(d.name().toLowerCase(), stage.counters.drops(d));
            }
            return m;
        }
    }

    record PortView(NicPort port) implements PortMXBean {
        @Override
        public String getName() {
            return port.name();
        }

        @Override
        public long getRxPackets() {
            return port.counters().rxPackets();
        }

        @Override
        public long getRxBytes() {
            return port.counters().rxBytes();
        }

        @Override
        public long getTxPackets() {
            return port.counters().txPackets();
        }

        @Override
        public long getTxBytes() {
            return port.counters().txBytes();
        }

        @Override
        public Map<String, Long> getDrops() {
            return port.counters().drops();
        }
    }
}
