package dev.profilestore.jdbc;

import dev.profilestore.SaveCause;
import dev.profilestore.StorageException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.Micros;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StorageCapabilities;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.VersionWrite;
import dev.profilestore.spi.WriteResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Storage} over any SQL database with a {@link SqlDialect}: SQLite, PostgreSQL, MySQL and MariaDB share
 * this one implementation.
 *
 * <h2>Tables</h2>
 * Created and migrated by the library (see {@link Schema}), under a configurable prefix:
 * {@code records} (store, key, revision, payload, created/updated time), {@code versions} (kept with a retention
 * of {@link JdbcStorageOptions#versionsPerKey()} per key), {@code user_ids} (the user-id index of current records,
 * revision 0, and of saved versions), {@code leases} and {@code messages}, plus {@code schema_version}.
 *
 * <h2>Writes</h2>
 * A write allocates a revision from a global allocator that hands out increasing numbers in time order, then in one
 * transaction runs one conditional
 * {@code UPDATE ... WHERE store = ? AND record_key = ? AND revision = ?} (or an {@code INSERT} when the key must
 * be absent; a unique-key violation means another writer created it first) together with the rows of its
 * versions and user ids. Zero rows updated is a {@link WriteResult.Conflict}; the transaction is rolled back and
 * the current record read back for the caller.
 *
 * <h2>Round trips</h2>
 * Where the dialect and the connection take several statements in one text ({@link SqlDialect#combinesStatements}),
 * an update is three round trips whatever it keeps: the allocation with the transaction's start, the
 * compare-and-set with its user ids, snapshot and retention query, then the retention's deletes with the commit.
 * Elsewhere the same statements go one by one.
 *
 * <h2>Revisions strictly increase per key</h2>
 * An update's revision was allocated after its caller read the expected revision, so it is greater than that one
 * and, by induction, than every earlier revision of the key. A create (expected {@link #ABSENT}) has no such
 * anchor: its pre-allocated number may predate an earlier incarnation of the key that was created and removed
 * while the writer stalled. So where allocation runs outside the transaction, a create allocates again once its
 * {@code INSERT} holds the key's lock (after any earlier incarnation of the key was committed and removed) and
 * stamps that revision. Nothing is remembered about removed or purged keys.
 *
 * <h2>Versions</h2>
 * Snapshots are pruned to {@link JdbcStorageOptions#versionsPerKey()} per key; a version kept by
 * {@link RecordWrite.Versioning#PRESERVE_PREVIOUS} has {@code preserved = 1} and is never pruned.
 *
 * <h2>Clock</h2>
 * Every time stored (record and version times, lease expiry) comes from the database's clock
 * ({@link SqlDialect#nowMicros()}), as microseconds since the epoch.
 *
 * <h2>Errors and threads</h2>
 * Every {@link SQLException} becomes a {@link StorageException} naming the operation, the store and the key.
 * Thread-safe: each call borrows its own connection from the {@link ConnectionSource}.
 */
public class JdbcStorage implements Storage {

    static final Logger LOG = LoggerFactory.getLogger(JdbcStorage.class);

    private final ConnectionSource connections;
    private final SqlDialect dialect;
    private final JdbcStorageOptions options;
    private final TableNames t;
    private final Sql sql;
    /**
     * The user ids this instance last indexed per key, with the revision it wrote them with. A save whose expected
     * revision is that revision, with the same ids, needs no index rows rewritten: nobody changed the record since
     * (revisions never repeat). Saves one statement per ordinary save; only a hint, never trusted otherwise.
     */
    private final Map<RecordId, Indexed> indexed = new ConcurrentHashMap<>();
    /** Beyond this many keys the hint map is cleared rather than grown. */
    private static final int MAX_INDEXED = 100_000;
    /** Whether statements go several to a round trip ({@link SqlDialect#combinesStatements}, and the driver takes it). */
    private final boolean combined;
    /** Whether a write's transaction is started and ended by text statements ({@link SqlDialect#beginStatements}). */
    private final boolean textTransactions;

    /**
     * Opens storage on {@code connections}, creating or migrating the schema first.
     *
     * @param connections where connections come from; closed by {@link #close()}
     * @throws StorageException when the database cannot be reached or migrated
     */
    public JdbcStorage(ConnectionSource connections, SqlDialect dialect, JdbcStorageOptions options) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.options = Objects.requireNonNull(options, "options");
        this.t = options.tables();
        this.sql = new Sql(t, dialect);
        try {
            run("schema migration", null, null, c -> {
                new Schema(dialect, t).migrate(c);
                return null;
            });
            this.combined = dialect.combinesStatements() && run("statement check", null, null, JdbcStorage::takesCombined);
        } catch (StorageException e) {
            connections.close();
            throw e;
        }
        this.textTransactions = combined && !dialect.allocationStatements(t).isEmpty()
                && !dialect.beginStatements().isEmpty() && !dialect.allocatesInTransaction();
    }

    /** Whether the connection takes several statements in one text (a MariaDB pool needs allowMultiQueries=true). */
    private static boolean takesCombined(Connection c) {
        try {
            new RoundTrip().add("SELECT 1").add("SELECT 1").send(c, true);
            return true;
        } catch (SQLException e) {
            LOG.info("statements are sent one per round trip: the connection does not take several in one text ({})",
                    e.getMessage());
            return false;
        }
    }

    /** The dialect in use. */
    public SqlDialect dialect() {
        return dialect;
    }

    /** The options in use. */
    public JdbcStorageOptions options() {
        return options;
    }

    /** Runs {@code work} on a borrowed connection, turning SQL failures into a {@link StorageException}. */
    protected final <T> T run(String operation, String store, String key, SqlWork<T> work) {
        Connection c;
        try {
            c = connections.acquire();
        } catch (SQLException e) {
            throw failure(operation, store, key, "could not get a connection", e);
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(operation, store, key, null, e);
        } finally {
            connections.release(c);
        }
    }

    private StorageException failure(String operation, String store, String key, String what, SQLException e) {
        StringBuilder b = new StringBuilder(dialect.name()).append(' ').append(operation);
        if (store != null) {
            b.append(" of store \"").append(store).append('"');
        }
        if (key != null) {
            b.append(" key \"").append(key).append('"');
        }
        b.append(" failed: ").append(what != null ? what + ": " : "").append(e.getMessage());
        if (e.getSQLState() != null) {
            b.append(" (SQLState ").append(e.getSQLState()).append(", code ").append(e.getErrorCode()).append(')');
        }
        return new StorageException(b.toString(), e);
    }

    @Override
    public StorageCapabilities capabilities() {
        return StorageCapabilities.all();
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        return run("read", store, key, c -> readCurrent(c, store, key));
    }

    private Optional<StoredRecord> readCurrent(Connection c, String store, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.readRecord)) {
            ps.setString(1, store);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredRecord(rs.getLong(1), rs.getBytes(2), instant(rs.getLong(3)),
                        instant(rs.getLong(4))));
            }
        }
    }

    /** How often a write that lost a deadlock or serialization check is run again before it fails. */
    private static final int RETRIES = 3;

    /** Runs a write transaction, again (up to {@value #RETRIES} times) when the database rolled it back whole. */
    private <T> T retrying(String operation, String store, String key, SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return run(operation, store, key, work);
            } catch (StorageException e) {
                if (attempt > RETRIES || !(e.getCause() instanceof SQLException s) || !dialect.isRetryable(s)) {
                    throw e;
                }
                LOG.debug("{} of {}/{} rolled back by the database (attempt {}); retrying: {}", operation, store, key,
                        attempt, s.getMessage());
            }
        }
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        return retrying("write", store, key, c -> {
            boolean inside = dialect.allocatesInTransaction();
            SqlDialect.Allocation allocation = null;
            if (!textTransactions) {
                allocation = inside ? null : dialect.allocate(c, t);
                dialect.begin(c);
            }
            RoundTrip beforeCommit = new RoundTrip();
            try {
                if (textTransactions) {
                    allocation = allocateAndBegin(c);
                } else if (inside) {
                    allocation = dialect.allocate(c, t);
                }
                allocation = apply(c, store, key, expectedRevision, write, allocation, beforeCommit);
                if (allocation != null) {
                    commit(c, beforeCommit);
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, textTransactions);
                throw e;
            }
            if (allocation == null) {
                rollback(c, textTransactions);
                return new WriteResult.Conflict(readCurrent(c, store, key));
            }
            remember(store, key, allocation.revision(), write);
            return new WriteResult.Written(allocation.revision(), instant(allocation.nowMicros()));
        });
    }

    /**
     * Allocates a write's revision, which commits on its own, and starts the write's transaction, in one round trip
     * (see {@link SqlDialect#beginStatements}).
     */
    private SqlDialect.Allocation allocateAndBegin(Connection c) throws SQLException {
        RoundTrip trip = new RoundTrip();
        List<String> allocation = dialect.allocationStatements(t);
        allocation.forEach(trip::add);
        dialect.beginStatements().forEach(trip::add);
        long[] row = trip.send(c, true).get(allocation.size() - 1).row();
        if (row == null) {
            throw new SQLException("the revision allocation of " + t.revisions() + " answered no row");
        }
        return new SqlDialect.Allocation(row[0], row[1]);
    }

    /** Sends what is left of a write ({@code beforeCommit}) and commits, in one round trip where transactions are text. */
    private void commit(Connection c, RoundTrip beforeCommit) throws SQLException {
        if (textTransactions) {
            beforeCommit.add("COMMIT").send(c, true);
            return;
        }
        if (!beforeCommit.isEmpty()) {
            beforeCommit.send(c, combined);
        }
        dialect.commit(c);
    }

    /** Rolls back a write's transaction, started as text or by {@link SqlDialect#begin}. */
    private void rollback(Connection c, boolean text) throws SQLException {
        if (text) {
            new RoundTrip().add("ROLLBACK").send(c, false);
        } else {
            dialect.rollback(c);
        }
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        if (writes.isEmpty()) {
            return List.of();
        }
        KeyedWrite first = writes.getFirst();
        return retrying("atomic write of " + writes.size() + " records", first.store(), first.key(), c -> {
            boolean inside = dialect.allocatesInTransaction();
            List<SqlDialect.Allocation> allocations = new ArrayList<>();
            if (!inside) {
                for (int i = 0; i < writes.size(); i++) {
                    allocations.add(dialect.allocate(c, t));
                }
            }
            // Apply in (store, key) order, so two batches over the same keys lock them in the same order.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < writes.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.<Integer, String>comparing(i -> writes.get(i).store())
                    .thenComparing(i -> writes.get(i).key()));
            dialect.begin(c);
            boolean applied = true;
            RoundTrip beforeCommit = new RoundTrip();
            try {
                if (inside) {
                    for (int i = 0; i < writes.size(); i++) {
                        allocations.add(dialect.allocate(c, t));
                    }
                }
                for (int i : order) {
                    KeyedWrite w = writes.get(i);
                    SqlDialect.Allocation used = apply(c, w.store(), w.key(), w.expectedRevision(), w.write(),
                            allocations.get(i), beforeCommit);
                    if (used == null) {
                        applied = false;
                        break;
                    }
                    allocations.set(i, used);
                }
                if (applied && !beforeCommit.isEmpty()) {
                    beforeCommit.send(c, combined);
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
            List<WriteResult> results = new ArrayList<>();
            if (!applied) {
                dialect.rollback(c);
                for (KeyedWrite w : writes) {
                    results.add(new WriteResult.Conflict(readCurrent(c, w.store(), w.key())));
                }
                return results;
            }
            dialect.commit(c);
            for (int i = 0; i < writes.size(); i++) {
                SqlDialect.Allocation a = allocations.get(i);
                remember(writes.get(i).store(), writes.get(i).key(), a.revision(), writes.get(i).write());
                results.add(new WriteResult.Written(a.revision(), instant(a.nowMicros())));
            }
            return results;
        });
    }

    /**
     * Applies one write inside the caller's transaction. The statements after the insert or the compare-and-set go
     * in one round trip with it where statements are combined; retention's deletes, which depend on what that trip
     * answered, are added to {@code beforeCommit}, for the caller to send with its commit.
     *
     * @return the revision and time it was written with, or null when the expected revision did not match
     */
    private SqlDialect.Allocation apply(Connection c, String store, String key, long expected, RecordWrite write,
            SqlDialect.Allocation a, RoundTrip beforeCommit) throws SQLException {
        long revision = a.revision();
        long now = a.nowMicros();
        boolean keptVersion = false;
        boolean unchangedIds = false;
        RoundTrip trip = new RoundTrip();
        if (expected == ABSENT) {
            try (PreparedStatement ps = c.prepareStatement(sql.insertRecord)) {
                ps.setString(1, store);
                ps.setString(2, key);
                ps.setLong(3, revision);
                ps.setBytes(4, write.payload());
                ps.setLong(5, now);
                ps.setLong(6, now);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (dialect.isUniqueViolation(e)) {
                    return null;
                }
                throw e;
            }
            if (!dialect.allocatesInTransaction()) {
                // See "Revisions strictly increase per key": now that the INSERT holds the key, a new number is
                // greater than every revision of any earlier incarnation of it.
                a = dialect.allocate(c, t);
                revision = a.revision();
                now = a.nowMicros();
                trip.add(sql.stampCreatedRecord, revision, now, now, store, key);
            }
        } else {
            if (write.versioning() == RecordWrite.Versioning.PRESERVE_PREVIOUS) {
                try {
                    keptVersion = keepVersionOf(c, store, key, expected, now, true, SaveCause.REPLACED);
                } catch (SQLException e) {
                    // A concurrent PRESERVE_PREVIOUS writer expecting the same revision inserted that version
                    // first and committed, together with its update: this write lost the compare-and-set.
                    if (dialect.isUniqueViolation(e)) {
                        return null;
                    }
                    throw e;
                }
            }
            trip.addGuard(sql.updateRecord, revision, write.payload(), now, store, key, expected);
            Indexed last = indexed.get(new RecordId(store, key));
            unchangedIds = last != null && last.revision() == expected && last.userIds().equals(write.userIds());
            if (!unchangedIds) {
                trip.add(sql.deleteCurrentUserIds, store, key);
            }
        }
        if (!unchangedIds && !write.userIds().isEmpty()) {
            addUserIdRows(trip, store, key, write.userIds());
        }
        int snapshotAt = -1;
        if (write.versioning() == RecordWrite.Versioning.SNAPSHOT) {
            // The record this transaction just wrote, kept as it is: no version can have this revision yet (it was
            // allocated for this write, and revisions never repeat), so nothing is looked up first; and its user
            // ids are the write's, so with none there are none to copy. Runs server-side: the payload is sent once.
            snapshotAt = trip.size();
            trip.add(sql.copyRecordToVersions, now, 0, write.cause().name(), store, key, revision);
            if (!write.userIds().isEmpty()) {
                trip.add(sql.copyCurrentUserIdsToVersion, revision, store, key);
            }
        }
        int retentionAt = -1;
        if (keptVersion || snapshotAt >= 0) {
            retentionAt = trip.size();
            trip.add(sql.newestVersionBeyondRetention, store, key, options.versionsPerKey());
        }
        List<RoundTrip.Answer> answers = trip.send(c, combined);
        if (expected != ABSENT && answers.getFirst().updateCount() == 0) {
            return null;
        }
        keptVersion |= snapshotAt >= 0 && answers.get(snapshotAt).updateCount() > 0;
        if (keptVersion) {
            long newestDropped = answers.get(retentionAt).first(NOTHING_TO_DROP);
            if (newestDropped != NOTHING_TO_DROP) {
                // User ids first: the statement spares the ids of preserved versions by looking them up.
                beforeCommit.add(sql.dropOldVersionUserIds, store, key, newestDropped, store, key);
                beforeCommit.add(sql.dropOldVersions, store, key, newestDropped);
            }
        }
        return a;
    }

    /** What the retention query answers when a key's snapshots are within {@link JdbcStorageOptions#versionsPerKey()}. */
    private static final long NOTHING_TO_DROP = Long.MIN_VALUE;

    /** Rows per statement inserting user ids: within every database's limit on bound parameters (four a row). */
    private static final int USER_ID_ROWS_PER_STATEMENT = 200;

    private void addUserIdRows(RoundTrip trip, String store, String key, Set<Long> userIds) {
        List<Long> ids = List.copyOf(userIds);
        for (int from = 0; from < ids.size(); from += USER_ID_ROWS_PER_STATEMENT) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + USER_ID_ROWS_PER_STATEMENT));
            Object[] params = new Object[4 * chunk.size()];
            int i = 0;
            for (long userId : chunk) {
                params[i++] = store;
                params[i++] = key;
                params[i++] = 0L;
                params[i++] = userId;
            }
            trip.add(sql.insertUserIds(chunk.size()), params);
        }
    }

    /**
     * Copies the current record, if it has {@code revision}, and its user ids into the versions, unless that
     * revision is already kept (then only marks it preserved if asked). Runs server-side, so a large payload is
     * not sent twice.
     *
     * @param preserved whether the version is exempt from retention (the replaced value of PRESERVE_PREVIOUS)
     * @param cause what the version is recorded as; an existing version keeps the cause it was kept with
     */
    private boolean keepVersionOf(Connection c, String store, String key, long revision, long now, boolean preserved,
                                  SaveCause cause) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.versionExists)) {
            ps.setString(1, store);
            ps.setString(2, key);
            ps.setLong(3, revision);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (preserved) {
                        update(c, sql.markPreserved, store, key, revision);
                    }
                    return false;
                }
            }
        }
        int copied;
        try (PreparedStatement ps = c.prepareStatement(sql.copyRecordToVersions)) {
            ps.setLong(1, now);
            ps.setInt(2, preserved ? 1 : 0);
            ps.setString(3, cause.name());
            ps.setString(4, store);
            ps.setString(5, key);
            ps.setLong(6, revision);
            copied = ps.executeUpdate();
        }
        if (copied == 0) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.copyCurrentUserIdsToVersion)) {
            ps.setLong(1, revision);
            ps.setString(2, store);
            ps.setString(3, key);
            ps.executeUpdate();
        }
        return true;
    }

    private void remember(String store, String key, long revision, RecordWrite write) {
        if (indexed.size() >= MAX_INDEXED) {
            indexed.clear();
        }
        indexed.put(new RecordId(store, key), new Indexed(revision, write.userIds()));
    }

    private record RecordId(String store, String key) {}

    private record Indexed(long revision, Set<Long> userIds) {}

    private void rollbackQuietly(Connection c) {
        rollbackQuietly(c, false);
    }

    private void rollbackQuietly(Connection c, boolean text) {
        try {
            rollback(c, text);
        } catch (SQLException e) {
            LOG.warn("rollback after a failed write failed too", e);
        }
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        return retrying("remove", store, key, c -> {
            dialect.begin(c);
            try {
                if (update(c, sql.deleteRecordAt, store, key, expectedRevision) == 0) {
                    dialect.rollback(c);
                    return false;
                }
                indexed.remove(new RecordId(store, key));
                update(c, sql.deleteCurrentUserIds, store, key);
                dialect.commit(c);
                return true;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        });
    }

    @Override
    public void purge(String store, String key) {
        retrying("purge", store, key, c -> {
            dialect.begin(c);
            try {
                indexed.remove(new RecordId(store, key));
                update(c, sql.deleteRecord, store, key);
                update(c, sql.deleteAllVersions, store, key);
                update(c, sql.deleteAllUserIds, store, key);
                dialect.commit(c);
                return null;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        });
    }

    private static int update(Connection c, String statement, String store, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, store);
            ps.setString(2, key);
            return ps.executeUpdate();
        }
    }

    private static int update(Connection c, String statement, String store, String key, long revision)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, store);
            ps.setString(2, key);
            ps.setLong(3, revision);
            return ps.executeUpdate();
        }
    }

    @Override
    public List<VersionInfo> versions(String store, String key, VersionRange query) {
        return run("version listing", store, key, c -> {
            StringBuilder q = new StringBuilder("SELECT revision, saved_at, cause FROM ").append(t.versions())
                    .append(" WHERE store = ? AND record_key = ?");
            if (query.from() != null) {
                q.append(" AND saved_at >= ?");
            }
            if (query.to() != null) {
                q.append(" AND saved_at <= ?");
            }
            q.append(" ORDER BY revision ").append(query.newestFirst() ? "DESC" : "ASC").append(" LIMIT ?");
            try (PreparedStatement ps = c.prepareStatement(q.toString())) {
                int i = 1;
                ps.setString(i++, store);
                ps.setString(i++, key);
                if (query.from() != null) {
                    ps.setLong(i++, Micros.ceil(query.from()));
                }
                if (query.to() != null) {
                    ps.setLong(i++, Micros.floor(query.to()));
                }
                ps.setInt(i, query.limit());
                List<VersionInfo> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long revision = rs.getLong(1);
                        found.add(new VersionInfo(Long.toString(revision), instant(rs.getLong(2)), revision,
                                SaveCause.fromStored(rs.getString(3))));
                    }
                }
                return found;
            }
        });
    }

    @Override
    public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        long revision = parseVersionId(versionId);
        if (revision <= 0) {
            return Optional.empty();
        }
        return run("version read", store, key, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.readVersion)) {
                ps.setString(1, store);
                ps.setString(2, key);
                ps.setLong(3, revision);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new StoredRecord(revision, rs.getBytes(1), instant(rs.getLong(2)),
                            instant(rs.getLong(3))));
                }
            }
        });
    }

    @Override
    public boolean pinVersion(String store, String key, String versionId) {
        long revision = parseVersionId(versionId);
        if (revision <= 0) {
            return false;
        }
        // An update count of 0 can also mean "already preserved" where the driver counts changed rows only.
        return run("version pin", store, key, c -> update(c, sql.markPreserved, store, key, revision) > 0)
                || readVersion(store, key, versionId).isPresent();
    }

    /** A version id is the revision it kept, in decimal; anything else names no version (-1). */
    private static long parseVersionId(String versionId) {
        if (versionId == null || versionId.isEmpty() || versionId.length() > 19) {
            return -1;
        }
        for (int i = 0; i < versionId.length(); i++) {
            if (versionId.charAt(i) < '0' || versionId.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(versionId);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public VersionInfo writeVersion(String store, String key, VersionWrite version) {
        long savedAt = Micros.floor(version.source().savedAt());
        return retrying("version write", store, key, c -> {
            boolean inside = dialect.allocatesInTransaction();
            SqlDialect.Allocation a = inside ? null : dialect.allocate(c, t);
            dialect.begin(c);
            try {
                if (inside) {
                    a = dialect.allocate(c, t);
                }
                try (PreparedStatement ps = c.prepareStatement(sql.insertVersion)) {
                    ps.setString(1, store);
                    ps.setString(2, key);
                    ps.setLong(3, a.revision());
                    ps.setBytes(4, version.payload());
                    ps.setLong(5, Micros.floor(version.createdAt()));
                    ps.setLong(6, Micros.floor(version.updatedAt()));
                    ps.setLong(7, savedAt);
                    ps.setInt(8, version.pinned() ? 1 : 0);
                    ps.setString(9, version.source().cause().name());
                    ps.executeUpdate();
                }
                if (!version.userIds().isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(sql.insertUserId)) {
                        for (long userId : version.userIds()) {
                            ps.setString(1, store);
                            ps.setString(2, key);
                            ps.setLong(3, a.revision());
                            ps.setLong(4, userId);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                dialect.commit(c);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
            return new VersionInfo(Long.toString(a.revision()), instant(savedAt), a.revision(), version.source().cause());
        });
    }

    @Override
    public Set<String> pinnedVersions(String store, String key) {
        return run("pinned version listing", store, key, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.pinnedVersions)) {
                ps.setString(1, store);
                ps.setString(2, key);
                Set<String> found = new java.util.HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(Long.toString(rs.getLong(1)));
                    }
                }
                return Set.copyOf(found);
            }
        });
    }

    @Override
    public List<String> keysByUserId(String store, long userId) {
        return run("user id look-up", store, null, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.keysByUserId)) {
                ps.setString(1, store);
                ps.setLong(2, userId);
                return strings(ps);
            }
        });
    }

    @Override
    public List<String> listKeys(String store, String afterKey, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return run("key listing", store, afterKey, c -> {
            try (PreparedStatement ps = c.prepareStatement(afterKey == null ? sql.listKeys : sql.listKeysAfter)) {
                int i = 1;
                ps.setString(i++, store);
                if (afterKey != null) {
                    ps.setString(i++, afterKey);
                }
                ps.setInt(i, limit);
                return strings(ps);
            }
        });
    }

    private static List<String> strings(PreparedStatement ps) throws SQLException {
        List<String> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        }
        return found;
    }

    @Override
    public void renewLease(String serverId, Duration ttl) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative, was " + ttl);
        }
        run("lease renewal", null, "server " + serverId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.upsertLease)) {
                ps.setString(1, serverId);
                ps.setLong(2, toMicros(ttl));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean isLeaseLive(String serverId) {
        return run("lease check", null, "server " + serverId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.leaseLive)) {
                ps.setString(1, serverId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public Duration leaseRemaining(String serverId) {
        return run("lease check", null, "server " + serverId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.leaseRemaining)) {
                ps.setString(1, serverId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Duration.ofNanos(Math.max(0, rs.getLong(1)) * 1_000) : Duration.ZERO;
                }
            }
        });
    }

    @Override
    public void dropLease(String serverId) {
        run("lease drop", null, "server " + serverId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.dropLease)) {
                ps.setString(1, serverId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void close() {
        connections.close();
    }

    // ------------------------------------------------------------------ time

    static Instant instant(long micros) {
        return Micros.toInstant(micros);
    }

    private static long toMicros(Duration d) {
        long micros = d.toNanos() / 1000;
        return d.toNanos() % 1000 == 0 ? micros : micros + 1;
    }

    /** The statements, built once per table prefix and dialect. */
    private static final class Sql {
        final String readRecord;
        final String insertRecord;
        final String stampCreatedRecord;
        final String updateRecord;
        final String deleteRecord;
        final String deleteRecordAt;
        final String versionExists;
        final String markPreserved;
        final String copyRecordToVersions;
        final String copyCurrentUserIdsToVersion;
        final String newestVersionBeyondRetention;
        final String dropOldVersions;
        final String dropOldVersionUserIds;
        final String deleteAllVersions;
        final String readVersion;
        final String insertVersion;
        final String pinnedVersions;
        final String insertUserId;
        final String insertUserIdsPrefix;
        final String deleteCurrentUserIds;
        final String deleteAllUserIds;
        final String keysByUserId;
        final String listKeys;
        final String listKeysAfter;
        final String upsertLease;
        final String leaseLive;
        final String leaseRemaining;
        final String dropLease;

        Sql(TableNames t, SqlDialect d) {
            String byKey = " WHERE store = ? AND record_key = ?";
            readRecord = "SELECT revision, payload, created_at, updated_at FROM " + t.records() + byKey;
            insertRecord = "INSERT INTO " + t.records()
                    + " (store, record_key, revision, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)";
            stampCreatedRecord = "UPDATE " + t.records() + " SET revision = ?, created_at = ?, updated_at = ?" + byKey;
            updateRecord = "UPDATE " + t.records() + " SET revision = ?, payload = ?, updated_at = ?" + byKey
                    + " AND revision = ?";
            deleteRecord = "DELETE FROM " + t.records() + byKey;
            deleteRecordAt = deleteRecord + " AND revision = ?";
            versionExists = "SELECT 1 FROM " + t.versions() + byKey + " AND revision = ?";
            markPreserved = "UPDATE " + t.versions() + " SET preserved = 1" + byKey + " AND revision = ?";
            copyRecordToVersions = "INSERT INTO " + t.versions()
                    + " (store, record_key, revision, payload, created_at, updated_at, saved_at, preserved, cause)"
                    + " SELECT store, record_key, revision, payload, created_at, updated_at, ?, ?, ? FROM " + t.records()
                    + byKey + " AND revision = ?";
            copyCurrentUserIdsToVersion = "INSERT INTO " + t.userIds() + " (store, record_key, revision, user_id)"
                    + " SELECT store, record_key, ?, user_id FROM " + t.userIds() + byKey + " AND revision = 0";
            // Retention counts and drops snapshots only: preserved versions (preserved = 1) stay until a purge.
            newestVersionBeyondRetention = "SELECT revision FROM " + t.versions() + byKey
                    + " AND preserved = 0 ORDER BY revision DESC LIMIT 1 OFFSET ?";
            dropOldVersions = "DELETE FROM " + t.versions() + byKey + " AND revision <= ? AND preserved = 0";
            dropOldVersionUserIds = "DELETE FROM " + t.userIds() + byKey + " AND revision > 0 AND revision <= ?"
                    + " AND revision NOT IN (SELECT revision FROM " + t.versions() + byKey + " AND preserved = 1)";
            deleteAllVersions = "DELETE FROM " + t.versions() + byKey;
            readVersion = "SELECT payload, created_at, updated_at FROM " + t.versions() + byKey + " AND revision = ?";
            insertVersion = "INSERT INTO " + t.versions()
                    + " (store, record_key, revision, payload, created_at, updated_at, saved_at, preserved, cause)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
            pinnedVersions = "SELECT revision FROM " + t.versions() + byKey + " AND preserved = 1";
            insertUserId = "INSERT INTO " + t.userIds() + " (store, record_key, revision, user_id) VALUES (?, ?, ?, ?)";
            insertUserIdsPrefix = "INSERT INTO " + t.userIds() + " (store, record_key, revision, user_id) VALUES ";
            deleteCurrentUserIds = "DELETE FROM " + t.userIds() + byKey + " AND revision = 0";
            deleteAllUserIds = "DELETE FROM " + t.userIds() + byKey;
            keysByUserId = "SELECT DISTINCT record_key FROM " + t.userIds()
                    + " WHERE store = ? AND user_id = ? ORDER BY record_key";
            listKeys = "SELECT record_key FROM " + t.records() + " WHERE store = ? ORDER BY record_key LIMIT ?";
            listKeysAfter = "SELECT record_key FROM " + t.records()
                    + " WHERE store = ? AND record_key > ? ORDER BY record_key LIMIT ?";
            upsertLease = d.upsertLease(t);
            leaseLive = "SELECT 1 FROM " + t.leases() + " WHERE server_id = ? AND expires_at > " + d.nowMicros();
            leaseRemaining = "SELECT expires_at - " + d.nowMicros() + " FROM " + t.leases()
                    + " WHERE server_id = ? AND expires_at > " + d.nowMicros();
            dropLease = "DELETE FROM " + t.leases() + " WHERE server_id = ?";
        }

        /** One statement inserting {@code count} rows of (store, key, revision, user id). */
        String insertUserIds(int count) {
            return insertUserIdsPrefix + String.join(", ", Collections.nCopies(count, "(?, ?, ?, ?)"));
        }
    }
}
