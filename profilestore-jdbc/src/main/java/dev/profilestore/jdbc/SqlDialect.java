package dev.profilestore.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What differs between the SQL databases {@link JdbcStorage} runs on, as typed hooks: column types, the clock
 * expression, how revisions are allocated, how a lease is upserted, how unique violations are recognised and how
 * schema migrations are serialized. Everything else (the statements of every operation) is shared.
 *
 * <p>Times are stored as {@code BIGINT} microseconds since the epoch, computed by the database's own clock
 * ({@link #nowMicros()}), so servers whose wall clocks disagree agree on leases and version times.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface SqlDialect {

    /** The database's name, for logs and error messages. */
    String name();

    /**
     * Column type of a string of at most {@code chars} characters, usable in keys, compared exactly: case-,
     * accent- and trailing-space-sensitive ({@code "bob"} and {@code "bob "} are different keys), ordered by code
     * point (UTF-8 byte order).
     */
    String keyType(int chars);

    /**
     * Statements of this dialect's own that run at the start of the shared migration to schema {@code version}
     * (for example to change a column type that only this database got wrong); none by default. They must be
     * harmless on a schema that already has the change, since version 1 is created with today's column types.
     */
    default List<String> migrationSteps(int version, TableNames tables) {
        return List.of();
    }

    /** Column type of free text that is never indexed. */
    String textType();

    /** Column type of an arbitrary byte string up to at least 64 MiB. */
    String blobType();

    /** Column definition of an auto-incrementing {@code BIGINT} primary key, including {@code PRIMARY KEY}. */
    String autoIncrementPrimaryKey();

    /** Appended to every {@code CREATE TABLE} (engine, character set); empty by default. */
    default String tableOptions() {
        return "";
    }

    /** An SQL expression for the database's current time in microseconds since the epoch, as a {@code BIGINT}. */
    String nowMicros();

    /** Statements that create the global revision allocator (a sequence or a counter table). */
    List<String> createRevisionAllocator(TableNames tables);

    /**
     * Allocates a revision greater than every one returned before for this schema (in time order: a later call
     * returns a greater number, also across connections, so no per-session caching of blocks), and reads the
     * database clock. Called with
     * auto-commit on, before the write's transaction begins, so a counter row is never locked for a whole write;
     * or inside it when {@link #allocatesInTransaction()} says so.
     */
    Allocation allocate(Connection connection, TableNames tables) throws SQLException;

    /**
     * Whether {@link #allocate} runs inside the write's transaction: right for a database whose writers are
     * serialized anyway (SQLite), where a separate transaction would only cost a second lock and commit.
     */
    default boolean allocatesInTransaction() {
        return false;
    }

    /**
     * The statements of {@link #allocate}, for sending in one round trip with others (see {@link #beginStatements}):
     * run in auto-commit mode, the last answers the revision and the time in microseconds. Empty (the default) when
     * {@link #allocate} must be called instead.
     */
    default List<String> allocationStatements(TableNames tables) {
        return List.of();
    }

    /**
     * Whether the database may be sent several statements as one text, separated by semicolons, when the connection
     * takes it: {@link JdbcStorage} tries once when it opens and otherwise sends them one by one. A write's statements
     * then cost three round trips instead of up to ten.
     */
    default boolean combinesStatements() {
        return false;
    }

    /**
     * Statements that start a write transaction when sent as text in auto-commit mode, so the start shares a round
     * trip with the {@link #allocationStatements} before it and a text {@code COMMIT} shares one with the statements
     * before it; empty (the default) to use {@link #begin}, {@link #commit} and {@link #rollback}. Only used where
     * statements are combined and {@link #allocationStatements} are given.
     */
    default List<String> beginStatements() {
        return List.of();
    }

    /** An upsert of {@code (server_id, expires_at)} taking two parameters: the server id and the ttl in microseconds. */
    String upsertLease(TableNames tables);

    /** Whether {@code e} is a unique-key violation (a concurrent create of the same key). */
    boolean isUniqueViolation(SQLException e);

    /**
     * Whether a failed write transaction may simply be run again: a deadlock victim or a serialization failure,
     * which the database rolled back whole. The default accepts SQLState class 40 (transaction rollback).
     */
    default boolean isRetryable(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("40");
    }

    /** Starts a read-write transaction. */
    default void begin(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
    }

    /** Commits the transaction started by {@link #begin}. */
    default void commit(Connection connection) throws SQLException {
        connection.commit();
        connection.setAutoCommit(true);
    }

    /** Rolls back the transaction started by {@link #begin}. */
    default void rollback(Connection connection) throws SQLException {
        connection.rollback();
        connection.setAutoCommit(true);
    }

    /**
     * Runs {@code work} (schema migration) while holding a lock that other processes migrating the same schema
     * also take, so two servers starting at once do not both migrate. The default takes none.
     */
    default <T> T withMigrationLock(Connection connection, TableNames tables, SqlWork<T> work) throws SQLException {
        return work.run(connection);
    }

    /** Whether DDL can run inside a transaction (so a failed migration leaves nothing half-done). */
    default boolean transactionalDdl() {
        return false;
    }

    /**
     * A number that changes whenever another connection may have changed the database, read cheaply, or
     * {@code -1} when the database offers none; {@link PollingMessaging} skips its query while it stays the same.
     */
    default long dataVersion(Connection connection) throws SQLException {
        return -1;
    }

    /** Runs one statement without parameters. */
    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * A freshly allocated revision and the database's time when it was allocated.
     *
     * @param revision positive, never allocated before
     * @param nowMicros the database clock, microseconds since the epoch
     */
    record Allocation(long revision, long nowMicros) {}
}
