package io.sluice.bench.jmx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * Formats what an engine's MXBeans say, read through any {@link MBeanServerConnection} (remote or the local
 * platform server): the netstat -m report of each pool, then rings, stages and ports as tables.
 */
public final class EngineReport {
    private final MBeanServerConnection server;

    public EngineReport(MBeanServerConnection server) {
        this.server = server;
    }

    /** The netstat -m report of every pool. */
    public String netstat() throws IOException, JMException {
        StringBuilder b = new StringBuilder();
        for (ObjectName on : names("PbufPool")) {
            b.append(server.getAttribute(on, "NetstatReport"));
        }
        if (b.isEmpty()) {
            b.append("no pbuf pool is registered in this JVM\n");
        }
        return b.toString();
    }

    /** Pools, rings, stages and ports. */
    public String stat() throws IOException, JMException {
        StringBuilder b = new StringBuilder(netstat());
        List<ObjectName> rings = names("Ring");
        if (!rings.isEmpty()) {
            b.append(String.format("%nrings%n  %-28s %9s %9s %10s %14s %14s%n", "name", "capacity", "size",
                "high-water", "full events", "empty events"));
            for (ObjectName on : rings) {
                b.append(String.format("  %-28s %9d %9d %10d %14d %14d%n", attr(on, "Name"), attr(on, "Capacity"),
                    attr(on, "Size"), attr(on, "HighWater"), attr(on, "FullEvents"), attr(on, "EmptyEvents")));
            }
        }
        List<ObjectName> stages = names("Stage");
        if (!stages.isEmpty()) {
            b.append(String.format("%nstages%n  %-12s %-28s %14s %12s %14s %14s  %s%n", "name", "thread", "packets",
                "batches", "work loops", "idle loops", "drops"));
            for (ObjectName on : stages) {
                b.append(String.format("  %-12s %-28s %14d %12d %14d %14d  %s%n", attr(on, "Name"), attr(on, "Thread"),
                    attr(on, "Packets"), attr(on, "Batches"), attr(on, "WorkLoops"), attr(on, "IdleLoops"),
                    nonZero(attr(on, "Drops"))));
            }
        }
        List<ObjectName> ports = names("Port");
        if (!ports.isEmpty()) {
            b.append(String.format("%nports%n  %-20s %14s %16s %14s %16s  %s%n", "name", "rx packets", "rx bytes",
                "tx packets", "tx bytes", "drops"));
            for (ObjectName on : ports) {
                b.append(String.format("  %-20s %14d %16d %14d %16d  %s%n", attr(on, "Name"), attr(on, "RxPackets"),
                    attr(on, "RxBytes"), attr(on, "TxPackets"), attr(on, "TxBytes"), nonZero(attr(on, "Drops"))));
            }
        }
        for (ObjectName on : names("Inet")) {
            b.append(String.format("%nforwarding plane %s: %s ARP entries, %s datagrams in reassembly, %s routes%n",
                on.getKeyProperty("name"), attr(on, "ArpEntries"), attr(on, "ReassemblyDatagrams"), attr(on, "Routes")));
            appendCounters(b, attr(on, "Counters"));
        }
        return b.toString();
    }

    /** One counter a line, netstat -s style: MIB-2 counters by layer, then drops by reason. */
    private static void appendCounters(StringBuilder b, Object counters) {
        if (!(counters instanceof TabularData table)) {
            return;
        }
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        for (Object row : table.values()) {
            CompositeData c = (CompositeData) row;
            m.put((String) c.get("key"), (Long) c.get("value"));
        }
        String[][] groups = {{"eth", "Ethernet"}, {"arp", "ARP"}, {"ip", "IP"}, {"icmp", "ICMP"}, {"drop.", "drops"}};
        for (String[] g : groups) {
            boolean header = false;
            for (var e : m.entrySet()) {
                if (e.getKey().startsWith(g[0])) {
                    if (!header) {
                        b.append("  ").append(g[1]).append(':').append(System.lineSeparator());
                        header = true;
                    }
                    b.append(String.format("    %14d  %s%n", e.getValue(), e.getKey().startsWith("drop.")
                        ? e.getKey().substring(5) : e.getKey()));
                }
            }
        }
    }

    private List<ObjectName> names(String type) throws IOException, JMException {
        return new ArrayList<>(new TreeSet<>(server.queryNames(new ObjectName("io.sluice:type=" + type + ",*"), null)));
    }

    private Object attr(ObjectName on, String name) throws IOException, JMException {
        return server.getAttribute(on, name);
    }

    /** An MXBean map arrives as TabularData of key/value rows; lists the non-zero ones. */
    private static String nonZero(Object drops) {
        if (!(drops instanceof TabularData table)) {
            return String.valueOf(drops);
        }
        StringBuilder b = new StringBuilder();
        for (Object row : table.values()) {
            CompositeData c = (CompositeData) row;
            Object v = c.get("value");
            if (v instanceof Long l && l != 0) {
                b.append(b.isEmpty() ? "" : " ").append(c.get("key")).append('=').append(l);
            }
        }
        return b.isEmpty() ? "-" : b.toString();
    }

}
