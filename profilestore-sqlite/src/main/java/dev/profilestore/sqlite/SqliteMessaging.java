package dev.profilestore.sqlite;

import dev.profilestore.StorageException;
import dev.profilestore.jdbc.PollingMessaging;
import dev.profilestore.spi.ForwardingMessaging;
import dev.profilestore.spi.Messaging;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * {@link Messaging} between the processes sharing one SQLite file: messages are rows of a table with an
 * auto-increment id, and each instance polls it every {@link SqliteOptions#pollInterval()} with
 * {@code PRAGMA data_version}, which costs next to nothing while no other connection has written. A publish in the
 * same process wakes the pollers of every instance open on the same file at once. See {@link PollingMessaging}.
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
        // Waking its own poller again is harmless: the publish already did.
        PollingMessaging messaging = new PollingMessaging(publisher, poller, SqliteDialect.INSTANCE,
                options.storage().tables(), options.pollInterval(), () -> {
                    Set<PollingMessaging> onThisFile = OPEN.get(file);
                    if (onThisFile != null) {
                        onThisFile.forEach(PollingMessaging::wake);
                    }
                });
        OPEN.compute(file, (f, set) -> {
            Set<PollingMessaging> onThisFile = set != null ? set : new CopyOnWriteArraySet<>();
            onThisFile.add(messaging);
            return onThisFile;
        });
        return new ForwardingMessaging(messaging) {
            @Override
            public void close() {
                OPEN.computeIfPresent(file, (f, set) -> {
                    set.remove(messaging);
                    return set.isEmpty() ? null : set;
                });
                messaging.close();
            }
        };
    }

    /**
     * The messaging instances open on each database file in this process. Why a JVM-wide map: instances on one file
     * do not know each other (each game server, or each store of one, opens its own), and a message one of them
     * commits would otherwise reach the others only at their next poll, twice per handoff. Another process still
     * sees it at its next poll.
     */
    private static final Map<Path, Set<PollingMessaging>> OPEN = new ConcurrentHashMap<>();
}
