package dev.profilestore.sqlite;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.PollingMessaging;
import dev.profilestore.spi.Messaging;

import java.nio.file.Path;

/**
 * {@link Messaging} between the processes sharing one SQLite file: messages are rows of a table with an
 * auto-increment id, and each instance polls it every {@link SqliteOptions#pollInterval()} with
 * {@code PRAGMA data_version}, which costs next to nothing while no other connection has written. A publish in the
 * same process wakes the poller at once. See {@link PollingMessaging}.
 */
public final class SqliteMessaging {

    private SqliteMessaging() {}

    /** Opens messaging on the database at {@code path} (created and migrated if needed) with default options. */
    public static Messaging open(Path path) {
        return open(path, SqliteOptions.defaults());
    }

    /**
     * Opens messaging on the database at {@code path} (created and migrated if needed).
     *
     * @throws StorageException as {@link SqliteStorage#open(Path)} does
     */
    public static Messaging open(Path path, SqliteOptions options) {
        SqliteStorage.open(path, options).close(); // creates or migrates the tables
        Path file = SqliteFiles.check(path);
        SqliteFiles.SingleConnection publisher = new SqliteFiles.SingleConnection(SqliteFiles.open(file, options));
        SqliteFiles.SingleConnection poller;
        try {
            poller = new SqliteFiles.SingleConnection(SqliteFiles.open(file, options));
        } catch (RuntimeException e) {
            publisher.close();
            throw e;
        }
        return new PollingMessaging(publisher, poller, SqliteDialect.INSTANCE, options.storage().tables(),
                options.pollInterval());
    }
}
