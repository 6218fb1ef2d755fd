package dev.profilestore.postgres;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.StorageContract;

/** The storage specification on a real PostgreSQL server (embedded, shared by the test JVM). */
final class PostgresStorageContractTest extends StorageContract {

    @Override
    protected Storage createStorage() {
        return PostgresStorage.open(EmbeddedPg.jdbcUrl(), "postgres", null,
                JdbcStorageOptions.defaults().withTablePrefix("contract_").withVersionsPerKey(versionsPerKey()));
    }

    @Override
    protected int versionsPerKey() {
        return 5;
    }
}
