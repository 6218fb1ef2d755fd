package dev.profilestore.redis;

/**
 * What the bench's raw Redis baseline needs to issue exactly the backend's commands: the backend's own key layout
 * and write script. It lives in the Redis module's package, in the bench module, because {@link RedisKeys} and
 * {@link LuaScript} are package-private: the baseline reuses them rather than copying the layout.
 */
public final class RedisBackendLayout {

    private static final RedisKeys KEYS = new RedisKeys(RedisOptions.DEFAULT_NAMESPACE);

    private RedisBackendLayout() {}

    /** The keys of one profile under the default namespace, in the order the write script expects them. */
    public static byte[][] profileKeys(String store, String key) {
        return KEYS.profile(store, key);
    }

    /** The backend's compare-and-set write script, as UTF-8 source. */
    public static byte[] writeScript() {
        return LuaScript.load("common.lua", "write.lua").source();
    }
}
