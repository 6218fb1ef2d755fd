package dev.profilestore.postgres;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.RoundTripContract;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/** A write's round trips on a real PostgreSQL server (whose driver always takes several statements in one text). */
final class PostgresRoundTripsTest extends RoundTripContract {

    @Override
    protected Connection connect(boolean severalStatementsInOneText) throws SQLException {
        return severalStatementsInOneText ? DriverManager.getConnection(EmbeddedPg.jdbcUrl(), "postgres", null) : null;
    }

    @Override
    protected Storage open(DataSource dataSource, String tablePrefix, int versionsPerKey) {
        return PostgresStorage.open(dataSource,
                JdbcStorageOptions.defaults().withTablePrefix(tablePrefix).withVersionsPerKey(versionsPerKey));
    }

    @Override
    protected boolean inTransaction(Connection connection) throws SQLException {
        return connection.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE;
    }
}
