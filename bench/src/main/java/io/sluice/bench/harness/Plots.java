package io.sluice.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plots of a run, as SVG (XChart, headless): the delivered packet rate by frame size, a bar per forwarder and
 * placement; and per frame size the latency distribution of each forwarder, HdrHistogram-style: the x axis counts
 * the nines of the percentile ({@code -log10(1 - p)}: 1 is p90, 3 is p99.9), so the tail gets most of the width.
 */
public final class Plots {
    public static final String RATE = "forward-rate.svg";

    private Plots() {
    }

    public static String latencyFile(int frameSize) {
        return "forward-latency-" + frameSize + ".svg";
    }

    /** Writes the plots into {@code dir}; returns the files written (no latency plot when no run measured latency). */
    public static List<Path> write(BenchResults r, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        List<BenchResults.Summary> summaries = r.summaries();
        if (summaries.isEmpty()) {
            return out;
        }
        out.add(save(rateChart(r, summaries), dir.resolve(RATE)));
        for (int size : r.method().sizes()) {
            XYChart c = latencyChart(summaries, size);
            if (c != null) {
                out.add(save(c, dir.resolve(latencyFile(size))));
            }
        }
        return out;
    }

    static String label(String router, String placement) {
        return router + ", receive work on the " + placement + " core";
    }

    public static CategoryChart rateChart(BenchResults r, List<BenchResults.Summary> summaries) {
        CategoryChart c = new CategoryChartBuilder().width(800).height(450)
            .title("Delivered packet rate by frame size (median of " + r.method().runs() + " run(s))")
            .xAxisTitle("frame size (bytes, with FCS)").yAxisTitle("delivered (Mpps)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisDecimalPattern("0.00");
        Map<String, double[]> series = new LinkedHashMap<>();
        List<Integer> sizes = r.method().sizes();
        for (BenchResults.Summary s : summaries) {
            int i = sizes.indexOf(s.frameSize());
            if (i < 0) {
                continue;
            }
            double[] ys = series.computeIfAbsent(label(s.router(), s.placement()), k -> new double[sizes.size()]);
            ys[i] = Double.isFinite(s.deliveredPps()) ? s.deliveredPps() / 1e6 : 0;
        }
        List<String> xs = sizes.stream().map(String::valueOf).toList();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (double y : e.getValue()) {
                ys.add(y);
            }
            c.addSeries(e.getKey(), xs, ys);
        }
        return c;
    }

    /** The latency chart of one frame size, or null when no forwarder measured latency at that size. */
    public static XYChart latencyChart(List<BenchResults.Summary> summaries, int size) {
        List<BenchResults.Summary> withLatency = summaries.stream()
            .filter(s -> s.frameSize() == size && s.latency() != null && !s.latency().curve().isEmpty()).toList();
        if (withLatency.isEmpty()) {
            return null;
        }
        XYChart c = new XYChartBuilder().width(800).height(450)
            .title("Latency distribution, " + size + "-byte frames (generator to sink, same host clock)")
            .xAxisTitle("percentile").yAxisTitle("latency (µs)").build();
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("#,##0.#");
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setxAxisTickLabelsFormattingFunction(Plots::percentileLabel);
        for (BenchResults.Summary s : withLatency) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (LatencySummary.Point p : s.latency().curve()) {
                if (p.percentile() < 100 && p.nanos() > 0) { // 100 % is at infinity on this axis
                    xs.add(nines(p.percentile()));
                    ys.add(p.nanos() / 1e3);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries series = c.addSeries(label(s.router(), s.placement()), xs, ys);
                series.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return c;
    }

    /** The position of percentile {@code p} (0..100) on the x axis: its nines, {@code -log10(1 - p / 100)}. */
    static double nines(double p) {
        return p == 0 ? 0 : -Math.log10(1 - p / 100);
    }

    /** A whole number of nines named by its percentile (0 -> "p0", 1 -> "p90", 3 -> "p99.9"); other ticks unnamed. */
    static String percentileLabel(double x) {
        if (Math.abs(x - Math.rint(x)) > 1e-6 || x < 0) {
            return "";
        }
        double p = 100 * (1 - Math.pow(10, -Math.rint(x)));
        return "p" + String.format(Locale.ROOT, "%.6f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        // XChart appends the extension itself.
        String name = file.getFileName().toString();
        Path base = file.resolveSibling(name.endsWith(".svg") ? name.substring(0, name.length() - 4) : name);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return file;
    }
}
