package io.sluice.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * The lab script in its serving mode ({@code forward-bench.sh --serve}): the script builds the namespaces and
 * keeps them while it reads one command a line on its standard input and answers with {@code @KIND key=value}
 * lines ({@link LabLine}); its other output, and everything it writes to standard error, is shown as it comes.
 * Closing the session sends {@code quit}; the script's trap removes the lab whichever way it ends.
 */
public final class LabSession implements Lab, AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final PrintStream echo;
    private final LabLine ready;

    private LabSession(Process process, PrintStream echo) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = process.outputWriter(StandardCharsets.UTF_8);
        this.echo = echo;
        this.ready = next("ready");
    }

    /** Starts {@code command} (the script and its arguments, {@code --serve} among them) and waits for its {@code @ready}. */
    public static LabSession start(List<String> command, PrintStream echo) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            return new LabSession(p, echo);
        } catch (IOException | RuntimeException e) {
            p.destroy();
            throw e;
        }
    }

    /** The {@code @ready} line: what the lab says about itself. */
    public LabLine ready() {
        return ready;
    }

    @Override
    public TrialResult trial(String router, String placement, int frameSize, long ratePps, int seconds, TickListener ticks)
        throws IOException {
        for (String word : List.of(router, placement)) {
            if (!word.matches("[a-z]+")) {
                throw new IllegalArgumentException("not a lab word: '" + word + "'");
            }
        }
        in.write(String.format(Locale.ROOT, "trial %s %s %d %d %d%n", router, placement, frameSize, ratePps, seconds));
        in.flush();
        while (true) {
            LabLine l = next(null);
            switch (l.kind()) {
                case "tick" -> {
                    if (ticks != null) {
                        ticks.tick(l.num("offered_pps"), l.num("delivered_pps"));
                    }
                }
                case "trial" -> {
                    TrialResult t = TrialResult.of(l);
                    String file = l.textOr("latency_file", null);
                    return file == null ? t : t.withLatency(readLatency(Path.of(file)));
                }
                default -> throw new IOException("lab: unexpected @" + l.kind() + " " + l.fields());
            }
        }
    }

    /**
     * A soak of Sluice at {@code ratePps} for {@code seconds} (see {@link SoakResult}); {@code ticks} also gets the
     * resident memory of each second.
     */
    public SoakResult soak(String placement, int frameSize, long ratePps, int seconds, double warmupSeconds, TickListener ticks)
        throws IOException {
        if (!placement.matches("[a-z]+")) {
            throw new IllegalArgumentException("not a lab word: '" + placement + "'");
        }
        in.write(String.format(Locale.ROOT, "soak %s %d %d %d%n", placement, frameSize, ratePps, seconds));
        in.flush();
        while (true) {
            LabLine l = next(null);
            switch (l.kind()) {
                case "tick" -> {
                    if (ticks != null) {
                        ticks.tick(l.num("offered_pps"), l.num("delivered_pps"));
                    }
                }
                case "soak" -> {
                    return SoakResult.of(l, warmupSeconds);
                }
                default -> throw new IOException("lab: unexpected @" + l.kind() + " " + l.fields());
            }
        }
    }

    /** The latency a sink wrote (HdrHistogram log format); null when the file holds no histogram. */
    static LatencySummary readLatency(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Histogram all = new Histogram(10_000_000_000L, 3);
        try (HistogramLogReader r = new HistogramLogReader(file.toFile())) {
            for (org.HdrHistogram.EncodableHistogram h = r.nextIntervalHistogram(); h != null; h = r.nextIntervalHistogram()) {
                all.add((Histogram) h);
            }
        }
        return LatencySummary.of(all);
    }

    /** The next machine-readable line (of {@code kind} if given); human lines are echoed; an {@code @error} throws. */
    private LabLine next(String kind) throws IOException {
        List<String> tail = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            Optional<LabLine> l = LabLine.parse(line);
            if (l.isEmpty()) {
                if (echo != null) {
                    echo.println(line);
                }
                tail.add(line);
                continue;
            }
            if (l.get().kind().equals("error")) {
                throw new IOException("lab: " + l.get().textOr("message", l.get().fields().toString()));
            }
            if (kind == null || l.get().kind().equals(kind)) {
                return l.get();
            }
        }
        int code;
        try {
            code = process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        throw new IOException("the lab script ended (exit " + code + ") before its @" + (kind == null ? "trial" : kind)
            + " line" + (tail.isEmpty() ? "" : ": " + String.join(" / ", tail.subList(Math.max(0, tail.size() - 3), tail.size()))));
    }

    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                try {
                    in.write("quit\n");
                    in.flush();
                    in.close();
                } catch (IOException e) {
                    // it ended already
                }
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroy(); // TERM: the script's trap removes the lab
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
        }
    }
}
