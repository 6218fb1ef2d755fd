package dev.profilestore.sqlite;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.JdbcStorage;
import dev.profilestore.spi.Messaging;

import java.nio.file.Path;

/**
 * The embedded default {@link dev.profilestore.spi.Storage}: every table in one SQLite file.
 *
 * <p>The file is opened in WAL mode with a busy timeout, so several JVM processes on one machine can share it:
 * readers never wait for the writer, and writers take the write lock up front ({@code BEGIN IMMEDIATE}) and queue
 * for at most {@link SqliteOptions#busyTimeout()}. Leases use SQLite's clock, the machine's, which every process
 * on the file shares. Not for network file systems, whose locks SQLite cannot trust.
 *
 * <p>Within one process the storage uses a single connection, one thread at a time. Thread-safe.
 *
 * {@snippet :
 * SqliteStorage storage = SqliteStorage.open(Path.of("profiles.db"));
 * Messaging messaging = storage.openMessaging();
 * }
 */
public final class SqliteStorage extends JdbcStorage {

    private final Path file;
    private final SqliteOptions options;

    private SqliteStorage(Path file, SqliteOptions options) {
        super(new SqliteFiles.SingleConnection(SqliteFiles.open(file, options)), SqliteDialect.INSTANCE,
                options.storage());
        this.file = file;
        this.options = options;
    }

    /**
     * Opens (creating if missing) the database at {@code path} with {@link SqliteOptions#defaults()}.
     *
     * @throws StorageException naming the problem when the path is a directory, in a missing or read-only
     *     directory, not a SQLite file (left unmodified), locked by another program past the busy timeout, or
     *     holds a schema newer than this library
     */
    public static SqliteStorage open(Path path) {
        return open(path, SqliteOptions.defaults());
    }

    /** Opens (creating if missing) the database at {@code path}; see {@link #open(Path)}. */
    public static SqliteStorage open(Path path, SqliteOptions options) {
        return new SqliteStorage(SqliteFiles.check(path), options);
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /**
     * Opens messaging over the same file (its own two connections), for handoff notifications between the
     * processes sharing it. Close it separately, before or after this storage.
     */
    @Override
    public Messaging openMessaging() {
        return SqliteMessaging.open(file, options);
    }
}
