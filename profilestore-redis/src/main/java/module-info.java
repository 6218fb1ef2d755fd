/** The Redis backend (standalone, Sentinel, Cluster) over Lettuce: storage by Lua scripts, messaging by pub/sub. */
// "module": the bench module named below is built after this one, so javac cannot see it yet.
@SuppressWarnings({"requires-automatic", "module"})
module dev.profilestore.redis {
    requires transitive dev.profilestore.core;
    requires lettuce.core;
    requires org.slf4j;

    exports dev.profilestore.redis;
    // The key layout and scripts are not API. The benchmark's raw-Redis baseline must issue exactly the backend's
    // commands, so it reuses them rather than a copy that could drift; no other module may.
    exports dev.profilestore.redis.internal to dev.profilestore.bench;

    provides dev.profilestore.spi.StoreProvider with dev.profilestore.redis.RedisStoreProvider;
}
