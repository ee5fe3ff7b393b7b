package io.sluice.nativeio.udp;

import static io.sluice.nativeio.afpacket.VethLab.run;

import io.sluice.nativeio.afpacket.VethLab;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two network namespaces for Sluice serving a Linux client, built with {@code ip} and removed on close:
 *
 * <pre>
 *   client: clientIf 10.77.0.2/24  <--veth-->  sluiceIf [Sluice 10.77.0.1, netns sluice]
 * </pre>
 *
 * Sluice's interface carries no kernel address, so the sluice namespace's kernel answers nothing over IPv4;
 * IPv6 is off in both. Names start with {@code hu-} (namespaces) and {@code hu} (interfaces) and carry the JVM's
 * pid, so that they collide with nobody's.
 */
public final class ServeLab implements AutoCloseable {
    public static final String SLUICE_ADDRESS = "10.77.0.1";
    public static final String CLIENT_ADDRESS = "10.77.0.2";
    private static final AtomicInteger SEQ = new AtomicInteger();

    public final String client;
    public final String sluice;
    public final String clientIf;
    public final String sluiceIf;

    ServeLab() {
        this("hu");
    }

    /** @param prefix of the namespaces ({@code PREFIX-}) and interfaces: each test family its own ({@code hu}, {@code ti}) */
    public ServeLab(String prefix) {
        int n = SEQ.incrementAndGet();
        client = prefix + "-" + VethLab.PID + "-" + n + "c";
        sluice = prefix + "-" + VethLab.PID + "-" + n + "s";
        clientIf = prefix + VethLab.PID % 100_000 + "c" + n;
        sluiceIf = prefix + VethLab.PID % 100_000 + "s" + n;
        try {
            for (String ns : new String[] {client, sluice}) {
                run("ip", "netns", "add", ns);
                run("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;"
                    + " echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up");
            }
            run("ip", "link", "add", clientIf, "netns", client, "type", "veth", "peer", "name", sluiceIf, "netns", sluice);
            run("ip", "-n", client, "addr", "add", CLIENT_ADDRESS + "/24", "dev", clientIf);
            run("ip", "-n", client, "link", "set", clientIf, "up");
            run("ip", "-n", sluice, "link", "set", sluiceIf, "up");
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Runs {@code command} in the client's namespace; returns its output, or fails with it on a non-zero exit. */
    public String inClient(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = client;
        System.arraycopy(command, 0, full, 4, command.length);
        return run(full);
    }

    @Override
    public void close() {
        for (String ns : new String[] {client, sluice}) {
            try {
                run("ip", "netns", "del", ns);
            } catch (AssertionError ignored) {
                // not created, or already gone
            }
        }
    }
}
