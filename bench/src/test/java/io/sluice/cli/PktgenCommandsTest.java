package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.sluice.nativeio.afpacket.VethLab;
import io.sluice.nativeio.afpacket.VethLabExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code ./sluice pktgen --commands}, the pacer the forwarding bench keeps warm: one JVM, counted runs read from
 * stdin, each answered with its "sent" line once over; a bad line is answered and skipped. Needs root (a veth
 * pair in namespaces of the test's own).
 */
@ExtendWith(VethLabExtension.class)
class PktgenCommandsTest {
    @Test
    void runsEachLineAndAnswersEachRun() throws Exception {
        InputStream stdin = System.in;
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (VethLab lab = VethLab.create()) {
            System.setIn(new ByteArrayInputStream("2000 100000 60\nx 5\n\n1000 0 1514\nquit\n1 1\n"
                .getBytes(StandardCharsets.US_ASCII)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status = new CommandLine(new PktgenCommand()).execute("-i", lab.ifA, "--netns", lab.nsA,
                "--dst-mac", "02:00:00:00:00:02", "--seconds", "30", "--commands");
        } finally {
            System.setIn(stdin);
            System.setOut(stdout);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, status, () -> String.join("\n", lines));
        assertEquals(4, lines.size(), () -> String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("pktgen: "), lines.get(0));
        assertTrue(lines.get(1).startsWith("sent 2,000 frames (120,000 bytes)"), lines.get(1));
        assertTrue(lines.get(2).startsWith("error: \"x 5\""), lines.get(2));
        assertTrue(lines.get(3).startsWith("sent 1,000 frames (1,514,000 bytes)"), "the line's size, not --pkt-size: " + lines.get(3));
    }
}
