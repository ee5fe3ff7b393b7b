package io.sluice.engine.stats;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers Sluice's MXBeans as {@code io.sluice:type=TYPE,name="NAME"} on the platform MBean server, where
 * jconsole, VisualVM and {@code ./sluice stat} find them. A name already taken gets a numeric suffix.
 */
public final class MBeans {
    public static final String DOMAIN = "io.sluice";

    private MBeans() {
    }

    /** Registers {@code bean} and returns its name, for {@link #unregister}. */
    public static synchronized ObjectName register(Object bean, String type, String name) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName on = objectName(type, name);
            for (int i = 2; server.isRegistered(on); i++) {
                on = objectName(type, name + "-" + i);
            }
            server.registerMBean(bean, on);
            return on;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the " + type + " MXBean " + name + ": " + e, e);
        }
    }

    public static void unregister(ObjectName name) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException ignored) {
            // Already gone: nothing to undo.
        }
    }

    private static ObjectName objectName(String type, String name) throws JMException {
        return new ObjectName(DOMAIN + ":type=" + type + ",name=" + ObjectName.quote(name));
    }
}
