package dev.profilestore.mysql;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.ConnectionSource;
import dev.profilestore.jdbc.JdbcStorage;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.jdbc.ServerStorageFactory;

import javax.sql.DataSource;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;

/**
 * {@link dev.profilestore.spi.Storage} on MySQL (8.0+) or MariaDB (10.5+), through the shared {@link JdbcStorage}
 * and MariaDB Connector/J, which speaks to both. Payloads are {@code LONGBLOB}; the server's
 * {@code max_allowed_packet} bounds the largest profile. Times come from the server's clock. Connections come from
 * a HikariCP pool. Thread-safe.
 */
public final class MysqlStorage extends JdbcStorage {

    private static final ServerStorageFactory<MysqlStorage> FACTORY = new ServerStorageFactory<>("mariadb",
            "MySQL/MariaDB", "profilestore-mysql", "30000" /* MariaDB Connector/J: milliseconds */,
            // Lets a write send several statements in one round trip (SqlDialect.combinesStatements). Every
            // statement sent is ours, with its values bound as parameters, so no input can add a statement.
            Map.of("allowMultiQueries", "true"),
            (connections, options, pool) -> new MysqlStorage(connections, options));

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
        return FACTORY.open(uri);
    }

    /**
     * Opens storage at a JDBC URL ({@code jdbc:mariadb://host:port/database}) with a pool of up to 10 connections.
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static MysqlStorage open(String jdbcUrl, String user, String password, JdbcStorageOptions options) {
        return FACTORY.open(jdbcUrl, user, password, options);
    }

    /**
     * Opens storage on a pool built from {@code config} (the storage owns and closes the pool).
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static MysqlStorage openPooled(HikariConfig config, JdbcStorageOptions options) {
        return FACTORY.openPooled(config, options);
    }

    /**
     * Opens storage on a data source the caller owns (and closes after this storage). Its connections must be in
     * auto-commit mode when borrowed.
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static MysqlStorage open(DataSource dataSource, JdbcStorageOptions options) {
        return FACTORY.open(dataSource, options);
    }

    /** The pool settings {@link #open(String, String, String, JdbcStorageOptions)} uses, to adjust and pass back. */
    public static HikariConfig poolConfig(String jdbcUrl, String user, String password, String poolName) {
        return FACTORY.poolConfig(jdbcUrl, user, password, poolName);
    }
}
