package dev.profilestore.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the Redis backend.
 *
 * @param namespace prefix of every Redis key and channel, so several applications can share one Redis;
 *     must not contain {@code {}} or {@code }}
 * @param versionsPerKey saved versions kept per profile key, oldest dropped first; 0 keeps none. Redis keeps
 *     everything in memory: a profile costs up to {@code (versionsPerKey + 1) * payload size} of Redis RAM
 * @param commandTimeout how long one Redis command may take before it fails with a
 *     {@link dev.profilestore.StorageException}
 * @param maxReconnectDelay the longest pause between reconnection attempts after Redis went away
 *     (attempts start after a few milliseconds and back off exponentially up to this)
 */
public record RedisOptions(String namespace, int versionsPerKey, Duration commandTimeout, Duration maxReconnectDelay) {

    /** The default key namespace. */
    public static final String DEFAULT_NAMESPACE = "profilestore";
    /** The default number of versions kept per key. */
    public static final int DEFAULT_VERSIONS_PER_KEY = 50;

    /** Validates the fields. */
    public RedisOptions {
        RedisKeys.checkNamespace(namespace);
        if (versionsPerKey < 0) {
            throw new IllegalArgumentException("versionsPerKey must not be negative, was " + versionsPerKey);
        }
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(maxReconnectDelay, "maxReconnectDelay");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive, was " + commandTimeout);
        }
        if (maxReconnectDelay.isNegative() || maxReconnectDelay.isZero()) {
            throw new IllegalArgumentException("maxReconnectDelay must be positive, was " + maxReconnectDelay);
        }
    }

    /** Namespace {@value #DEFAULT_NAMESPACE}, 50 versions per key, 5 s command timeout, reconnect at least every 2 s. */
    public static RedisOptions defaults() {
        return new RedisOptions(DEFAULT_NAMESPACE, DEFAULT_VERSIONS_PER_KEY, Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    /** A copy with another namespace. */
    public RedisOptions withNamespace(String namespace) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay);
    }

    /** A copy keeping another number of versions per key. */
    public RedisOptions withVersionsPerKey(int versionsPerKey) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay);
    }

    /** A copy with another command timeout. */
    public RedisOptions withCommandTimeout(Duration commandTimeout) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay);
    }

    /** A copy with another longest reconnection pause. */
    public RedisOptions withMaxReconnectDelay(Duration maxReconnectDelay) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay);
    }
}
