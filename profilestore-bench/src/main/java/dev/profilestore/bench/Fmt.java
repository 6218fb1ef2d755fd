package dev.profilestore.bench;

import java.util.Locale;

/** Number formatting for the report tables. */
final class Fmt {

    private Fmt() {}

    static String ms(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        if (ms < 1) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        if (ms < 100) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    static String num(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
