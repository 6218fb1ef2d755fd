package dev.profilestore.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart written as SVG text: log-scale x axis, linear or log-scale y axis, one polyline with markers
 * per series, a legend. JFreeChart writes SVG only with JFreeSVG beside it; this avoids a dependency for a chart
 * that needs a few dozen elements.
 */
final class SvgChart {

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 330;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    /**
     * One line: points in x order; {@code dashed} for a second statistic of the same data (p99 beside p50), drawn in
     * the colour of the series before it.
     */
    record Series(String name, List<double[]> points, boolean dashed) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();

    SvgChart(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    SvgChart add(Series s) {
        if (!s.points().isEmpty()) {
            series.add(s);
        }
        return this;
    }

    String render() {
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xMin = Math.min(xMin, p[0]);
                xMax = Math.max(xMax, p[0]);
                yMin = Math.min(yMin, p[1]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        if (series.isEmpty()) {
            xMin = 1;
            xMax = 10;
            yMin = 0;
            yMax = 1;
        }
        Axis x = Axis.log(xMin, xMax);
        Axis y = logY ? Axis.log(Math.max(yMin, 1e-3), Math.max(yMax, 1e-3)) : Axis.linear(0, yMax);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, WIDTH / 2.0, 24, "middle", "font-size=\"15\" font-weight=\"bold\"", title);
        for (double t : x.ticks()) {
            double px = LEFT + x.fraction(t) * plotW;
            line(svg, px, TOP, px, TOP + plotH, "#ddd");
            text(svg, px, TOP + plotH + 16, "middle", "", Axis.label(t));
        }
        for (double t : y.ticks()) {
            double py = TOP + plotH - y.fraction(t) * plotH;
            line(svg, LEFT, py, LEFT + plotW, py, "#ddd");
            text(svg, LEFT - 6, py + 4, "end", "", Axis.label(t));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#444\"/>%n", LEFT, TOP, plotW, plotH));
        text(svg, LEFT + plotW / 2.0, HEIGHT - 18, "middle", "", xLabel);
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", TOP + plotH / 2.0, TOP + plotH / 2.0, escape(yLabel)));
        int colorIndex = -1;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            if (!s.dashed() || colorIndex < 0) {
                colorIndex++;
            }
            String color = COLORS[colorIndex % COLORS.length];
            String dash = s.dashed() ? " stroke-dasharray=\"6 4\"" : "";
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                double px = LEFT + x.fraction(p[0]) * plotW;
                double py = TOP + plotH - y.fraction(p[1]) * plotH;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                        px, py, color));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                    + "stroke-width=\"2\"%s/>%n", pts.toString().trim(), color, dash));
            double ly = TOP + 10 + i * 20;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"%s/>%n", WIDTH - RIGHT + 15, ly, WIDTH - RIGHT + 40, ly, color, dash));
            text(svg, WIDTH - RIGHT + 46, ly + 4, "start", "", s.name());
        }
        return svg.append("</svg>\n").toString();
    }

    private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String color) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, color));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String attributes, String s) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n",
                x, y, anchor, attributes, escape(s)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Maps values to [0, 1] along an axis and picks its ticks. */
    private record Axis(double min, double max, boolean log) {

        static Axis log(double min, double max) {
            double lo = Math.pow(10, Math.floor(Math.log10(min)));
            double hi = Math.pow(10, Math.ceil(Math.log10(max)));
            return new Axis(lo, hi > lo ? hi : lo * 10, true);
        }

        static Axis linear(double min, double max) {
            double step = niceStep(Math.max(max - min, 1e-9) / 5);
            return new Axis(min, Math.max(step, Math.ceil(max / step) * step), false);
        }

        double fraction(double v) {
            return log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
                    : (v - min) / (max - min);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            if (log) {
                for (double t = min; t <= max * 1.0001; t *= 10) {
                    ticks.add(t);
                }
            } else {
                double step = niceStep((max - min) / 5);
                for (double t = min; t <= max + step / 1000; t += step) {
                    ticks.add(t);
                }
            }
            return ticks;
        }

        private static double niceStep(double raw) {
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double r = raw / magnitude;
            return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * magnitude;
        }

        static String label(double v) {
            if (v >= 1 && v == Math.rint(v)) {
                return String.format(Locale.ROOT, "%,d", (long) v);
            }
            return String.format(Locale.ROOT, "%.3g", v).replaceAll("\\.?0+$", "");
        }
    }
}
