package dev.profilestore.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the demo simulates.
 *
 * @param seed makes every random choice reproducible (not the threads' timing)
 * @param servers game servers running at any time
 * @param players players (profiles)
 * @param duration how long players play before the network shuts down and is audited
 * @param crashesPerMinute server crashes per minute of play (spread at random over the middle of the run)
 * @param lease the servers' lease: a crashed server's profiles are taken over after it
 * @param autoSave the auto-save period
 * @param resendRate the share of purchases the shop sends twice (a payment provider retrying its callback)
 * @param receiptCheck whether the purchase handler checks the receipt ids kept in the profile (false only in the
 *     test that proves the audit catches duplicated grants)
 * @param tick how often each server runs a game tick
 */
public record DemoConfig(long seed, int servers, int players, Duration duration, double crashesPerMinute,
                         Duration lease, Duration autoSave, double resendRate, boolean receiptCheck, Duration tick) {

    /** Validates the fields. */
    public DemoConfig {
        if (servers < 2 || servers > 64) {
            throw new IllegalArgumentException("--servers must be between 2 and 64, was " + servers);
        }
        if (players < 1 || players > 100_000) {
            throw new IllegalArgumentException("--players must be between 1 and 100000, was " + players);
        }
        if (duration.isNegative() || duration.isZero() || duration.toHours() > 24) {
            throw new IllegalArgumentException("--duration must be positive and at most 24 h, was " + duration);
        }
        if (!(crashesPerMinute >= 0) || crashesPerMinute > 600) {
            throw new IllegalArgumentException("--crash-rate must be between 0 and 600 per minute, was " + crashesPerMinute);
        }
        if (!(resendRate >= 0 && resendRate <= 1)) {
            throw new IllegalArgumentException("resend rate must be between 0 and 1, was " + resendRate);
        }
    }

    /** The defaults of {@code profilestore demo}. */
    public static DemoConfig defaults() {
        return new DemoConfig(System.nanoTime(), 4, 50, Duration.ofSeconds(20), 6, Duration.ofSeconds(3),
                Duration.ofSeconds(5), 0.2, true, Duration.ofMillis(100));
    }

    /**
     * When servers crash, in nanoseconds after play starts, earliest first: {@link #crashesPerMinute} spread at
     * random over the middle of the run, so the crashed servers' players are taken over before it ends.
     */
    public List<Long> crashSchedule(Random random) {
        double minutes = duration.toNanos() / 60e9;
        int count = (int) Math.round(crashesPerMinute * minutes);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            times.add((long) (duration.toNanos() * (0.15 + 0.6 * random.nextDouble())));
        }
        times.sort(null);
        return times;
    }
}
