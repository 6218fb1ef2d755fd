package dev.profilestore.mysql;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.RoundTripContract;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/** A write's round trips on a real MariaDB server, with and without allowMultiQueries. */
final class MysqlRoundTripsTest extends RoundTripContract {

    @Override
    protected Connection connect(boolean severalStatementsInOneText) throws SQLException {
        return DriverManager.getConnection(EmbeddedMariaDb.jdbcUrl()
                + (severalStatementsInOneText ? "?allowMultiQueries=true" : ""), "root", null);
    }

    @Override
    protected Storage open(DataSource dataSource, String tablePrefix, int versionsPerKey) {
        return MysqlStorage.open(dataSource,
                JdbcStorageOptions.defaults().withTablePrefix(tablePrefix).withVersionsPerKey(versionsPerKey));
    }

    @Override
    protected boolean inTransaction(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@in_transaction")) {
            rs.next();
            return rs.getInt(1) != 0;
        }
    }
}
