/**
 * Redis backend: {@link dev.profilestore.redis.RedisStorage} (compare-and-set writes as Lua scripts, versions,
 * user-id and key indexes, server leases on Redis's clock) and {@link dev.profilestore.redis.RedisMessaging}
 * (pub/sub that re-subscribes after reconnecting), both made from a {@code redis://} or {@code rediss://} URI by
 * {@link dev.profilestore.redis.RedisBackend}. Works on standalone Redis, Sentinel and Redis Cluster.
 */
package dev.profilestore.redis;
