package dev.profilestore.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads Redis's {@code maxmemory-policy} at start-up and logs a WARN unless it is {@code noeviction}. Under an
 * {@code allkeys-*} policy a full Redis deletes profile records, which is silent data loss; under a
 * {@code volatile-*} policy it deletes keys with a TTL, which are the servers' leases: a live server then looks
 * dead and its sessions are stolen. With {@code noeviction} a full Redis refuses writes instead, which the engine
 * reports and retries. Warns, as {@link PersistenceCheck} does, rather than refusing to start: a deployment
 * may have ruled out a full Redis by other means; warns too when {@code CONFIG} is disabled, as on many managed
 * services, since the policy could then not be checked.
 */
final class EvictionCheck {

    private static final Logger log = LoggerFactory.getLogger(RedisStorage.class);

    private final RedisClusterAsyncCommands<byte[], byte[]> redis;
    private final String description;
    private final Duration timeout;

    EvictionCheck(RedisClusterAsyncCommands<byte[], byte[]> redis, String description, Duration timeout) {
        this.redis = redis;
        this.description = description;
        this.timeout = timeout;
    }

    /** Checks and logs; returns the policy, empty when it could not be read. */
    Optional<String> run() {
        Optional<String> policy = read();
        if (policy.isEmpty()) {
            log.warn("Could not read maxmemory-policy of Redis at {} (CONFIG GET refused). Make sure it is noeviction:"
                    + " an allkeys-* policy lets a full Redis delete profiles, a volatile-* policy deletes server"
                    + " leases.", description);
        } else if (!"noeviction".equals(policy.get())) {
            String loses = policy.get().startsWith("volatile-")
                    ? "delete keys with a TTL, which are the server leases, so live servers look dead and lose their"
                            + " sessions"
                    : "delete profile records, losing saved data";
            log.warn("Redis at {} has maxmemory-policy {}: when it reaches maxmemory it will {}. Set maxmemory-policy"
                    + " noeviction (a full Redis then refuses writes, which are retried and reported).", description,
                    policy.get(), loses);
        }
        return policy;
    }

    private Optional<String> read() {
        try {
            Map<String, String> cfg = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            cfg.putAll(redis.configGet("maxmemory-policy").get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            return Optional.ofNullable(cfg.get("maxmemory-policy")).map(p -> p.trim().toLowerCase(Locale.ROOT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            log.debug("CONFIG GET maxmemory-policy refused by Redis at {}: {}", description, e.toString());
            return Optional.empty();
        }
    }
}
