package dev.profilestore.mysql;

import dev.profilestore.jdbc.SqlDialect;
import dev.profilestore.jdbc.SqlWork;
import dev.profilestore.jdbc.TableNames;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * MySQL's and MariaDB's side of {@link SqlDialect}.
 *
 * <ul>
 *   <li>Keys are {@code VARBINARY}, the UTF-8 bytes of the string: compared exactly and ordered by code point, like
 *       the other backends. No character collation does that on both servers: the default ones make {@code "Key"}
 *       and {@code "key"} the same record, and {@code utf8mb4_bin} is a PAD SPACE collation, under which
 *       {@code "bob"} and {@code "bob "} are equal (the NO PAD binary collations are named differently on MySQL
 *       and MariaDB). Schema version 1 had {@code utf8mb4_bin} columns; the migration to version 2 converts
 *       them in place (the stored bytes are the same UTF-8).</li>
 *   <li>Time is {@code TIMESTAMPDIFF(MICROSECOND, epoch, UTC_TIMESTAMP(6))}: the server's clock, independent of
 *       the session time zone and of daylight-saving gaps.</li>
 *   <li>Revisions come from a one-row counter bumped with {@code LAST_INSERT_ID(value + 1)} in auto-commit mode,
 *       so its row lock lasts one statement, not a whole write; the value is committed, so never repeats, and
 *       needs no persistent auto-increment.</li>
 *   <li>Write transactions run in {@code READ COMMITTED}, which takes no gap locks: writes to different keys do not
 *       deadlock on the index gaps between them. Deadlock victims (SQLState 40001) are retried by
 *       {@code JdbcStorage}.</li>
 *   <li>Migrations are serialized with {@code GET_LOCK}; MySQL's DDL is not transactional.</li>
 * </ul>
 */
final class MysqlDialect implements SqlDialect {

    static final MysqlDialect INSTANCE = new MysqlDialect();

    private MysqlDialect() {}

    @Override
    public String name() {
        return "MySQL";
    }

    @Override
    public String keyType(int chars) {
        return "VARBINARY(" + 4 * chars + ")"; // utf8mb4: at most four bytes a character
    }

    @Override
    public List<String> migrationSteps(int version, TableNames t) {
        if (version != 2) {
            return List.of();
        }
        String store = " MODIFY store " + keyType(100) + " NOT NULL";
        String key = " MODIFY record_key " + keyType(200) + " NOT NULL";
        return List.of(
                "ALTER TABLE " + t.records() + store + "," + key,
                "ALTER TABLE " + t.versions() + store + "," + key,
                "ALTER TABLE " + t.userIds() + store + "," + key,
                "ALTER TABLE " + t.leases() + " MODIFY server_id " + keyType(200) + " NOT NULL");
    }

    @Override
    public String textType() {
        return "TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    }

    @Override
    public String blobType() {
        return "LONGBLOB";
    }

    @Override
    public String autoIncrementPrimaryKey() {
        return "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY";
    }

    @Override
    public String tableOptions() {
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    @Override
    public String nowMicros() {
        return "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";
    }

    @Override
    public List<String> createRevisionAllocator(TableNames tables) {
        return List.of(
                "CREATE TABLE " + tables.revisions() + " (id INT NOT NULL PRIMARY KEY, value BIGINT NOT NULL)"
                        + tableOptions(),
                "INSERT INTO " + tables.revisions() + " (id, value) VALUES (1, 0)");
    }

    @Override
    public List<String> allocationStatements(TableNames tables) {
        return List.of("UPDATE " + tables.revisions() + " SET value = LAST_INSERT_ID(value + 1) WHERE id = 1",
                "SELECT LAST_INSERT_ID(), " + nowMicros());
    }

    @Override
    public Allocation allocate(Connection connection, TableNames tables) throws SQLException {
        List<String> statements = allocationStatements(tables);
        try (PreparedStatement ps = connection.prepareStatement(statements.get(0))) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the revision counter row of " + tables.revisions() + " is missing");
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(statements.get(1)); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Allocation(rs.getLong(1), rs.getLong(2));
        }
    }

    /** True: the connector takes it with {@code allowMultiQueries=true}, which {@link MysqlStorage}'s pools set. */
    @Override
    public boolean combinesStatements() {
        return true;
    }

    /**
     * The isolation of {@link #begin}, for the next transaction only, then its start: as text, so they share the
     * allocation's round trip, where {@code setAutoCommit(false)} would cost one and resetting it after the commit
     * another.
     */
    @Override
    public List<String> beginStatements() {
        return List.of("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "START TRANSACTION");
    }

    @Override
    public String upsertLease(TableNames tables) {
        return "INSERT INTO " + tables.leases() + " (server_id, expires_at) VALUES (?, " + nowMicros() + " + ?)"
                + " ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at)";
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        return e.getErrorCode() == 1062;
    }

    @Override
    public boolean isRetryable(SQLException e) {
        // 1213: deadlock; 1205: lock wait timeout (the statement, not the transaction, was rolled back, but the
        // write is rolled back whole before a retry anyway).
        return e.getErrorCode() == 1213 || e.getErrorCode() == 1205 || SqlDialect.super.isRetryable(e);
    }

    @Override
    public void begin(Connection connection) throws SQLException {
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        connection.setAutoCommit(false);
    }

    @Override
    public <T> T withMigrationLock(Connection connection, TableNames tables, SqlWork<T> work) throws SQLException {
        String lock = "profilestore_schema_" + tables.prefix();
        try (PreparedStatement ps = connection.prepareStatement("SELECT GET_LOCK(?, 60)")) {
            ps.setString(1, lock);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    throw new SQLException("could not take the schema migration lock " + lock + " within 60 s");
                }
            }
        }
        try {
            return work.run(connection);
        } finally {
            try (PreparedStatement ps = connection.prepareStatement("SELECT RELEASE_LOCK(?)")) {
                ps.setString(1, lock);
                ps.execute();
            }
        }
    }
}
