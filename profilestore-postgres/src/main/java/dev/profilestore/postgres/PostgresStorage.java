package dev.profilestore.postgres;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.ConnectionSource;
import dev.profilestore.jdbc.JdbcStorage;
import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.jdbc.ServerStorageFactory;
import dev.profilestore.spi.Messaging;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;

/**
 * {@link dev.profilestore.spi.Storage} on PostgreSQL, through the shared {@link JdbcStorage}.
 *
 * <p>Payloads are stored as {@code BYTEA}, not {@code JSONB}: the SPI's payload is opaque bytes that must come
 * back exactly as written, and {@code JSONB} would reorder keys, drop duplicates and whitespace, reject non-JSON
 * values (a corrupt record must be preserved as found) and cost a parse on every save. Tools that want to query
 * inside profiles can still use {@code convert_from(payload, 'UTF8')::jsonb}.
 *
 * <p>Times come from the server's {@code clock_timestamp()}, so servers with skewed clocks agree on leases. Revisions
 * come from a sequence. Connections come from a HikariCP pool. Thread-safe.
 */
public final class PostgresStorage extends JdbcStorage {

    private static final ServerStorageFactory<PostgresStorage> FACTORY = new ServerStorageFactory<>("postgresql",
            "PostgreSQL", "profilestore-postgres", "30" /* pgjdbc: seconds */,
            (connections, options, pool) -> new PostgresStorage(connections, options, pool == null ? null
                    : () -> PostgresMessaging.open(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword(),
                            PostgresMessaging.DEFAULT_NAMESPACE)));

    /** Opens LISTEN/NOTIFY messaging on the same server; null when opened on a caller's data source. */
    private final java.util.function.Supplier<Messaging> messaging;

    private PostgresStorage(ConnectionSource connections, JdbcStorageOptions options,
                            java.util.function.Supplier<Messaging> messaging) {
        super(connections, PostgresDialect.INSTANCE, options);
        this.messaging = messaging;
    }

    /**
     * Opens LISTEN/NOTIFY messaging on the same server, with its own connection (in the default namespace),
     * for a store given this storage and no messaging. Null when this storage was opened on a data source,
     * whose connection details it does not know: give the builder {@link PostgresMessaging} then.
     */
    @Override
    public Messaging openMessaging() {
        return messaging == null ? null : messaging.get();
    }

    /**
     * Opens storage at {@code postgres://user:password@host:port/database?parameters} (also {@code postgresql://})
     * with default options and a pool of up to 10 connections.
     *
     * @throws IllegalArgumentException when the URI is malformed
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static PostgresStorage open(String uri) {
        return FACTORY.open(uri);
    }

    /**
     * Opens storage at a JDBC URL ({@code jdbc:postgresql://host:port/database}) with a pool of up to 10
     * connections.
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static PostgresStorage open(String jdbcUrl, String user, String password, JdbcStorageOptions options) {
        return FACTORY.open(jdbcUrl, user, password, options);
    }

    /**
     * Opens storage on a pool built from {@code config} (the storage owns and closes the pool).
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static PostgresStorage openPooled(HikariConfig config, JdbcStorageOptions options) {
        return FACTORY.openPooled(config, options);
    }

    /**
     * Opens storage on a data source the caller owns (and closes after this storage).
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public static PostgresStorage open(DataSource dataSource, JdbcStorageOptions options) {
        return FACTORY.open(dataSource, options);
    }

    /** The pool settings {@link #open(String, String, String, JdbcStorageOptions)} uses, to adjust and pass back. */
    public static HikariConfig poolConfig(String jdbcUrl, String user, String password, String poolName) {
        return FACTORY.poolConfig(jdbcUrl, user, password, poolName);
    }
}
