package io.sluice.nativeio.forward;

import static io.sluice.nativeio.afpacket.VethLab.run;

import io.sluice.nativeio.afpacket.VethLab;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three network namespaces for a forwarder under test, built with {@code ip} and removed after the test:
 *
 * <pre>
 *   gen: genIf 10.10.1.2/24  <--veth-->  sluGen [Sluice, netns sluice]  sluSink  <--veth-->  sinkIf 10.10.2.2/24 :sink
 *        default via 10.10.1.1                                                              default via 10.10.2.1
 * </pre>
 *
 * Sluice's two interfaces carry no kernel address, and an nftables ingress drop keeps the sluice namespace's
 * kernel stack from answering or forwarding anything (AF_PACKET sees frames before the ingress hook). Names carry
 * the JVM's pid in VethLab's scheme, so {@link VethLab#sweep} removes what a killed run left behind.
 */
final class RouterLab implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    final String gen;
    final String sluice;
    final String sink;
    final String genIf;
    final String sluGen;
    final String sluSink;
    final String sinkIf;

    /** @param sinkMtu the MTU of the sink's link, both ends */
    RouterLab(int sinkMtu) {
        int n = SEQ.incrementAndGet();
        String base = "sluice-t" + VethLab.PID + "-r" + n;
        gen = base + "g";
        sluice = base + "s";
        sink = base + "k";
        String short_ = "r" + VethLab.PID % 100_000 + n;
        genIf = short_ + "g";
        sluGen = short_ + "sg";
        sluSink = short_ + "sk";
        sinkIf = short_ + "k";
        try {
            for (String ns : new String[] {gen, sluice, sink}) {
                run("ip", "netns", "add", ns);
                run("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;"
                    + " echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up");
            }
            run("ip", "link", "add", genIf, "netns", gen, "type", "veth", "peer", "name", sluGen, "netns", sluice);
            run("ip", "link", "add", sinkIf, "netns", sink, "type", "veth", "peer", "name", sluSink, "netns", sluice);
            run("ip", "-n", sink, "link", "set", sinkIf, "mtu", String.valueOf(sinkMtu));
            run("ip", "-n", sluice, "link", "set", sluSink, "mtu", String.valueOf(sinkMtu));
            run("ip", "-n", gen, "addr", "add", "10.10.1.2/24", "dev", genIf);
            run("ip", "-n", sink, "addr", "add", "10.10.2.2/24", "dev", sinkIf);
            for (String[] d : new String[][] {{gen, genIf}, {sluice, sluGen}, {sluice, sluSink}, {sink, sinkIf}}) {
                run("ip", "-n", d[0], "link", "set", d[1], "up");
            }
            run("ip", "-n", gen, "route", "add", "default", "via", "10.10.1.1");
            run("ip", "-n", sink, "route", "add", "default", "via", "10.10.2.1");
            run("ip", "netns", "exec", sluice, "nft", "add table netdev sluicelab { chain in_gen { type filter hook ingress"
                + " device \"" + sluGen + "\" priority 0; policy drop; } ; chain in_sink { type filter hook ingress device \""
                + sluSink + "\" priority 0; policy drop; } ; }");
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Runs {@code command} in namespace {@code ns}; returns its output, or throws with it on a non-zero exit. */
    static String in(String ns, String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(command, 0, full, 4, command.length);
        return run(full);
    }

    /** As {@link #in}, but returns the output whatever the exit status (ping exits 1 when it gets errors). */
    static String inAnyway(String ns, String... command) {
        try {
            return in(ns, command);
        } catch (AssertionError e) {
            return e.getMessage();
        }
    }

    @Override
    public void close() {
        for (String ns : new String[] {gen, sluice, sink}) {
            try {
                run("ip", "netns", "del", ns);
            } catch (AssertionError ignored) {
                // not created, or already gone
            }
        }
    }
}
