package dev.profilestore.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on a borrowed connection.
 *
 * @param <T> the result
 */
@FunctionalInterface
public interface SqlWork<T> {

    /** Does the work; {@code connection} is only valid during the call. */
    T run(Connection connection) throws SQLException;
}
