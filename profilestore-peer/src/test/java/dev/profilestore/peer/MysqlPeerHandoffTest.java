package dev.profilestore.peer;

import dev.profilestore.mysql.EmbeddedMariaDb;
import dev.profilestore.mysql.MysqlMessaging;
import dev.profilestore.mysql.MysqlStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;

/** Peer handoffs over MariaDB storage and its polled message table as the fallback. */
class MysqlPeerHandoffTest extends PeerHandoffScenarios {

    @Override
    protected Storage newStorage() {
        return MysqlStorage.open(EmbeddedMariaDb.uri());
    }

    @Override
    protected Messaging newMessaging() {
        return MysqlMessaging.open(EmbeddedMariaDb.uri());
    }
}
