package dev.profilestore.postgres;

import dev.profilestore.spi.Messaging;
import dev.profilestore.testkit.MessagingContract;

/** The messaging specification over LISTEN/NOTIFY between two instances on a real PostgreSQL server. */
final class PostgresMessagingContractTest extends MessagingContract {

    @Override
    protected Messaging createMessaging() {
        return PostgresMessaging.open(EmbeddedPg.uri());
    }
}
