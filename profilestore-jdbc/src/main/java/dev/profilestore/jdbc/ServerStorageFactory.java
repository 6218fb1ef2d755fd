package dev.profilestore.jdbc;

import com.zaxxer.hikari.HikariConfig;
import dev.profilestore.StorageException;

import javax.sql.DataSource;
import java.util.Map;
import java.util.Objects;

/**
 * The four ways a database-server backend's storage is opened (a {@code scheme://} URI, a JDBC URL, a HikariCP
 * pool's settings, a caller's data source) and its pool settings, written once for PostgreSQL and MariaDB/MySQL.
 * A backend keeps its own static factories, as its public API, and delegates each to one of these.
 *
 * @param <S> the backend's storage
 */
// "exports": HikariCP types in this API are fine unexported by this module; its callers require HikariCP themselves.
@SuppressWarnings("exports")
public final class ServerStorageFactory<S extends JdbcStorage> {

    /**
     * Builds a backend's storage.
     *
     * @param <S> the backend's storage
     */
    @FunctionalInterface
    public interface Constructor<S> {
        /**
         * A storage on {@code connections}.
         *
         * @param pool the settings of the pool the storage owns, or null when it runs on a caller's data source
         */
        S create(ConnectionSource connections, JdbcStorageOptions options, HikariConfig pool);
    }

    private final String jdbcScheme;
    private final String database;
    private final String poolName;
    private final String socketTimeout;
    private final Map<String, String> driverProperties;
    private final Constructor<S> constructor;

    /**
     * @param jdbcScheme the driver's JDBC scheme, e.g. {@code postgresql} for {@code jdbc:postgresql://}
     * @param database the server kind, for messages, e.g. "PostgreSQL"
     * @param poolName the name of the pool a storage opened from a URI or JDBC URL gets (seen in the pool's logs)
     * @param socketTimeout the driver's {@code socketTimeout} property for 30 s, in the driver's own unit, so a
     *     server that stops answering fails the call (a retryable StorageException) instead of hanging it
     * @param constructor builds the storage
     */
    public ServerStorageFactory(String jdbcScheme, String database, String poolName, String socketTimeout,
                                Constructor<S> constructor) {
        this(jdbcScheme, database, poolName, socketTimeout, Map.of(), constructor);
    }

    /**
     * As {@link #ServerStorageFactory(String, String, String, String, Constructor)}, with more driver properties
     * for the pools it configures.
     *
     * @param driverProperties the driver's properties beyond the socket timeout, set on every pool configured here
     */
    public ServerStorageFactory(String jdbcScheme, String database, String poolName, String socketTimeout,
                                Map<String, String> driverProperties, Constructor<S> constructor) {
        this.jdbcScheme = Objects.requireNonNull(jdbcScheme, "jdbcScheme");
        this.database = Objects.requireNonNull(database, "database");
        this.poolName = Objects.requireNonNull(poolName, "poolName");
        this.socketTimeout = Objects.requireNonNull(socketTimeout, "socketTimeout");
        this.driverProperties = Map.copyOf(driverProperties);
        this.constructor = Objects.requireNonNull(constructor, "constructor");
    }

    /**
     * Opens storage at a {@code scheme://user:password@host:port/database?parameters} URI with default options
     * and a pool of {@link #poolConfig}'s settings.
     *
     * @throws IllegalArgumentException when the URI is malformed
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public S open(String uri) {
        DatabaseUri parsed = DatabaseUri.parse(uri);
        return open(parsed.toJdbcUrl(jdbcScheme), parsed.user(), parsed.password(), JdbcStorageOptions.defaults());
    }

    /**
     * Opens storage at a JDBC URL with a pool of {@link #poolConfig}'s settings.
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public S open(String jdbcUrl, String user, String password, JdbcStorageOptions options) {
        return openPooled(poolConfig(jdbcUrl, user, password, poolName), options);
    }

    /**
     * Opens storage on a pool built from {@code config} (the storage owns and closes the pool).
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public S openPooled(HikariConfig config, JdbcStorageOptions options) {
        return constructor.create(ConnectionSource.of(HikariPools.open(config, database), true), options, config);
    }

    /**
     * Opens storage on a data source the caller owns (and closes after the storage).
     *
     * @throws StorageException when the server cannot be reached or the schema migrated
     */
    public S open(DataSource dataSource, JdbcStorageOptions options) {
        return constructor.create(ConnectionSource.of(dataSource, false), options, null);
    }

    /** The pool settings: {@link HikariPools#config}'s defaults, the driver's socket timeout and its other properties. */
    public HikariConfig poolConfig(String jdbcUrl, String user, String password, String poolName) {
        HikariConfig config = HikariPools.config(jdbcUrl, user, password, poolName);
        config.addDataSourceProperty("socketTimeout", socketTimeout);
        driverProperties.forEach(config::addDataSourceProperty);
        return config;
    }
}
