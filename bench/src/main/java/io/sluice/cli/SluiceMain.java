package io.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Java side of {@code ./sluice}. The shell launcher finds the JDK, builds, and handles the commands that
 * drive Maven or other tools (test, bench jmh, stress); the commands that run Sluice itself live here.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
    description = "An off-heap packet-processing engine for the JVM.",
    subcommands = {DemoCommand.class})
public final class SluiceMain implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new SluiceMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
