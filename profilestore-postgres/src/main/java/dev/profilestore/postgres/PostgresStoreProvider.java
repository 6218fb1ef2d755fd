package dev.profilestore.postgres;

import dev.profilestore.spi.ServerStoreProvider;

import java.util.Set;

/**
 * Opens {@code postgres://} (and {@code postgresql://}) URIs for {@link dev.profilestore.StoreConnection#open(String)}: the PostgreSQL storage and its LISTEN/NOTIFY messaging. Found by
 * {@link java.util.ServiceLoader}.
 */
public final class PostgresStoreProvider extends ServerStoreProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public PostgresStoreProvider() {
        super(Set.of("postgres"), PostgresStorage::open, PostgresMessaging::open);
    }
}
