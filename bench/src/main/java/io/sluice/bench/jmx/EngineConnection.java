package io.sluice.bench.jmx;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JMX connection to a running Sluice engine: by process id (the JDK attach API starts the engine's local
 * management agent, so the engine needs no JMX flags) or by {@code host:port} of a remote JMX agent.
 */
public final class EngineConnection implements AutoCloseable {
    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private EngineConnection(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** Attaches to the JVM with process id {@code pid} on this host (same user, or root). */
    public static EngineConnection attach(long pid) throws IOException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException e) {
            throw new IOException("cannot attach to process " + pid + ": " + e.getMessage()
                + " (is it a running JVM, owned by this user or root?)", e);
        }
        try {
            String url = vm.startLocalManagementAgent();
            return new EngineConnection(JMXConnectorFactory.connect(new JMXServiceURL(url)));
        } finally {
            vm.detach();
        }
    }

    /** Connects to a JMX agent listening on {@code host:port} (com.sun.management.jmxremote.port). */
    public static EngineConnection remote(String hostPort) throws IOException {
        if (!hostPort.matches("[^:]+:\\d+")) {
            throw new IllegalArgumentException("--jmx " + hostPort + " must be host:port");
        }
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + hostPort + "/jmxrmi");
        return new EngineConnection(JMXConnectorFactory.connect(url));
    }

    public MBeanServerConnection server() {
        return server;
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
