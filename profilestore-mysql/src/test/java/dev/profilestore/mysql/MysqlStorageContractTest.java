package dev.profilestore.mysql;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.StorageContract;

/** The storage specification on a real MariaDB server (embedded, shared by the test JVM). */
final class MysqlStorageContractTest extends StorageContract {

    @Override
    protected Storage createStorage() {
        return MysqlStorage.open(EmbeddedMariaDb.jdbcUrl(), "root", null,
                JdbcStorageOptions.defaults().withTablePrefix("contract_").withVersionsPerKey(versionsPerKey()));
    }

    @Override
    protected int versionsPerKey() {
        return 5;
    }
}
