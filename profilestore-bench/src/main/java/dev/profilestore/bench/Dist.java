package dev.profilestore.bench;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution in milliseconds, summarized from an HdrHistogram of nanoseconds.
 *
 * @param count samples
 * @param p50Ms median
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 * @param maxMs largest sample
 * @param meanMs mean
 */
public record Dist(long count, double p50Ms, double p90Ms, double p99Ms, double maxMs, double meanMs) {

    /** An empty distribution (nothing measured). */
    public static final Dist EMPTY = new Dist(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** A new histogram of nanoseconds, 1 µs to 10 min, 3 significant digits. */
    public static Histogram histogram() {
        return new Histogram(1_000L, 600_000_000_000L, 3);
    }

    /** Records {@code nanos}, clamped into the histogram's range. */
    public static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(h.getLowestDiscernibleValue(), Math.min(nanos, h.getHighestTrackableValue())));
    }

    /** Summarizes a histogram of nanoseconds. */
    public static Dist of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new Dist(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), h.getMean() / 1e6);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** {@code p50 / p99 ms} for tables. */
    public String brief() {
        return count == 0 ? "-" : Fmt.ms(p50Ms) + " / " + Fmt.ms(p99Ms);
    }
}
