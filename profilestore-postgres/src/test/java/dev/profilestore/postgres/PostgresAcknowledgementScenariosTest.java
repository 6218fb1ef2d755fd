package dev.profilestore.postgres;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.AcknowledgementScenarios;
import dev.profilestore.time.ManualScheduler;

import java.util.concurrent.atomic.AtomicInteger;

/** The acknowledgement scenarios on a real PostgreSQL server; each test gets its own tables. */
final class PostgresAcknowledgementScenariosTest extends AcknowledgementScenarios {

    private static final AtomicInteger TABLES = new AtomicInteger();

    @Override
    protected Storage newStorage(ManualScheduler clock) {
        return PostgresStorage.open(EmbeddedPg.jdbcUrl(), "postgres", null,
                JdbcStorageOptions.defaults().withTablePrefix("ack" + TABLES.incrementAndGet() + "_"));
    }
}
