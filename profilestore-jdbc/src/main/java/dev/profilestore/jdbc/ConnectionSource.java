package dev.profilestore.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

import javax.sql.DataSource;

/**
 * Where {@link JdbcStorage} and {@link PollingMessaging} get connections: a pool for database servers, one guarded
 * connection for SQLite. A connection is used by one thread between {@link #acquire} and {@link #release}.
 */
public interface ConnectionSource extends AutoCloseable {

    /** Borrows a connection, in auto-commit mode. */
    Connection acquire() throws SQLException;

    /** Gives a borrowed connection back. */
    void release(Connection connection);

    /** Releases what the source owns. */
    @Override
    void close();

    /**
     * A source over a {@link DataSource} (a pool): each connection is closed on release, which returns it to the
     * pool.
     *
     * @param owned whether {@link #close()} closes the data source too (when it is {@link AutoCloseable})
     */
    static ConnectionSource of(DataSource dataSource, boolean owned) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new ConnectionSource() {
            @Override
            public Connection acquire() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void release(Connection connection) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    JdbcStorage.LOG.warn("closing a pooled connection failed", e);
                }
            }

            @Override
            public void close() {
                if (owned && dataSource instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        JdbcStorage.LOG.warn("closing the data source failed", e);
                    }
                }
            }
        };
    }
}
