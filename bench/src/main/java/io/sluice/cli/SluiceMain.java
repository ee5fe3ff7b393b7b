package io.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Java side of {@code ./sluice}. The shell launcher finds the JDK, builds, and handles the commands that
 * drive Maven or other tools (test, bench jmh, stress); the commands that run Sluice itself live here.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
    description = "An off-heap packet-processing engine for the JVM.",
    subcommands = {DemoCommand.class, ForwardCommand.class, ServeCommand.class, PipelineCommand.class, StatCommand.class, NetstatCommand.class, PktgenCommand.class,
        BenchPipelineCommand.class, BenchForwardCommand.class, BenchReportCommand.class, BenchJmhReportCommand.class})
public final class SluiceMain implements Runnable {

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SluiceMain());
        // Failures the user can act on are one line, not a stack trace.
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("sluice " + cmd.getCommandName() + ": " + describe(e));
            return 1;
        });
        System.exit(cli.execute(args));
    }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(String.valueOf(e.getMessage() != null ? e.getMessage() : e));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !b.toString().contains(c.getMessage())) {
                b.append(": ").append(c.getMessage());
            }
        }
        return b.toString();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
