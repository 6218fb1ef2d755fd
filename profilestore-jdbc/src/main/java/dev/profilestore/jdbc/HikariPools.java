package dev.profilestore.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.profilestore.StorageException;

/**
 * The HikariCP pools of the database-server backends (PostgreSQL, MariaDB/MySQL): one set of defaults and one way
 * to report a server that cannot be reached. HikariCP is an optional dependency of this module; only the backends
 * that declare it call this class.
 */
// "exports": HikariCP types in this API are fine unexported by this module; its callers require HikariCP themselves.
@SuppressWarnings("exports")
public final class HikariPools {

    private HikariPools() {}

    /**
     * The defaults: up to 10 connections, 2 kept idle, 10 s to get one. Each backend adds its driver's socket
     * timeout, so a server that stops answering fails the call (a retryable StorageException) instead of hanging it.
     */
    public static HikariConfig config(String jdbcUrl, String user, String password, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName(poolName);
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(10_000);
        return config;
    }

    /**
     * Opens a pool, which connects at once.
     *
     * @param database the server kind, for the message, e.g. "PostgreSQL"
     * @throws StorageException when the server cannot be reached
     */
    public static HikariDataSource open(HikariConfig config, String database) {
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StorageException("cannot connect to " + database + " at " + config.getJdbcUrl() + ": "
                    + e.getMessage(), e);
        }
    }
}
