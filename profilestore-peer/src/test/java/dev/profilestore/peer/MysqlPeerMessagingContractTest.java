package dev.profilestore.peer;

import dev.profilestore.mysql.EmbeddedMariaDb;
import dev.profilestore.mysql.MysqlMessaging;
import dev.profilestore.spi.Messaging;
import dev.profilestore.testkit.MessagingContract;

/** The messaging specification for peer messaging over the polled table on a real MariaDB server. */
class MysqlPeerMessagingContractTest extends MessagingContract {

    @Override
    protected Messaging createMessaging() {
        return PeerTesting.peer(MysqlMessaging.open(EmbeddedMariaDb.uri()));
    }
}
