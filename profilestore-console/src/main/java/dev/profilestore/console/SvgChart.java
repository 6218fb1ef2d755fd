package dev.profilestore.console;

import java.util.List;

/** A line chart drawn on the server as inline SVG, so the metrics page needs no charting script. */
final class SvgChart {

    private SvgChart() {}

    private static final int W = 640;
    private static final int H = 140;

    /**
     * A chart of one series.
     *
     * @param title what it shows
     * @param values the values, oldest first
     * @param unit the unit after the numbers
     */
    static String line(String title, List<Double> values, String unit) {
        StringBuilder b = new StringBuilder("<figure class=\"chart\"><figcaption>").append(Html.esc(title));
        if (values.isEmpty()) {
            return b.append(": no samples yet</figcaption></figure>").toString();
        }
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double min = Math.min(0, values.stream().mapToDouble(Double::doubleValue).min().orElse(0));
        double span = max - min == 0 ? 1 : max - min;
        double last = values.getLast();
        b.append(": now ").append(fmt(last)).append(unit.isEmpty() ? "" : " " + Html.esc(unit)).append(", max ").append(fmt(max))
                .append("</figcaption><svg viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" width=\"").append(W).append("\" height=\"").append(H).append("\" role=\"img\">")
                .append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" class=\"bg\"/><polyline class=\"series\" points=\"");
        int n = values.size();
        for (int i = 0; i < n; i++) {
            double x = n == 1 ? W / 2.0 : i * (W - 10.0) / (n - 1) + 5;
            double y = H - 10 - (values.get(i) - min) / span * (H - 20);
            b.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        b.append("\"/>");
        if (n == 1) {
            // A line of one point draws nothing: show the lone sample as a dot.
            double y = H - 10 - (values.getFirst() - min) / span * (H - 20);
            b.append(String.format(java.util.Locale.ROOT, "<circle class=\"series\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>",
                    W / 2.0, y));
        }
        return b.append("</svg></figure>").toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
