package dev.profilestore.mysql;

import dev.profilestore.jdbc.ConnectionSource;
import dev.profilestore.jdbc.DatabaseUri;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.jdbc.PollingMessaging;
import dev.profilestore.spi.Messaging;

import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.profilestore.jdbc.HikariPools;

/**
 * {@link Messaging} for MySQL and MariaDB, which have no publish/subscribe: messages are rows of
 * {@code <prefix>messages}, polled every {@link #DEFAULT_POLL_INTERVAL} by each instance (one indexed range query
 * on a pooled connection). See {@link PollingMessaging} for delivery and pruning.
 */
public final class MysqlMessaging {

    /** The poll interval used when none is given. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(15);

    private MysqlMessaging() {}

    /**
     * Opens messaging at {@code mysql://user:password@host:port/database?parameters} with the default table prefix
     * and poll interval; creates or migrates the tables if needed.
     *
     * @throws dev.profilestore.StorageException when the server cannot be reached
     */
    public static Messaging open(String uri) {
        DatabaseUri parsed = DatabaseUri.parse(uri);
        return open(parsed.toJdbcUrl("mariadb"), parsed.user(), parsed.password(), JdbcStorageOptions.defaults(),
                DEFAULT_POLL_INTERVAL);
    }

    /**
     * Opens messaging at a JDBC URL over a pool of two connections; creates or migrates the tables if needed.
     *
     * @throws dev.profilestore.StorageException when the server cannot be reached
     */
    public static Messaging open(String jdbcUrl, String user, String password, JdbcStorageOptions options,
            Duration pollInterval) {
        HikariConfig config = MysqlStorage.poolConfig(jdbcUrl, user, password, "profilestore-mysql-messaging");
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(2);
        HikariDataSource pool = HikariPools.open(config, "MySQL/MariaDB");
        try {
            MysqlStorage.open((javax.sql.DataSource) pool, options).close(); // creates or migrates the tables; leaves the pool open
            ConnectionSource source = ConnectionSource.of(pool, true);
            return new PollingMessaging(source, source, MysqlDialect.INSTANCE, options.tables(), pollInterval);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }
}
