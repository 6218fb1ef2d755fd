package dev.profilestore.peer;

import dev.profilestore.jdbc.JdbcStorageOptions;
import dev.profilestore.postgres.EmbeddedPg;
import dev.profilestore.postgres.PostgresMessaging;
import dev.profilestore.postgres.PostgresStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;

/** Peer handoffs over PostgreSQL storage and LISTEN/NOTIFY as the fallback. */
class PostgresPeerHandoffTest extends PeerHandoffScenarios {

    @Override
    protected Storage newStorage() {
        return PostgresStorage.open(EmbeddedPg.jdbcUrl(), "postgres", null,
                JdbcStorageOptions.defaults().withTablePrefix("peer_"));
    }

    @Override
    protected Messaging newMessaging() {
        return PostgresMessaging.open(EmbeddedPg.uri());
    }
}
