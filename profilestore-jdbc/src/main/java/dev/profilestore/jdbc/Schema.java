package dev.profilestore.jdbc;

import dev.profilestore.StorageException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates and migrates the library's tables. The applied version is kept in {@code <prefix>schema_version}; each
 * migration runs once, under the dialect's migration lock, in order. A database whose schema is newer than this
 * library knows is refused rather than touched.
 */
final class Schema {

    private final SqlDialect dialect;
    private final TableNames t;

    Schema(SqlDialect dialect, TableNames tables) {
        this.dialect = dialect;
        this.t = tables;
    }

    /** Migration {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private List<List<String>> migrations() {
        String key100 = dialect.keyType(100);
        String key200 = dialect.keyType(200);
        String blob = dialect.blobType();
        String opts = dialect.tableOptions();
        List<String> v1 = new ArrayList<>();
        v1.add("CREATE TABLE " + t.records() + " (store " + key100 + " NOT NULL, record_key " + key200 + " NOT NULL,"
                + " revision BIGINT NOT NULL, payload " + blob + " NOT NULL, created_at BIGINT NOT NULL,"
                + " updated_at BIGINT NOT NULL, PRIMARY KEY (store, record_key))" + opts);
        v1.add("CREATE TABLE " + t.versions() + " (store " + key100 + " NOT NULL, record_key " + key200 + " NOT NULL,"
                + " revision BIGINT NOT NULL, payload " + blob + " NOT NULL, created_at BIGINT NOT NULL,"
                + " updated_at BIGINT NOT NULL, saved_at BIGINT NOT NULL, PRIMARY KEY (store, record_key, revision))"
                + opts);
        v1.add("CREATE TABLE " + t.userIds() + " (store " + key100 + " NOT NULL, record_key " + key200 + " NOT NULL,"
                + " revision BIGINT NOT NULL, user_id BIGINT NOT NULL,"
                + " PRIMARY KEY (store, user_id, record_key, revision))" + opts);
        v1.add("CREATE INDEX " + t.userIds() + "_by_key ON " + t.userIds() + " (store, record_key, revision)");
        v1.add("CREATE TABLE " + t.leases() + " (server_id " + key200 + " NOT NULL PRIMARY KEY,"
                + " expires_at BIGINT NOT NULL)" + opts);
        v1.add("CREATE TABLE " + t.messages() + " (id " + dialect.autoIncrementPrimaryKey() + ", channel "
                + dialect.textType() + " NOT NULL, payload " + blob + " NOT NULL, created_at BIGINT NOT NULL)" + opts);
        v1.add("CREATE INDEX " + t.messages() + "_by_time ON " + t.messages() + " (created_at)");
        v1.addAll(dialect.createRevisionAllocator(t));
        // Version 2: the dialect's own step first (MySQL: keys compared byte for byte), then the flag that exempts
        // a version kept by PRESERVE_PREVIOUS from retention. Last, because it is the one step that cannot run
        // twice on a database without transactional DDL.
        List<String> v2 = new ArrayList<>(dialect.migrationSteps(2, t));
        v2.add("ALTER TABLE " + t.versions() + " ADD COLUMN preserved SMALLINT NOT NULL DEFAULT 0");
        // Version 3: why each version was kept (null: kept before causes were recorded).
        List<String> v3 = List.of("ALTER TABLE " + t.versions() + " ADD COLUMN cause VARCHAR(16)");
        return List.of(v1, v2, v3);
    }

    /** Brings the schema up to date. */
    void migrate(Connection c) throws SQLException {
        List<List<String>> migrations = migrations();
        dialect.withMigrationLock(c, t, conn -> {
            SqlDialect.execute(conn, "CREATE TABLE IF NOT EXISTS " + t.schemaVersion() + " (version INTEGER NOT NULL)"
                    + dialect.tableOptions());
            int current = currentVersion(conn);
            if (current > migrations.size()) {
                throw new StorageException("the " + dialect.name() + " schema under prefix \"" + t.prefix()
                        + "\" is at version " + current + ", newer than this library's " + migrations.size()
                        + "; upgrade the library (the tables were not touched)");
            }
            for (int v = current; v < migrations.size(); v++) {
                boolean tx = dialect.transactionalDdl();
                if (tx) {
                    dialect.begin(conn);
                }
                try {
                    for (String ddl : migrations.get(v)) {
                        SqlDialect.execute(conn, ddl);
                    }
                    SqlDialect.execute(conn, v == 0 ? "INSERT INTO " + t.schemaVersion() + " (version) VALUES (1)"
                            : "UPDATE " + t.schemaVersion() + " SET version = " + (v + 1));
                    if (tx) {
                        dialect.commit(conn);
                    }
                } catch (SQLException | RuntimeException e) {
                    if (tx) {
                        dialect.rollback(conn);
                    }
                    throw e;
                }
                JdbcStorage.LOG.info("{} schema under prefix \"{}\" migrated to version {}", dialect.name(),
                        t.prefix(), v + 1);
            }
            return null;
        });
    }

    private int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT MAX(version) FROM " + t.schemaVersion())) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
