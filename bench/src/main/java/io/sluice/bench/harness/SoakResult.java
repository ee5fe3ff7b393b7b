package io.sluice.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A soak: Sluice forwarding a counted run at a set rate (80 % of its NDR) for minutes, with a GC log and its
 * resident memory sampled every second. It passes when no GC ran after the warm-up, the resident memory did not
 * grow after the warm-up beyond {@link #RSS_SLACK_KB}, and the pool was full again at the end.
 *
 * @param gcPausesAfterWarmup GC pauses logged after the warm-up (the first {@code warmupSeconds} of traffic)
 * @param gcPauses            GC pauses in the whole log (start-up included)
 * @param rss                 resident memory samples: (seconds into the soak, KiB)
 */
public record SoakResult(int frameSize, String placement, TrialResult trial, double warmupSeconds, int gcPausesAfterWarmup,
                         int gcPauses, List<RssSample> rss, boolean poolFullAtEnd) {
    /** Growth of resident memory after the warm-up that still counts as none (page-cache noise, JIT's late code). */
    public static final long RSS_SLACK_KB = 8 * 1024;

    public record RssSample(double seconds, long kb) {
    }

    public SoakResult {
        rss = List.copyOf(rss);
    }

    /** Resident memory at the first sample after the warm-up (or the first sample), KiB; 0 if none. */
    public long rssAfterWarmupKb() {
        return rss.stream().filter(s -> s.seconds() >= warmupSeconds).findFirst()
            .or(() -> rss.stream().findFirst()).map(RssSample::kb).orElse(0L);
    }

    /** The highest resident memory after the warm-up, KiB. */
    public long rssMaxAfterWarmupKb() {
        return rss.stream().filter(s -> s.seconds() >= warmupSeconds).mapToLong(RssSample::kb).max().orElse(rssAfterWarmupKb());
    }

    public long rssGrowthKb() {
        return rssMaxAfterWarmupKb() - rssAfterWarmupKb();
    }

    public boolean passed() {
        return gcPausesAfterWarmup == 0 && rssGrowthKb() <= RSS_SLACK_KB && poolFullAtEnd && !rss.isEmpty();
    }

    private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+(?:\\.\\d+)?)s\\].*\\bGC\\(\\d+\\) Pause\\b");

    /**
     * The GC pauses a unified GC log ({@code -Xlog:gc}, uptime decoration) records at or after {@code fromUptime}
     * seconds of the JVM's uptime.
     */
    public static int gcPauses(String log, double fromUptime) {
        int n = 0;
        for (String line : log.split("\n")) {
            Matcher m = PAUSE.matcher(line);
            if (m.find() && Double.parseDouble(m.group(1)) >= fromUptime) {
                n++;
            }
        }
        return n;
    }

    /** Samples of "SECONDS KIB" lines. */
    public static List<RssSample> parseRss(String text) {
        List<RssSample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w.length == 2 && !w[0].isEmpty()) {
                try {
                    out.add(new RssSample(Double.parseDouble(w[0]), Long.parseLong(w[1])));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("RSS sample '" + line + "' is not 'SECONDS KIB'", e);
                }
            }
        }
        return out;
    }

    /** The soak from the lab's {@code @soak} line and the files it names. */
    public static SoakResult of(LabLine l, double warmupSeconds) throws IOException {
        TrialResult t = TrialResult.of(l);
        Path gc = Path.of(l.text("gc_log"));
        Path rss = Path.of(l.text("rss_file"));
        String log = Files.isRegularFile(gc) ? Files.readString(gc) : "";
        double trafficUptime = l.num("traffic_uptime");
        double from = (Double.isFinite(trafficUptime) ? trafficUptime : 0) + warmupSeconds;
        return new SoakResult(Integer.parseInt(l.text("size")), l.text("placement"), t, warmupSeconds, gcPauses(log, from),
            gcPauses(log, 0), Files.isRegularFile(rss) ? parseRss(Files.readString(rss)) : List.of(), "yes".equals(l.text("pool_full")));
    }
}
