package dev.profilestore.sqlite;

import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.StorageContract;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/** The storage specification on a real SQLite file in a fresh temporary directory per test. */
final class SqliteStorageContractTest extends StorageContract {

    @TempDir
    Path dir;

    @Override
    protected Storage createStorage() {
        return SqliteStorage.open(dir.resolve("profiles.db"),
                SqliteOptions.defaults().withStorage(SqliteOptions.defaults().storage().withVersionsPerKey(versionsPerKey())));
    }

    @Override
    protected int versionsPerKey() {
        return 5;
    }
}
