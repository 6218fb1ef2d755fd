package dev.profilestore.sqlite;

import dev.profilestore.jdbc.JdbcStorageOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link SqliteStorage} and {@link SqliteMessaging}.
 *
 * @param storage table prefix and version retention
 * @param busyTimeout how long a statement waits for another process's lock before failing
 * @param pollInterval how often {@link SqliteMessaging} looks for new messages (a cheap pragma while nothing changed)
 */
public record SqliteOptions(JdbcStorageOptions storage, Duration busyTimeout, Duration pollInterval) {

    /** Validates the fields. */
    public SqliteOptions {
        Objects.requireNonNull(storage, "storage");
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("busyTimeout must be between 0 and 24 days, was " + busyTimeout);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
    }

    /** Default table prefix and retention, a 5 s busy timeout, a 2 ms poll interval. */
    public static SqliteOptions defaults() {
        return new SqliteOptions(JdbcStorageOptions.defaults(), Duration.ofSeconds(5), Duration.ofMillis(2));
    }

    /** These options with other storage settings. */
    public SqliteOptions withStorage(JdbcStorageOptions options) {
        return new SqliteOptions(options, busyTimeout, pollInterval);
    }

    /** These options with another busy timeout. */
    public SqliteOptions withBusyTimeout(Duration timeout) {
        return new SqliteOptions(storage, timeout, pollInterval);
    }

    /** These options with another poll interval. */
    public SqliteOptions withPollInterval(Duration interval) {
        return new SqliteOptions(storage, busyTimeout, interval);
    }
}
