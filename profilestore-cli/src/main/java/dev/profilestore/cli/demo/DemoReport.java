package dev.profilestore.cli.demo;

import org.HdrHistogram.Histogram;

/**
 * The demo's final report. Serialized with snake_case names for {@code --json}; the first fields are the ones
 * the issue names, the rest add context.
 *
 * @param profiles profiles (players) in the run
 * @param handoffs hops between live servers that completed
 * @param handoffLatencyMs from a hop's start request to the session starting on the new server
 * @param writesPerProfileHour store writes (saves, releases, trades, session starts, purchase messages) per hour of
 *     loaded profile, during play
 * @param crashes servers crashed
 * @param takeovers sessions started by taking a crashed holder's lock over after its lease (including the final load)
 * @param purchasesRequested distinct receipts whose message the store acknowledged to the shop
 * @param purchasesGranted distinct receipts granted in the stored profiles
 * @param audit the audit
 * @param seed the seed of the run
 * @param store where the data lives
 * @param mode {@code threads} (servers in one JVM) or {@code processes} (one JVM each, crashes are SIGKILLs)
 * @param servers servers running at a time
 * @param durationS seconds of play
 * @param elapsedS seconds the whole run took, audit included
 * @param takeoverLatencyMs from a player's reconnect after a crash to the session starting elsewhere
 * @param trades trades committed atomically
 * @param tradesFailed trades whose commit failed (their server crashed); nothing of them was stored
 * @param tradesSkipped why players did not trade, or null
 * @param purchaseMessages purchase messages sent, resends included
 * @param purchaseResends receipts the shop sent twice on purpose
 * @param duplicatesBlocked resent receipts the handler recognised and did not grant again
 * @param coinsEarned coins earned in memory, saved or not
 * @param sessionsLostOnLiveServers sessions a live server found taken from it (expected 0)
 * @param storeErrors errors live servers reported (expected 0 on a healthy store)
 * @param storeWrites store writes during play
 */
public record DemoReport(int profiles, long handoffs, Latency handoffLatencyMs, long writesPerProfileHour, int crashes,
                         long takeovers, long purchasesRequested, long purchasesGranted, Oracle.Audit audit, long seed,
                         String store, String mode, int servers, double durationS, double elapsedS, Latency takeoverLatencyMs,
                         long trades, long tradesFailed, String tradesSkipped, long purchaseMessages,
                         long purchaseResends, long duplicatesBlocked, long coinsEarned, long sessionsLostOnLiveServers,
                         long storeErrors, long storeWrites) {

    /**
     * A latency distribution in milliseconds.
     *
     * @param p50 median
     * @param p99 99th percentile
     * @param max maximum
     * @param count how many were measured
     */
    public record Latency(double p50, double p99, double max, long count) {

        /** From a histogram of microseconds. */
        public static Latency of(Histogram micros) {
            if (micros.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0);
            }
            return new Latency(ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(99)),
                    ms(micros.getMaxValue()), micros.getTotalCount());
        }

        private static double ms(long micros) {
            return Math.round(micros / 10.0) / 100.0;
        }
    }
}
