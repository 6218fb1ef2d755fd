package dev.profilestore.sqlite;

import dev.profilestore.StorageException;
import dev.profilestore.StoreConnection;
import dev.profilestore.StoreUri;
import dev.profilestore.jdbc.TableNames;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.StoreProvider;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;

/**
 * Opens {@code sqlite:PATH} URIs for {@link StoreConnection#open(String)}: the file's storage and the messaging
 * over the same file. Found by {@link java.util.ServiceLoader}.
 */
public final class SqliteStoreProvider implements StoreProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public SqliteStoreProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("sqlite");
    }

    @Override
    public StoreConnection open(StoreUri uri, StoreConnection.Options options) {
        if (!(uri instanceof StoreUri.Sqlite sqlite)) {
            throw new IllegalArgumentException("not a sqlite: URI: " + uri.redacted());
        }
        Path abs = sqlite.file().toAbsolutePath().normalize();
        if (!options.create() && !Files.exists(abs)) {
            throw new StorageException("SQLite database " + abs + " does not exist (nothing was created)");
        }
        if (!options.create() && Files.isRegularFile(abs) && !Files.isWritable(abs.getParent())) {
            // SQLite in WAL mode writes -wal and -shm files beside the database, even to read it.
            throw new StorageException("cannot open SQLite database " + abs + ": its directory " + abs.getParent()
                    + " is read-only (SQLite needs to create the -wal and -shm files there)");
        }
        if (!options.create() && Files.isRegularFile(abs)) {
            requireProfileStoreTables(abs, options.lockTimeout());
        }
        SqliteStorage storage = SqliteStorage.open(abs, SqliteOptions.defaults().withBusyTimeout(options.lockTimeout()));
        Messaging messaging;
        try {
            messaging = storage.openMessaging();
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
        return new StoreConnection(storage, messaging, "sqlite:" + abs);
    }

    /**
     * Refuses, before the storage would create its tables, an existing file that is not a ProfileStore database:
     * inspection tools must not add tables to another program's database. Reads through a read-only connection.
     */
    private static void requireProfileStoreTables(Path file, Duration lockTimeout) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, lockTimeout.toMillis()));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '"
                     + TableNames.DEFAULT_PREFIX + "records'")) {
            if (!rs.next() || rs.getInt(1) == 0) {
                throw new StorageException("SQLite database " + file + " holds no ProfileStore tables (another"
                        + " program's database, or an empty file); nothing was changed");
            }
        } catch (SQLException e) {
            String why = switch (e.getErrorCode() & 0xff) {
                case 5, 6 -> "it is locked by another program (waited " + lockTimeout.toMillis() + " ms)";
                case 26 -> "it is not a SQLite database";
                case 11 -> "the database file is corrupt";
                default -> e.getMessage();
            };
            throw new StorageException("cannot open SQLite database " + file + ": " + why + "; nothing was changed", e);
        }
    }
}
