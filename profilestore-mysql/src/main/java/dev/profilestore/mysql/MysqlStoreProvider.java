package dev.profilestore.mysql;

import dev.profilestore.spi.ServerStoreProvider;

import java.util.Set;

/**
 * Opens {@code mysql://} and {@code mariadb://} URIs for {@link dev.profilestore.StoreConnection#open(String)}: the MariaDB/MySQL storage and its polled messaging. Found by
 * {@link java.util.ServiceLoader}.
 */
public final class MysqlStoreProvider extends ServerStoreProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public MysqlStoreProvider() {
        super(Set.of("mysql", "mariadb"), MysqlStorage::open, MysqlMessaging::open);
    }
}
