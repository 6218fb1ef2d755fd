package dev.profilestore.postgres;

import dev.profilestore.jdbc.SqlDialect;
import dev.profilestore.jdbc.SqlWork;
import dev.profilestore.jdbc.TableNames;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * PostgreSQL's side of {@link SqlDialect}: keys in {@code COLLATE "C"} (byte order, case-sensitive, whatever the
 * database's locale), payloads in {@code BYTEA}, revisions from a sequence (never rolled back, so never repeated),
 * the clock from {@code clock_timestamp()}, migrations under an advisory lock and in a transaction.
 */
final class PostgresDialect implements SqlDialect {

    static final PostgresDialect INSTANCE = new PostgresDialect();

    private PostgresDialect() {}

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public String keyType(int chars) {
        return "VARCHAR(" + chars + ") COLLATE \"C\"";
    }

    @Override
    public String textType() {
        return "TEXT";
    }

    @Override
    public String blobType() {
        return "BYTEA";
    }

    @Override
    public String autoIncrementPrimaryKey() {
        return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
    }

    @Override
    public String nowMicros() {
        return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)";
    }

    @Override
    public List<String> createRevisionAllocator(TableNames tables) {
        return List.of("CREATE SEQUENCE " + tables.revisions());
    }

    @Override
    public List<String> allocationStatements(TableNames tables) {
        return List.of("SELECT nextval('" + tables.revisions() + "'), " + nowMicros());
    }

    @Override
    public Allocation allocate(Connection connection, TableNames tables) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(allocationStatements(tables).getFirst());
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Allocation(rs.getLong(1), rs.getLong(2));
        }
    }

    /** True: the driver sends statements separated by semicolons in one round trip, each with its parameters. */
    @Override
    public boolean combinesStatements() {
        return true;
    }

    /**
     * As text, so the start shares the allocation's round trip; {@code setAutoCommit(false)} costs none either, but
     * its commit would cost one of its own where a text {@code COMMIT} goes with the statements before it.
     */
    @Override
    public List<String> beginStatements() {
        return List.of("BEGIN");
    }

    @Override
    public String upsertLease(TableNames tables) {
        return "INSERT INTO " + tables.leases() + " (server_id, expires_at) VALUES (?, " + nowMicros() + " + ?)"
                + " ON CONFLICT (server_id) DO UPDATE SET expires_at = EXCLUDED.expires_at";
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    @Override
    public <T> T withMigrationLock(Connection connection, TableNames tables, SqlWork<T> work) throws SQLException {
        long lockId = lockId(tables);
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
            ps.setLong(1, lockId);
            ps.execute();
        }
        try {
            return work.run(connection);
        } finally {
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                ps.setLong(1, lockId);
                ps.execute();
            }
        }
    }

    @Override
    public boolean transactionalDdl() {
        return true;
    }

    private static long lockId(TableNames tables) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("profilestore schema " + tables.prefix()).getBytes(StandardCharsets.UTF_8));
            long id = 0;
            for (int i = 0; i < 8; i++) {
                id = id << 8 | (digest[i] & 0xff);
            }
            return id;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
