package dev.profilestore.sqlite;

import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.ServerFailureScenarios;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The server-failure scenarios on a SQLite file, each server with its own storage and messaging on it, as two
 * processes sharing the file would have. Only the fault-free burst applies; the other three are reported as
 * skipped, for these reasons:
 * <ul>
 * <li><b>Server restart</b>: SQLite has no server. The database is a library inside each process; what survives
 *     a restart of the process is covered by the crash and handoff scenarios and by
 *     {@code SqliteCrossProcessHandoffTest}.</li>
 * <li><b>Storage connection drop</b>: a SQLite connection is an open file inside this process, with no
 *     server-side end that anything but this process could cut.</li>
 * <li><b>Messaging connection drop</b>: the messaging polls a table of the same file over in-process connections;
 *     there is no subscriber connection to disrupt, so a "disconnect" of its poller is not meaningful.</li>
 * </ul>
 */
final class SqliteServerFailureTest extends ServerFailureScenarios {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("failures.db");
    }

    @Override
    protected Storage newStorage() {
        return SqliteStorage.open(file());
    }

    @Override
    protected Messaging newMessaging() {
        return SqliteMessaging.open(file());
    }

    @Override
    protected boolean canRestartServer() {
        return false;
    }

    @Override
    protected boolean canDropStorageConnections() {
        return false;
    }

    @Override
    protected boolean canDropMessagingConnections() {
        return false;
    }

    @Override
    protected void restartServer() {
        throw new UnsupportedOperationException("SQLite has no server to restart");
    }

    @Override
    protected int dropStorageConnections() {
        throw new UnsupportedOperationException("a SQLite connection has no server side to kill");
    }

    @Override
    protected int dropMessagingConnections() {
        throw new UnsupportedOperationException("SQLite messaging polls in-process connections; nothing to kill");
    }
}
