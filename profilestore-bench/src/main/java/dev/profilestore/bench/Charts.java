package dev.profilestore.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Draws the report's PNG charts with JFreeChart. */
final class Charts {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private Charts() {}

    /** Cumulative distribution of handoff latency, one line per series, on a log time axis. */
    static Path handoff(Path dir, Map<String, Histogram> series, String subtitle) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (var e : series.entrySet()) {
            if (e.getValue().getTotalCount() == 0) {
                continue;
            }
            XYSeries s = new XYSeries(e.getKey());
            double total = e.getValue().getTotalCount();
            long seen = 0;
            for (HistogramIterationValue v : e.getValue().recordedValues()) {
                seen += v.getCountAtValueIteratedTo();
                s.add(Math.max(0.01, e.getValue().highestEquivalentValue(v.getValueIteratedTo()) / 1e6), 100.0 * seen / total);
            }
            data.addSeries(s);
        }
        LogAxis x = new LogAxis("handoff latency (ms, log scale)");
        x.setSmallestValue(0.01);
        x.setNumberFormatOverride(new java.text.DecimalFormat("0.##"));
        NumberAxis y = new NumberAxis("handoffs completed (%)");
        y.setRange(0, 100.5);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, COLORS[i % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("Handoff latency, live holder (CDF)", new Font("SansSerif", Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(subtitle));
        chart.setBackgroundPaint(Color.WHITE);
        return save(dir.resolve("handoff-latency.png"), chart);
    }

    /** Writes per simulated second over time. */
    static Path smoothness(Path dir, BenchReport.Smoothness s) {
        XYSeries series = new XYSeries("store writes per second");
        for (int i = 0; i < s.perSecond().length; i++) {
            series.add(i + 1, s.perSecond()[i]);
        }
        XYSeries mean = new XYSeries(String.format(java.util.Locale.ROOT, "steady mean %.1f/s (from %d s)",
                s.meanPerSecond(), s.fromSecond()));
        mean.add(s.fromSecond(), s.meanPerSecond());
        mean.add(s.perSecond().length, s.meanPerSecond());
        XYSeriesCollection data = new XYSeriesCollection(series);
        data.addSeries(mean);
        NumberAxis x = new NumberAxis("simulated time (s)");
        NumberAxis y = new NumberAxis("writes per second");
        y.setRange(0, Math.max(1, s.maxPerSecond() * 1.3));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, COLORS[0]);
        r.setSeriesPaint(1, COLORS[3]);
        r.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("Auto-save smoothness", new Font("SansSerif", Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(s.profiles() + " profiles, every save changed, " + s.periodSeconds()
                + " s period, manual clock; sessions loaded at 0 s (saves skip profiles younger than half a period)"));
        chart.setBackgroundPaint(Color.WHITE);
        return save(dir.resolve("autosave-smoothness.png"), chart);
    }

    private static Path save(Path file, JFreeChart chart) {
        try {
            Files.createDirectories(file.getParent());
            ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 500);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
