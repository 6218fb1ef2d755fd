package dev.profilestore.sqlite;

import dev.profilestore.jdbc.SqlDialect;
import dev.profilestore.jdbc.SqlWork;
import dev.profilestore.jdbc.TableNames;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite's side of {@link SqlDialect}. Writes run in {@code BEGIN IMMEDIATE} transactions, which take the write
 * lock up front, so two processes writing at once wait for each other (up to the busy timeout) instead of
 * deadlocking on a lock upgrade. Revisions come from a one-row counter table. The clock is the machine's, which
 * every process on one file shares.
 */
final class SqliteDialect implements SqlDialect {

    static final SqliteDialect INSTANCE = new SqliteDialect();

    private SqliteDialect() {}

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    public String keyType(int chars) {
        return "TEXT"; // BINARY collation: case-sensitive, ordered by UTF-8 bytes
    }

    @Override
    public String textType() {
        return "TEXT";
    }

    @Override
    public String blobType() {
        return "BLOB";
    }

    @Override
    public String autoIncrementPrimaryKey() {
        // AUTOINCREMENT: ids are never reused, even after old messages are deleted.
        return "INTEGER PRIMARY KEY AUTOINCREMENT";
    }

    @Override
    public String nowMicros() {
        return "CAST(unixepoch('subsec') * 1000000 AS INTEGER)";
    }

    @Override
    public List<String> createRevisionAllocator(TableNames tables) {
        return List.of(
                "CREATE TABLE " + tables.revisions() + " (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)",
                "INSERT INTO " + tables.revisions() + " (id, value) VALUES (1, 0)");
    }

    @Override
    public Allocation allocate(Connection connection, TableNames tables) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE " + tables.revisions()
                + " SET value = value + 1 WHERE id = 1 RETURNING value, " + nowMicros());
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the revision counter row of " + tables.revisions() + " is missing");
            }
            return new Allocation(rs.getLong(1), rs.getLong(2));
        }
    }

    /** Inside: writers are serialized by {@code BEGIN IMMEDIATE}, so one lock and one commit per write suffice. */
    @Override
    public boolean allocatesInTransaction() {
        return true;
    }

    @Override
    public String upsertLease(TableNames tables) {
        return "INSERT INTO " + tables.leases() + " (server_id, expires_at) VALUES (?, " + nowMicros() + " + ?)"
                + " ON CONFLICT (server_id) DO UPDATE SET expires_at = excluded.expires_at";
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode code = s.getResultCode();
            return code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE;
        }
        return false;
    }

    @Override
    public void begin(Connection connection) throws SQLException {
        SqlDialect.execute(connection, "BEGIN IMMEDIATE");
    }

    @Override
    public void commit(Connection connection) throws SQLException {
        SqlDialect.execute(connection, "COMMIT");
    }

    @Override
    public void rollback(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.rollback();
            return;
        }
        try {
            SqlDialect.execute(connection, "ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active": SQLite already rolled back (e.g. after SQLITE_FULL or a busy timeout).
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                throw e;
            }
        }
    }

    @Override
    public <T> T withMigrationLock(Connection connection, TableNames tables, SqlWork<T> work) throws SQLException {
        begin(connection);
        try {
            T result = work.run(connection);
            commit(connection);
            return result;
        } catch (SQLException | RuntimeException e) {
            rollback(connection);
            throw e;
        }
    }

    @Override
    public long dataVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA data_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
