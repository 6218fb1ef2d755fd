package dev.profilestore.bench;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.redis.RedisOptions;
import dev.profilestore.redis.internal.LuaScript;
import dev.profilestore.redis.internal.RedisKeys;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The throughput baseline: the driver alone, issuing the same statements or commands, in the same order and
 * transactions, as the backend's storage issues for one session cycle (start, save, end), with a fixed payload
 * taken from a record the library wrote. No engine, no JSON, no event loop, no connection pool.
 *
 * <p>A cycle is: read the record; write it (the lock); write it (the save); write it keeping a version (the
 * release). Each write is the backend's compare-and-set on the revision.
 */
sealed interface RawDriver extends AutoCloseable {

    /** The store name raw rows are kept under. */
    String STORE = "BenchRaw";

    /** A worker for one thread. */
    Worker worker();

    @Override
    void close();

    /** One thread's connection. */
    interface Worker extends AutoCloseable {
        /** One session cycle on {@code key}, whose record must exist. */
        void cycle(String key, byte[] payload);

        @Override
        void close();
    }

    /** Direct calls on an {@link InMemoryStorage}: the floor for the engine's own cost. */
    final class Memory implements RawDriver {
        private final InMemoryStorage storage = new InMemoryStorage();

        @Override
        public Worker worker() {
            return new Worker() {
                @Override
                public void cycle(String key, byte[] payload) {
                    long rev = storage.read(STORE, key).map(StoredRecord::revision).orElse(0L);
                    rev = write(key, rev, payload, RecordWrite.Versioning.NONE);
                    rev = write(key, rev, payload, RecordWrite.Versioning.NONE);
                    write(key, rev, payload, RecordWrite.Versioning.SNAPSHOT);
                }

                private long write(String key, long expected, byte[] payload, RecordWrite.Versioning v) {
                    WriteResult r = storage.write(STORE, key, expected, new RecordWrite(payload, Set.of(), v));
                    if (r instanceof WriteResult.Written w) {
                        return w.revision();
                    }
                    throw new IllegalStateException("raw in-memory write conflicted on " + key);
                }

                @Override
                public void close() {
                    // nothing to release
                }
            };
        }

        @Override
        public void close() {
            // nothing to release
        }
    }

    /** Plain JDBC, one connection per worker (SQLite: one shared connection, as the backend has). */
    final class Jdbc implements RawDriver {
        private enum Dialect { SQLITE, POSTGRES, MARIADB }

        private static final String P = "profilestore_";
        private final Dialect dialect;
        private final String url;
        private final Connection shared;
        private final ReentrantLock sharedLock = new ReentrantLock();

        private Jdbc(Dialect dialect, String url) {
            this.dialect = dialect;
            this.url = url;
            this.shared = dialect == Dialect.SQLITE ? connect() : null;
        }

        static Jdbc sqlite(Path file) {
            return new Jdbc(Dialect.SQLITE, "jdbc:sqlite:" + file);
        }

        static Jdbc postgres(String url) {
            return new Jdbc(Dialect.POSTGRES, url);
        }

        /** As {@code MysqlStorage}'s pools, the connection takes several statements in one text. */
        static Jdbc mariadb(String url) {
            return new Jdbc(Dialect.MARIADB, url + (url.contains("?") ? "&" : "?") + "allowMultiQueries=true");
        }

        private Connection connect() {
            try {
                Connection c = DriverManager.getConnection(url);
                if (dialect == Dialect.SQLITE) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA busy_timeout = 5000");
                        s.execute("PRAGMA journal_mode = WAL");
                        s.execute("PRAGMA synchronous = NORMAL");
                    }
                }
                return c;
            } catch (SQLException e) {
                throw new IllegalStateException("raw JDBC connect to " + url + " failed: " + e.getMessage(), e);
            }
        }

        private String nowMicros() {
            return switch (dialect) {
                case SQLITE -> "CAST(unixepoch('subsec') * 1000000 AS INTEGER)";
                case POSTGRES -> "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)";
                case MARIADB -> "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";
            };
        }

        @Override
        public Worker worker() {
            Connection c = shared != null ? shared : connect();
            String byKey = " WHERE store = ? AND record_key = ?";
            String read = "SELECT revision, payload, created_at, updated_at FROM " + P + "records" + byKey;
            String update = "UPDATE " + P + "records SET revision = ?, payload = ?, updated_at = ?" + byKey
                    + " AND revision = ?";
            String copyToVersions = "INSERT INTO " + P + "versions"
                    + " (store, record_key, revision, payload, created_at, updated_at, saved_at)"
                    + " SELECT store, record_key, revision, payload, created_at, updated_at, ? FROM " + P + "records"
                    + byKey + " AND revision = ?";
            String newestBeyond = "SELECT revision FROM " + P + "versions" + byKey
                    + " ORDER BY revision DESC LIMIT 1 OFFSET ?";
            String dropVersions = "DELETE FROM " + P + "versions" + byKey + " AND revision <= ?";
            String dropVersionIds = "DELETE FROM " + P + "user_ids" + byKey + " AND revision > 0 AND revision <= ?";
            return new Worker() {
                @Override
                public void cycle(String key, byte[] payload) {
                    try {
                        long rev = locked(() -> {
                            try (PreparedStatement ps = c.prepareStatement(read)) {
                                ps.setString(1, STORE);
                                ps.setString(2, key);
                                try (ResultSet rs = ps.executeQuery()) {
                                    rs.next();
                                    rs.getBytes(2);
                                    return rs.getLong(1);
                                }
                            }
                        });
                        rev = locked(write(key, rev, payload, false));
                        rev = locked(write(key, rev, payload, false));
                        locked(write(key, rev, payload, true));
                    } catch (SQLException e) {
                        throw new IllegalStateException("raw JDBC cycle failed: " + e.getMessage(), e);
                    }
                }

                private SqlCall write(String key, long expected, byte[] payload, boolean snapshot) {
                    if (dialect != Dialect.SQLITE) {
                        return () -> writeInThreeTrips(key, expected, payload, snapshot);
                    }
                    // As JdbcStorage on SQLite: one statement at a time, the allocation inside the transaction.
                    return () -> {
                        execute(c, "BEGIN IMMEDIATE");
                        try {
                            long revision;
                            long now;
                            try (PreparedStatement ps = c.prepareStatement("UPDATE " + P + "revisions"
                                    + " SET value = value + 1 WHERE id = 1 RETURNING value, " + nowMicros());
                                    ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                revision = rs.getLong(1);
                                now = rs.getLong(2);
                            }
                            try (PreparedStatement ps = c.prepareStatement(update)) {
                                bindUpdate(ps, key, expected, revision, now, payload);
                                if (ps.executeUpdate() == 0) {
                                    throw new SQLException("raw write conflicted on " + key);
                                }
                            }
                            if (snapshot) {
                                keepVersion(key, revision, now);
                            }
                            execute(c, "COMMIT");
                            return revision;
                        } catch (SQLException | RuntimeException e) {
                            rollback(c);
                            throw e;
                        }
                    };
                }

                /**
                 * As JdbcStorage writes where statements are combined: the allocation with the transaction's start,
                 * the compare-and-set with the snapshot and the retention query, then the retention's deletes with
                 * the commit.
                 */
                private long writeInThreeTrips(String key, long expected, byte[] payload, boolean snapshot)
                        throws SQLException {
                    long revision;
                    long now;
                    try (PreparedStatement ps = c.prepareStatement(dialect == Dialect.MARIADB
                            ? "UPDATE " + P + "revisions SET value = LAST_INSERT_ID(value + 1) WHERE id = 1;"
                                    + " SELECT LAST_INSERT_ID(), " + nowMicros()
                                    + "; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION"
                            : "SELECT nextval('" + P + "revisions'), " + nowMicros() + "; BEGIN")) {
                        if (!ps.execute()) {
                            ps.getMoreResults();
                        }
                        try (ResultSet rs = ps.getResultSet()) {
                            rs.next();
                            revision = rs.getLong(1);
                            now = rs.getLong(2);
                        }
                        while (ps.getMoreResults() || ps.getUpdateCount() != -1) {
                            // the isolation and the start answer nothing to read
                        }
                    }
                    long newestDropped = -1;
                    try {
                        try (PreparedStatement ps = c.prepareStatement(snapshot
                                ? update + "; " + copyToVersions + "; " + newestBeyond : update)) {
                            bindUpdate(ps, key, expected, revision, now, payload);
                            if (snapshot) {
                                ps.setLong(7, now);
                                ps.setString(8, STORE);
                                ps.setString(9, key);
                                ps.setLong(10, revision);
                                ps.setString(11, STORE);
                                ps.setString(12, key);
                                ps.setInt(13, 50);
                            }
                            ps.execute();
                            if (ps.getUpdateCount() == 0) {
                                throw new SQLException("raw write conflicted on " + key);
                            }
                            if (snapshot) {
                                ps.getMoreResults();
                                ps.getMoreResults();
                                try (ResultSet rs = ps.getResultSet()) {
                                    if (rs.next()) {
                                        newestDropped = rs.getLong(1);
                                    }
                                }
                            }
                        }
                        try (PreparedStatement ps = c.prepareStatement(newestDropped < 0 ? "COMMIT"
                                : dropVersions + "; " + dropVersionIds + "; COMMIT")) {
                            if (newestDropped >= 0) {
                                for (int base : new int[] {0, 3}) {
                                    ps.setString(base + 1, STORE);
                                    ps.setString(base + 2, key);
                                    ps.setLong(base + 3, newestDropped);
                                }
                            }
                            ps.execute();
                        }
                        return revision;
                    } catch (SQLException | RuntimeException e) {
                        rollback(c);
                        throw e;
                    }
                }

                // As JdbcStorage keeps the version a write just made: the revision is new, so no lookup first, and
                // the record has no user ids to copy.
                private void keepVersion(String key, long revision, long now) throws SQLException {
                    try (PreparedStatement ps = c.prepareStatement(copyToVersions)) {
                        ps.setLong(1, now);
                        ps.setString(2, STORE);
                        ps.setString(3, key);
                        ps.setLong(4, revision);
                        ps.executeUpdate();
                    }
                    long newestDropped;
                    try (PreparedStatement ps = c.prepareStatement(newestBeyond)) {
                        ps.setString(1, STORE);
                        ps.setString(2, key);
                        ps.setInt(3, 50);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) {
                                return;
                            }
                            newestDropped = rs.getLong(1);
                        }
                    }
                    for (String statement : List.of(dropVersions, dropVersionIds)) {
                        try (PreparedStatement ps = c.prepareStatement(statement)) {
                            ps.setString(1, STORE);
                            ps.setString(2, key);
                            ps.setLong(3, newestDropped);
                            ps.executeUpdate();
                        }
                    }
                }

                @Override
                public void close() {
                    if (shared == null) {
                        try {
                            c.close();
                        } catch (SQLException ignored) {
                            // closing
                        }
                    }
                }
            };
        }

        @FunctionalInterface
        private interface SqlCall {
            long run() throws SQLException;
        }

        private long locked(SqlCall call) throws SQLException {
            if (shared == null) {
                return call.run();
            }
            sharedLock.lock();
            try {
                return call.run();
            } finally {
                sharedLock.unlock();
            }
        }

        /** Binds the compare-and-set's six parameters. */
        private static void bindUpdate(PreparedStatement ps, String key, long expected, long revision, long now,
                                       byte[] payload) throws SQLException {
            ps.setLong(1, revision);
            ps.setBytes(2, payload);
            ps.setLong(3, now);
            ps.setString(4, STORE);
            ps.setString(5, key);
            ps.setLong(6, expected);
        }

        private static void execute(Connection c, String statement) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute(statement);
            }
        }

        /** Rolls back a transaction started as text (every write here starts its own so). */
        private static void rollback(Connection c) {
            try {
                execute(c, "ROLLBACK");
            } catch (SQLException ignored) {
                // the original failure is reported
            }
        }

        @Override
        public void close() {
            if (shared != null) {
                try {
                    shared.close();
                } catch (SQLException ignored) {
                    // closing
                }
            }
        }
    }

    /**
     * Lettuce on one shared connection (as the backend has): {@code HMGET} for the read, and for each write the
     * backend's own write script ({@code EVALSHA}, loaded from the Redis module's resources).
     */
    final class Redis implements RawDriver {
        private final RedisClient client;
        private final StatefulRedisConnection<byte[], byte[]> connection;
        private final byte[] sha;
        /** The backend's own key layout (the Redis module exports its internals to this module only). */
        private static final RedisKeys LAYOUT = new RedisKeys(RedisOptions.DEFAULT_NAMESPACE);

        Redis(String uri) {
            client = RedisClient.create(RedisURI.create(uri));
            connection = client.connect(ByteArrayCodec.INSTANCE);
            sha = connection.sync().scriptLoad(LuaScript.load("common.lua", "write.lua").source()).getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public Worker worker() {
            RedisCommands<byte[], byte[]> redis = connection.sync();
            String shaText = new String(sha, StandardCharsets.US_ASCII);
            return new Worker() {
                @Override
                public void cycle(String key, byte[] payload) {
                    byte[][] keys = LAYOUT.profile(STORE, key);
                    var f = redis.hmget(keys[RedisKeys.RECORD], b("rev"), b("payload"), b("created"), b("updated"));
                    long rev = Long.parseLong(new String(f.get(0).getValue(), StandardCharsets.US_ASCII));
                    rev = write(keys, rev, payload, "N");
                    rev = write(keys, rev, payload, "N");
                    write(keys, rev, payload, "S");
                }

                private long write(byte[][] keys, long expected, byte[] payload, String versioning) {
                    List<Object> r = redis.evalsha(shaText, ScriptOutputType.MULTI, keys, b("check"), b("50"),
                            b(Long.toString(expected)), payload, b(versioning), b(""));
                    if ((Long) r.get(0) != 1L) {
                        throw new IllegalStateException("raw Redis write returned code " + r.get(0));
                    }
                    return Long.parseLong(new String((byte[]) r.get(2), StandardCharsets.US_ASCII));
                }

                @Override
                public void close() {
                    // the connection is shared
                }
            };
        }

        private static byte[] b(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
