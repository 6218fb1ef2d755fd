package dev.profilestore.cli.play;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What {@code play} runs.
 *
 * @param seed seeds the bots' choices and the kill moments
 * @param servers game server JVMs
 * @param bots protocol bots, one player each
 * @param hops hops each bot makes before it stops
 * @param killRate server kills (SIGKILL, then a restart) per minute of play; 0 for none
 * @param lease how soon a killed server's profiles are taken over
 * @param earnEvery how often an online player earns a coin
 * @param giftChance the chance a bot gives a coin to another bot between two hops
 * @param maxPlay the longest the play may last before the run fails
 */
public record PlayConfig(long seed, int servers, int bots, int hops, double killRate, Duration lease, Duration earnEvery,
                         double giftChance, Duration maxPlay) {

    /** Validates the fields. */
    public PlayConfig {
        if (servers < 2 || servers > 20) {
            throw new IllegalArgumentException("--servers must be 2 to 20, was " + servers);
        }
        if (bots < 1 || bots > 500) {
            throw new IllegalArgumentException("--bots must be 1 to 500, was " + bots);
        }
        if (hops < 1) {
            throw new IllegalArgumentException("--hops must be at least 1, was " + hops);
        }
        if (killRate < 0 || Double.isNaN(killRate)) {
            throw new IllegalArgumentException("--kill-rate must be 0 or more, was " + killRate);
        }
        if (earnEvery.toMillis() < 50) {
            throw new IllegalArgumentException("--earn-every must be at least one tick (50ms), was " + earnEvery);
        }
    }

    /**
     * The moments (nanoseconds after play starts) a server is killed: evenly spread at the kill rate, each moved by
     * a seeded jitter of up to a quarter period, so a run with kills has its first one within its first period.
     */
    List<Long> killSchedule(Random random) {
        List<Long> times = new ArrayList<>();
        if (killRate == 0) {
            return times;
        }
        double period = 60e9 / killRate;
        for (int i = 0; i * period < maxPlay.toNanos(); i++) {
            times.add((long) ((i + 0.25 + 0.5 * random.nextDouble()) * period));
        }
        return times;
    }
}
