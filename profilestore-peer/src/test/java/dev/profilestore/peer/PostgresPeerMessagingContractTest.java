package dev.profilestore.peer;

import dev.profilestore.postgres.EmbeddedPg;
import dev.profilestore.postgres.PostgresMessaging;
import dev.profilestore.spi.Messaging;
import dev.profilestore.testkit.MessagingContract;

/** The messaging specification for peer messaging over LISTEN/NOTIFY on a real PostgreSQL server. */
class PostgresPeerMessagingContractTest extends MessagingContract {

    @Override
    protected Messaging createMessaging() {
        return PeerTesting.peer(PostgresMessaging.open(EmbeddedPg.uri()));
    }
}
