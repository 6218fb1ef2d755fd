package dev.profilestore.sqlite;

import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.AcknowledgementScenarios;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The acknowledgement scenarios on a real SQLite file. */
final class SqliteAcknowledgementScenariosTest extends AcknowledgementScenarios {

    @TempDir
    Path dir;

    @Override
    protected Storage newStorage(ManualScheduler clock) {
        return SqliteStorage.open(dir.resolve("profiles.db"));
    }
}
