package dev.profilestore.redis;

import dev.profilestore.spi.ServerStoreProvider;

import java.util.Set;

/**
 * Opens {@code redis://} and {@code rediss://} URIs for {@link dev.profilestore.StoreConnection#open(String)}: the Redis storage and its pub/sub messaging. Found by
 * {@link java.util.ServiceLoader}.
 */
public final class RedisStoreProvider extends ServerStoreProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public RedisStoreProvider() {
        super(Set.of("redis", "rediss"), RedisStorage::connect, RedisMessaging::connect);
    }
}
