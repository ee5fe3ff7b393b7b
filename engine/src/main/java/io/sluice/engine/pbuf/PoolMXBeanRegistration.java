package io.sluice.engine.pbuf;

import io.sluice.engine.stats.MBeans;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.ObjectName;

/** Registers a pool's MXBean as {@code io.sluice:type=PbufPool,name=NAME} and removes it on close. */
final class PoolMXBeanRegistration {
    private final ObjectName objectName;

    private PoolMXBeanRegistration(ObjectName objectName) {
        this.objectName = objectName;
    }

    static PoolMXBeanRegistration register(PbufPool pool) {
        return new PoolMXBeanRegistration(MBeans.register(new View(pool), "PbufPool", pool.name()));
    }

    void unregister() {
        MBeans.unregister(objectName);
    }

    private record View(PbufPool pool) implements PbufPoolMXBean {
        @Override
        public String getName() {
            return pool.name();
        }

        @Override
        public long getTotal() {
            return pool.capacity();
        }

        @Override
        public long getInUse() {
            return pool.stats().inUse();
        }

        @Override
        public long getCached() {
            return pool.stats().cached();
        }

        @Override
        public long getFree() {
            return pool.stats().free();
        }

        @Override
        public Map<String, Long> getInUseByType() {
            PbufStats s = pool.stats();
            Map<String, Long> m = new LinkedHashMap<>();
            for (PbufType t : PbufType.values()) {
                m.put(t.name().toLowerCase(), s.inUse(t));
            }
            return m;
        }

        @Override
        public long getHighWater() {
            return pool.stats().highWater();
        }

        @Override
        public long getRequests() {
            return pool.stats().requests();
        }

        @Override
        public long getDenied() {
            return pool.stats().denied();
        }

        @Override
        public long getDelayed() {
            return pool.stats().delayed();
        }

        @Override
        public long getBytesInUse() {
            return pool.stats().bytesInUse();
        }

        @Override
        public long getBytesCached() {
            return pool.stats().bytesCached();
        }

        @Override
        public long getBytesTotal() {
            return pool.stats().bytesTotal();
        }

        @Override
        public long getReserveSize() {
            return pool.reserveTarget();
        }

        @Override
        public long getReserveFree() {
            return pool.stats().reserveFree();
        }

        @Override
        public String getNetstatReport() {
            return pool.netstat();
        }

        @Override
        public String leakReport() {
            return pool.leakReport().toString();
        }
    }
}
