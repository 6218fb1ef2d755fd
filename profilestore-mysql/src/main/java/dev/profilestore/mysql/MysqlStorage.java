package dev.profilestore.mysql;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.ConnectionSource;
import dev.profilestore.jdbc.HikariPools;
import dev.profilestore.jdbc.DatabaseUri;
import dev.profilestore.jdbc.JdbcStorage;
import dev.profilestore.jdbc.JdbcStorageOptions;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;

/**
 * {@link dev.profilestore.spi.Storage} on MySQL (8.0+) or MariaDB (10.5+), through the shared {@link JdbcStorage}
 * and MariaDB Connector/J, which speaks to both. Payloads are {@code LONGBLOB}; the server's
 * {@code max_allowed_packet} bounds the largest profile. Times come from the server's clock. Connections come from
 * a HikariCP pool. Thread-safe.
 */
public final class MysqlStorage extends JdbcStorage {

    private MysqlStorage(ConnectionSource connections, JdbcStorageOptions options) {
        super(connections, MysqlDialect.INSTANCE, options);
    }

    /**
     * Opens storage at {@code mysql://user:password@host:port/database?parameters} (also {@code mariadb://}) with
     * default options and a pool of up to 10 connections.
     *
     * @throws IllegalArgumentException when the URI is malformed
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static MysqlStorage open(String uri) {
        DatabaseUri parsed = DatabaseUri.parse(uri);
        return open(parsed.toJdbcUrl("mariadb"), parsed.user(), parsed.password(), JdbcStorageOptions.defaults());
    }

    /**
     * Opens storage at a JDBC URL ({@code jdbc:mariadb://host:port/database}) with a pool of up to 10 connections.
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static MysqlStorage open(String jdbcUrl, String user, String password, JdbcStorageOptions options) {
        return openPooled(poolConfig(jdbcUrl, user, password, "profilestore-mysql"), options);
    }

    /**
     * Opens storage on a pool built from {@code config} (the storage owns and closes the pool).
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static MysqlStorage openPooled(HikariConfig config, JdbcStorageOptions options) {
        return new MysqlStorage(ConnectionSource.of(HikariPools.open(config, "MySQL/MariaDB"), true), options);
    }

    /**
     * Opens storage on a data source the caller owns (and closes after this storage). Its connections must be in
     * auto-commit mode when borrowed.
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static MysqlStorage open(DataSource dataSource, JdbcStorageOptions options) {
        return new MysqlStorage(ConnectionSource.of(dataSource, false), options);
    }

    /** The pool settings {@link #open(String, String, String, JdbcStorageOptions)} uses, to adjust and pass back. */
    public static HikariConfig poolConfig(String jdbcUrl, String user, String password, String poolName) {
        HikariConfig config = HikariPools.config(jdbcUrl, user, password, poolName);
        config.addDataSourceProperty("socketTimeout", "30000"); // MariaDB Connector/J: milliseconds
        return config;
    }
}
