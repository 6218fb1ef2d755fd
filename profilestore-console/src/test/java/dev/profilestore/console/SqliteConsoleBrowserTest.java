package dev.profilestore.console;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.sqlite.SqliteOptions;
import dev.profilestore.sqlite.SqliteStorage;

import java.nio.file.Path;

/** The console in a browser over a real SQLite file; it also takes the screenshots for docs/console. */
class SqliteConsoleBrowserTest extends ConsoleBrowserScenarios {

    @Override
    Storage openStorage(Path dir) {
        return SqliteStorage.open(dir.resolve("console.db"),
                SqliteOptions.defaults().withStorage(JdbcStorageOptions.defaults().withVersionsPerKey(RETENTION)));
    }

    @Override
    Messaging openMessaging(Storage storage) {
        return storage.openMessaging();
    }

    @Override
    boolean screenshots() {
        return true;
    }
}
