package dev.profilestore.redis;

import dev.profilestore.spi.ServerStoreProvider;

import java.util.Set;

/**
 * Opens {@code redis://}, {@code rediss://} and {@code redis-sentinel://} URIs for {@link dev.profilestore.StoreConnection#open(String)}: the Redis storage and its pub/sub messaging. Found by
 * {@link java.util.ServiceLoader}.
 */
public final class RedisStoreProvider extends ServerStoreProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public RedisStoreProvider() {
        super(Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel"), RedisStorage::connect, RedisMessaging::connect);
    }
}
