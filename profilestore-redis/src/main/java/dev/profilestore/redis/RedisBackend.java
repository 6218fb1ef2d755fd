package dev.profilestore.redis;

import dev.profilestore.StorageException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Redis deployment, addressed by URI: makes the {@link RedisStorage} and {@link RedisMessaging}
 * that share its threads, and closes them together.
 *
 * <pre>{@code
 * try (RedisBackend redis = RedisBackend.open("redis://:secret@cache.internal:6379/0")) {
 *     ProfileStore<PlayerData> store = ProfileStore.builder("PlayerStore", PlayerData.class, PlayerData::new)
 *             .storage(redis.storage()).messaging(redis.messaging()).build();
 * }
 * }</pre>
 *
 * <p>URIs (parsed by Lettuce's {@link RedisURI}): {@code redis://[[user]:password@]host[:port][/db]},
 * {@code rediss://...} for TLS, {@code redis-sentinel://[password@]host[:port][,host2[:port2]][/db]#masterId}
 * for a Sentinel-managed primary. Query parameters such as {@code ?timeout=10s} are accepted but the
 * command timeout of {@link RedisOptions} wins. Two parameters set the replica acknowledgement of
 * {@link RedisOptions#replicas()} and override the options: {@code ?replicas=1&replicaTimeout=500ms} (a timeout
 * is a number with {@code ms}, {@code s} or {@code m}, or plain milliseconds). For a Redis Cluster use
 * {@link #openCluster}.
 *
 * <p>Failover: a Sentinel-managed connection asks the sentinels for the current primary each time it reconnects,
 * so once the old primary is gone it finds the promoted replica. A Cluster connection refreshes its view of the
 * slots when a node answers MOVED or ASK, when a node keeps failing to reconnect, and every
 * {@value #TOPOLOGY_REFRESH_SECONDS} s, so writes to the slots of a dead primary resume once a replica is promoted.
 *
 * <p>Connections: the storage has one multiplexed connection that fails fast while Redis is
 * unreachable; messaging has one connection for publishing and one dedicated to subscriptions. All
 * reconnect by themselves, backing off up to {@link RedisOptions#maxReconnectDelay()}.
 */
public final class RedisBackend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisBackend.class);
    private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel");
    /** The period of the background Cluster topology refresh, a backstop to the adaptive one. */
    static final int TOPOLOGY_REFRESH_SECONDS = 10;

    private final RedisURI uri;
    private final RedisOptions options;
    private final boolean cluster;
    private final String description;
    private final ClientResources resources;
    private final AbstractRedisClient commandClient;
    private final AbstractRedisClient pubSubClient;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private RedisStorage storage;
    private RedisMessaging messaging;
    private boolean closed;

    private RedisBackend(RedisURI uri, RedisOptions options, boolean cluster) {
        this.uri = uri;
        this.options = options;
        this.cluster = cluster;
        this.description = describe(uri, cluster);
        uri.setTimeout(options.commandTimeout());
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(5), options.maxReconnectDelay(), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(options.commandTimeout()).keepAlive(true).build();
        if (cluster) {
            this.commandClient = RedisClusterClient.create(resources, uri);
            ClusterClientOptions.Builder commandOptions = ClusterClientOptions.builder();
            commandOptions.autoReconnect(true);
            // Node connections open lazily, so commands must be accepted while one is connecting: in a
            // Cluster, calls made while Redis is unreachable wait up to the command timeout instead of
            // failing at once.
            commandOptions.replayFilter(command -> true);
            commandOptions.timeoutOptions(TimeoutOptions.enabled());
            commandOptions.socketOptions(socket);
            commandOptions.topologyRefreshOptions(topologyRefresh());
            ((RedisClusterClient) commandClient).setOptions(commandOptions.build());
            this.pubSubClient = RedisClusterClient.create(resources, uri);
            ClusterClientOptions.Builder pubSubOptions = ClusterClientOptions.builder();
            pubSubOptions.autoReconnect(true);
            pubSubOptions.requestQueueSize(10_000);
            pubSubOptions.timeoutOptions(TimeoutOptions.enabled());
            pubSubOptions.socketOptions(socket);
            pubSubOptions.topologyRefreshOptions(topologyRefresh());
            ((RedisClusterClient) pubSubClient).setOptions(pubSubOptions.build());
        } else {
            this.commandClient = RedisClient.create(resources, uri);
            ((RedisClient) commandClient).setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    // Fail at once while disconnected (the engine retries), and never replay a command
                    // that may already have run: a replayed write would report a conflict with itself.
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .replayFilter(command -> true)
                    .timeoutOptions(TimeoutOptions.enabled())
                    .socketOptions(socket)
                    .build());
            this.pubSubClient = RedisClient.create(resources, uri);
            ((RedisClient) pubSubClient).setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    // Subscriptions queue while disconnected and are sent when the connection is back.
                    .requestQueueSize(10_000)
                    .timeoutOptions(TimeoutOptions.enabled())
                    .socketOptions(socket)
                    .build());
        }
    }

    private static ClusterTopologyRefreshOptions topologyRefresh() {
        return ClusterTopologyRefreshOptions.builder()
                // A dead primary shows as reconnect attempts that keep failing; its replica's promotion shows as
                // MOVED once the client asks the right node. Either makes the client re-read the slot map.
                .enableAllAdaptiveRefreshTriggers()
                .refreshTriggersReconnectAttempts(3)
                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                .enablePeriodicRefresh(Duration.ofSeconds(TOPOLOGY_REFRESH_SECONDS))
                .dynamicRefreshSources(true)
                .closeStaleConnections(true)
                .build();
    }

    /** Opens a backend for {@code uri} with {@link RedisOptions#defaults()}; connects on first use. */
    public static RedisBackend open(String uri) {
        return open(uri, RedisOptions.defaults());
    }

    /**
     * Opens a backend for a standalone or Sentinel-managed Redis. Nothing connects until
     * {@link #storage()} or {@link #messaging()} is first called.
     *
     * @throws IllegalArgumentException when the URI is malformed or not a redis URI
     */
    public static RedisBackend open(String uri, RedisOptions options) {
        return new RedisBackend(parse(uri), withUriOptions(uri, Objects.requireNonNull(options, "options")), false);
    }

    /**
     * Opens a backend for a Redis Cluster, given the URI of any of its nodes (the topology is discovered).
     * Its storage writes profiles of different slots atomically by a two-phase commit (see {@link RedisStorage}).
     *
     * @throws IllegalArgumentException when the URI is malformed or not a redis URI
     */
    public static RedisBackend openCluster(String uri, RedisOptions options) {
        return new RedisBackend(parse(uri), withUriOptions(uri, Objects.requireNonNull(options, "options")), true);
    }

    /** What {@code make} builds on {@code backend}, owning it: closing the result closes the backend. */
    static <T> T owned(RedisBackend backend, java.util.function.Function<RedisBackend, T> make) {
        try {
            return make.apply(backend);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /**
     * The storage of this backend, connected on the first call; later calls return the same instance.
     * Closing the backend closes it.
     *
     * @throws StorageException when Redis cannot be reached
     */
    public synchronized RedisStorage storage() {
        if (storage == null) {
            storage = newStorage(null);
        }
        return storage;
    }

    /**
     * The messaging of this backend, connected on the first call; later calls return the same instance.
     * Closing the backend closes it.
     *
     * @throws StorageException when Redis cannot be reached
     */
    public synchronized RedisMessaging messaging() {
        if (messaging == null) {
            messaging = newMessaging(null);
        }
        return messaging;
    }

    /** Where this backend connects, without credentials, for logs. */
    public String description() {
        return description;
    }

    /** The options in force. */
    public RedisOptions options() {
        return options;
    }

    synchronized RedisStorage newStorage(AutoCloseable owner) {
        return newStorage(options, owner);
    }

    /**
     * A storage with its own connection and its own settings ({@code storageOptions}: namespace, versions, replicas)
     * on this backend's client and threads; the connection timeouts stay the backend's.
     */
    synchronized RedisStorage newStorage(RedisOptions storageOptions, AutoCloseable owner) {
        checkOpen();
        StatefulConnection<byte[], byte[]> connection = connectCommands("storage");
        try {
            var commands = cluster ? ((StatefulRedisClusterConnection<byte[], byte[]>) connection).async()
                    : ((StatefulRedisConnection<byte[], byte[]>) connection).async();
            return new RedisStorage(commands, storageOptions, cluster, description, closer(connection, owner),
                    replicaWait(connection, storageOptions));
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    synchronized RedisMessaging newMessaging(AutoCloseable owner) {
        checkOpen();
        StatefulConnection<byte[], byte[]> publisher = connectCommands("messaging");
        StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
        try {
            subscriber = cluster ? ((RedisClusterClient) pubSubClient).connectPubSub(ByteArrayCodec.INSTANCE)
                    : ((RedisClient) pubSubClient).connectPubSub(ByteArrayCodec.INSTANCE);
        } catch (RedisException e) {
            publisher.close();
            throw new StorageException("cannot connect to Redis at " + description + " for messaging: " + e.getMessage(), e);
        }
        var publish = cluster ? ((StatefulRedisClusterConnection<byte[], byte[]>) publisher).async()
                : ((StatefulRedisConnection<byte[], byte[]>) publisher).async();
        AutoCloseable connections = () -> {
            subscriber.close();
            publisher.close();
        };
        return new RedisMessaging(publish, subscriber, options, description, closer(connections, owner));
    }

    /** The replica acknowledgement of the storage on {@code connection}, or null when none is asked for. */
    private ReplicaWait replicaWait(StatefulConnection<byte[], byte[]> connection, RedisOptions options) {
        if (options.replicas() == 0) {
            return null;
        }
        ReplicaWait.Nodes nodes;
        if (cluster) {
            var clustered = (StatefulRedisClusterConnection<byte[], byte[]>) connection;
            RedisClusterClient client = (RedisClusterClient) commandClient;
            nodes = new ReplicaWait.Nodes() {
                @Override
                public CompletableFuture<StatefulRedisConnection<byte[], byte[]>> forKey(byte[] key) {
                    RedisClusterNode owner = clustered.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
                    if (owner == null) {
                        client.refreshPartitionsAsync();
                        return CompletableFuture.failedFuture(new StorageException("no node of the Redis Cluster at "
                                + description + " serves slot " + SlotHash.getSlot(key) + " yet"));
                    }
                    return clustered.getConnectionAsync(owner.getNodeId());
                }

                @Override
                public void topologyMayHaveChanged() {
                    client.refreshPartitionsAsync();
                }
            };
        } else {
            var single = (StatefulRedisConnection<byte[], byte[]>) connection;
            nodes = new ReplicaWait.Nodes() {
                @Override
                public CompletableFuture<StatefulRedisConnection<byte[], byte[]>> forKey(byte[] key) {
                    return CompletableFuture.completedFuture(single);
                }

                @Override
                public void topologyMayHaveChanged() {
                    // One connection; a Sentinel-managed one finds the new primary when it reconnects.
                }
            };
        }
        return new ReplicaWait(options.replicas(), options.replicaTimeout().toMillis(), nodes);
    }

    private StatefulConnection<byte[], byte[]> connectCommands(String purpose) {
        try {
            return cluster ? ((RedisClusterClient) commandClient).connect(ByteArrayCodec.INSTANCE)
                    : ((RedisClient) commandClient).connect(ByteArrayCodec.INSTANCE);
        } catch (RedisException e) {
            throw new StorageException("cannot connect to Redis at " + description + " for " + purpose + ": "
                    + e.getMessage(), e);
        }
    }

    private AutoCloseable closer(AutoCloseable connection, AutoCloseable owner) {
        AtomicBoolean done = new AtomicBoolean();
        AutoCloseable once = () -> {
            if (done.compareAndSet(false, true)) {
                connection.close();
            }
        };
        opened.add(once);
        return owner == null ? once : () -> {
            try {
                once.close();
            } finally {
                owner.close();
            }
        };
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Redis backend for " + description + " is closed");
        }
    }

    /** Closes the storage and messaging made by this backend, then its clients and threads. Idempotent. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(opened);
        }
        if (messaging != null) {
            messaging.close();
        }
        if (storage != null) {
            storage.close();
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing a Redis connection to {} failed", description, e);
            }
        }
        Duration quiet = Duration.ZERO;
        commandClient.shutdown(quiet, Duration.ofSeconds(2));
        pubSubClient.shutdown(quiet, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "RedisBackend[" + description + "]";
    }

    static RedisURI parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        int sep = uri.indexOf("://");
        String scheme = sep < 0 ? "" : uri.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("not a Redis URI: \"" + redact(uri)
                    + "\"; expected redis://[user:password@]host:port[/db], rediss://... (TLS) or redis-sentinel://...");
        }
        try {
            RedisURI parsed = RedisURI.create(uri);
            if ((parsed.getHost() == null || parsed.getHost().isEmpty()) && parsed.getSentinels().isEmpty()) {
                throw new IllegalArgumentException("no host");
            }
            return parsed;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed Redis URI \"" + redact(uri) + "\": " + e.getMessage(), e);
        }
    }

    /**
     * The options with {@code replicas} and {@code replicaTimeout} taken from the URI's query when it has them.
     *
     * @throws IllegalArgumentException when one of them is malformed
     */
    static RedisOptions withUriOptions(String uri, RedisOptions options) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return options;
        }
        int end = uri.indexOf('#', q);
        String query = end < 0 ? uri.substring(q + 1) : uri.substring(q + 1, end);
        int replicas = options.replicas();
        Duration timeout = options.replicaTimeout();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                if (name.equals("replicas")) {
                    replicas = Integer.parseInt(value);
                } else if (name.equals("replicaTimeout")) {
                    timeout = parseDuration(value);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed " + name + "=" + value + " in Redis URI \""
                        + redact(uri) + "\"; expected e.g. replicas=1&replicaTimeout=500ms", e);
            }
        }
        return options.withReplicas(replicas, timeout);
    }

    private static Duration parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        } else if (v.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        } else if (v.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return Duration.ofMillis(Long.parseLong(v));
    }

    /** The URI with any user and password replaced by {@code ***}. */
    static String redact(String uri) {
        return uri.replaceFirst("//[^@/]*@", "//***@");
    }

    private static String describe(RedisURI uri, boolean cluster) {
        String scheme = uri.isSsl() ? "rediss" : "redis";
        if (uri.getSentinelMasterId() != null && !uri.getSentinels().isEmpty()) {
            return scheme + "-sentinel master " + uri.getSentinelMasterId() + " via " + uri.getSentinels().stream()
                    .map(s -> s.getHost() + ":" + s.getPort()).toList() + " db " + uri.getDatabase();
        }
        return (cluster ? "cluster " : "") + scheme + "://" + uri.getHost() + ":" + uri.getPort()
                + (cluster ? "" : "/" + uri.getDatabase());
    }
}
