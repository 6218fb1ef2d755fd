package dev.profilestore.redis;

import dev.profilestore.redis.internal.RedisKeys;
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
 * @param replicas how many replicas must hold a write before it is acknowledged ({@code WAIT} after each
 *     write); 0 acknowledges once the primary ran it, and a failover can then lose it
 * @param replicaTimeout how long a write waits for {@code replicas} replicas; when they do not all confirm in
 *     time the write fails with a {@link dev.profilestore.StorageException} (it may or may not survive a
 *     failover). When {@code replicas} is above 0, it must be shorter than {@code commandTimeout}
 */
public record RedisOptions(String namespace, int versionsPerKey, Duration commandTimeout, Duration maxReconnectDelay,
                           int replicas, Duration replicaTimeout) {

    /** The default key namespace. */
    public static final String DEFAULT_NAMESPACE = "profilestore";
    /** The default number of versions kept per key. */
    public static final int DEFAULT_VERSIONS_PER_KEY = 50;
    /** The default time a write waits for its replicas. */
    public static final Duration DEFAULT_REPLICA_TIMEOUT = Duration.ofSeconds(1);

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
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must not be negative, was " + replicas);
        }
        Objects.requireNonNull(replicaTimeout, "replicaTimeout");
        if (replicaTimeout.isNegative() || replicaTimeout.isZero()) {
            throw new IllegalArgumentException("replicaTimeout must be positive, was " + replicaTimeout);
        }
        if (replicas > 0 && replicaTimeout.compareTo(commandTimeout) >= 0) {
            // WAIT blocks on the connection for replicaTimeout: the command timeout would fire first.
            throw new IllegalArgumentException("replicaTimeout (" + replicaTimeout
                    + ") must be shorter than commandTimeout (" + commandTimeout + ")");
        }
    }

    /** The settings without a replica requirement ({@code replicas} 0, {@code replicaTimeout} 1 s). */
    public RedisOptions(String namespace, int versionsPerKey, Duration commandTimeout, Duration maxReconnectDelay) {
        this(namespace, versionsPerKey, commandTimeout, maxReconnectDelay, 0, DEFAULT_REPLICA_TIMEOUT);
    }

    /**
     * Namespace {@value #DEFAULT_NAMESPACE}, 50 versions per key, 5 s command timeout, reconnect at least every 2 s,
     * acknowledge without waiting for replicas.
     */
    public static RedisOptions defaults() {
        return new RedisOptions(DEFAULT_NAMESPACE, DEFAULT_VERSIONS_PER_KEY, Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    /** A copy with another namespace. */
    public RedisOptions withNamespace(String namespace) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay, replicas, replicaTimeout);
    }

    /** A copy keeping another number of versions per key. */
    public RedisOptions withVersionsPerKey(int versionsPerKey) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay, replicas, replicaTimeout);
    }

    /** A copy with another command timeout. */
    public RedisOptions withCommandTimeout(Duration commandTimeout) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay, replicas, replicaTimeout);
    }

    /** A copy with another longest reconnection pause. */
    public RedisOptions withMaxReconnectDelay(Duration maxReconnectDelay) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay, replicas, replicaTimeout);
    }

    /**
     * A copy that acknowledges a write only once {@code replicas} replicas hold it, waiting at most {@code timeout}
     * (Redis {@code WAIT}); a write not confirmed in time fails.
     */
    public RedisOptions withReplicas(int replicas, Duration timeout) {
        return new RedisOptions(namespace, versionsPerKey, commandTimeout, maxReconnectDelay, replicas, timeout);
    }
}
