package dev.profilestore.sqlite;

import dev.profilestore.spi.Messaging;
import dev.profilestore.testkit.MessagingContract;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/** The messaging specification between two instances on one SQLite file, as two processes would use it. */
final class SqliteMessagingContractTest extends MessagingContract {

    @TempDir
    Path dir;

    @Override
    protected Messaging createMessaging() {
        return SqliteMessaging.open(dir.resolve("profiles.db"));
    }
}
