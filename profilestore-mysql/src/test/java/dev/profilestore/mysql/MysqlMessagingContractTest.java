package dev.profilestore.mysql;

import dev.profilestore.spi.Messaging;
import dev.profilestore.testkit.MessagingContract;

/** The messaging specification over a polled table between two instances on a real MariaDB server. */
final class MysqlMessagingContractTest extends MessagingContract {

    @Override
    protected Messaging createMessaging() {
        return MysqlMessaging.open(EmbeddedMariaDb.uri());
    }
}
