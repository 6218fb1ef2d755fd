package dev.profilestore.postgres;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.SessionScenarios;
import dev.profilestore.time.ManualScheduler;

import java.util.concurrent.atomic.AtomicInteger;

/** The behaviour scenarios on a real PostgreSQL server; each test gets its own tables. */
final class PostgresSessionScenariosTest extends SessionScenarios {

    private static final AtomicInteger TABLES = new AtomicInteger();

    @Override
    protected Storage newStorage(ManualScheduler clock) {
        return PostgresStorage.open(EmbeddedPg.jdbcUrl(), "postgres", null,
                JdbcStorageOptions.defaults().withTablePrefix("scenario" + TABLES.incrementAndGet() + "_"));
    }
}
