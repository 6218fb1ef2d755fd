package dev.profilestore.redis;

import dev.profilestore.redis.internal.RedisKeys;
import dev.profilestore.spi.Messaging;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@link Messaging} over Redis pub/sub (Lettuce).
 *
 * <p>Subscriptions use a dedicated connection (a subscribed Redis connection can do nothing else).
 * When that connection breaks (Redis restarted, a failover, {@code CLIENT KILL}, a network cut), Lettuce
 * reconnects with backoff and re-issues the subscriptions it knew; this class also re-subscribes every
 * channel that has listeners whenever the connection comes up, so a {@code SUBSCRIBE} that never got
 * through is not forgotten. Messages published while the connection is down are lost, as pub/sub is
 * fire-and-forget: acceptable, since the engine treats every message as a hint.
 *
 * <p>{@link #publish} never waits for Redis: it hands the message to a separate connection that fails
 * at once while disconnected, and logs failures (one WARN per outage). Listeners run on one thread of
 * this messaging, in the order messages arrived, never on Lettuce's I/O threads.
 *
 * <p>Channel names are prefixed with the {@linkplain RedisOptions#namespace() namespace}, so
 * applications sharing a Redis do not hear each other. In a Redis Cluster, {@code PUBLISH} reaches
 * subscribers on every node.
 */
public final class RedisMessaging implements Messaging {

    private static final Logger log = LoggerFactory.getLogger(RedisMessaging.class);

    private final BaseRedisAsyncCommands<byte[], byte[]> publisher;
    private final StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
    private final RedisOptions options;
    private final RedisKeys keys;
    private final String description;
    private final AutoCloseable resources;
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private final Object subscriptionLock = new Object();
    private final ExecutorService delivery;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean publishFailing = new AtomicBoolean();

    RedisMessaging(BaseRedisAsyncCommands<byte[], byte[]> publisher, StatefulRedisPubSubConnection<byte[], byte[]> subscriber,
            RedisOptions options, String description, AutoCloseable resources) {
        this.publisher = publisher;
        this.subscriber = subscriber;
        this.options = options;
        this.keys = new RedisKeys(options.namespace());
        this.description = description;
        this.resources = resources;
        this.delivery = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("profilestore-redis-messages")
                .factory());
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                deliver(channel, message);
            }
        });
        subscriber.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                resubscribeAll();
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closed.get()) {
                    log.info("Redis pub/sub connection to {} lost; reconnecting", description);
                }
            }
        });
    }

    /** Connects to {@code uri} with {@link RedisOptions#defaults()}; see {@link RedisBackend#open(String, RedisOptions)}. */
    public static RedisMessaging connect(String uri) {
        return connect(uri, RedisOptions.defaults());
    }

    /**
     * Connects to the Redis at {@code uri}; the messaging owns its connections and closes them on
     * {@link #close()}. To share one client with {@link RedisStorage}, use {@link RedisBackend}.
     *
     * @throws dev.profilestore.StorageException when Redis cannot be reached
     * @throws IllegalArgumentException when the URI is malformed
     */
    public static RedisMessaging connect(String uri, RedisOptions options) {
        return RedisBackend.owned(RedisBackend.open(uri, options), backend -> backend.newMessaging(backend));
    }

    /**
     * Connects to the Redis Cluster that the node at {@code uri} belongs to; a publish reaches subscribers on every
     * node. The messaging owns its connections and closes them on {@link #close()}.
     *
     * @throws dev.profilestore.StorageException when Redis cannot be reached
     * @throws IllegalArgumentException when the URI is malformed
     */
    public static RedisMessaging connectCluster(String uri, RedisOptions options) {
        return RedisBackend.owned(RedisBackend.openCluster(uri, options), backend -> backend.newMessaging(backend));
    }

    @Override
    public void publish(String channel, byte[] payload) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        if (closed.get()) {
            log.debug("publish on {} after close ignored", channel);
            return;
        }
        try {
            publisher.publish(keys.channel(channel), payload.clone()).whenComplete((receivers, error) -> {
                if (error == null) {
                    if (publishFailing.compareAndSet(true, false)) {
                        log.info("Publishing to Redis at {} works again", description);
                    }
                } else {
                    publishFailed(channel, error);
                }
            });
        } catch (RuntimeException e) {
            publishFailed(channel, e);
        }
    }

    private void publishFailed(String channel, Throwable error) {
        if (publishFailing.compareAndSet(false, true)) {
            log.warn("Publishing on {} to Redis at {} failed: {} (further failures are logged at DEBUG until it works)",
                    channel, description, error.toString());
        } else {
            log.debug("Publishing on {} to Redis at {} failed: {}", channel, description, error.toString());
        }
    }

    /**
     * Subscribes {@code listener} to {@code channel}.
     *
     * <p>Waits up to the command timeout for Redis to confirm the first subscription of a channel, so a
     * message published after this returns is delivered. If Redis is unreachable it returns anyway and
     * the subscription is made when the connection comes back.
     */
    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(listener, "listener");
        if (closed.get()) {
            throw new IllegalStateException("the Redis messaging for " + description + " is closed");
        }
        Listener l = new Listener(channel, listener);
        java.util.concurrent.Future<Void> confirmed = null;
        synchronized (subscriptionLock) {
            List<Listener> list = listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
            boolean first = list.isEmpty();
            list.add(l);
            if (first) {
                try {
                    confirmed = subscriber.async().subscribe(keys.channel(channel));
                } catch (RuntimeException e) {
                    log.warn("Subscribing to {} on Redis at {} failed: {}; retrying when the connection is back",
                            channel, description, e.toString());
                }
            }
        }
        if (confirmed != null) {
            try {
                confirmed.get(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("Redis at {} has not confirmed the subscription to {} yet ({}); it is made when the connection"
                        + " is back", description, channel, e.toString());
            }
        }
        return l;
    }

    /**
     * Called on a Lettuce I/O thread when the subscriber connection comes up. Sends outside the lock: a
     * SUBSCRIBE that overtakes a concurrent UNSUBSCRIBE only leaves a channel without listeners, whose
     * messages are dropped.
     */
    private void resubscribeAll() {
        if (closed.get()) {
            return;
        }
        List<byte[]> channels = new ArrayList<>();
        synchronized (subscriptionLock) {
            listeners.keySet().forEach(c -> channels.add(keys.channel(c)));
        }
        if (channels.isEmpty()) {
            return;
        }
        log.debug("Re-subscribing {} channel(s) on Redis at {}", channels.size(), description);
        try {
            subscriber.async().subscribe(channels.toArray(byte[][]::new)).whenComplete((v, error) -> {
                if (error != null && !closed.get()) {
                    log.warn("Re-subscribing on Redis at {} failed: {}", description, error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("Re-subscribing on Redis at {} failed: {}", description, e.toString());
        }
    }

    private void deliver(byte[] redisChannel, byte[] message) {
        String channel = keys.channelName(redisChannel);
        if (channel == null) {
            return;
        }
        List<Listener> list = listeners.get(channel);
        if (list == null) {
            return;
        }
        boolean many = list.size() > 1;
        for (Listener l : list) {
            byte[] copy = many ? message.clone() : message;
            try {
                delivery.execute(() -> l.accept(copy));
            } catch (RejectedExecutionException e) {
                return; // closed
            }
        }
    }

    /**
     * 256 KiB: Redis itself takes far more, but a subscriber's output buffer is capped (8 MB over a minute by
     * default), and a hint that size is already a mistake.
     */
    @Override
    public int maxPayload() {
        return 256 * 1024;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (subscriptionLock) {
            listeners.clear();
        }
        try {
            if (resources != null) {
                resources.close();
            }
        } catch (Exception e) {
            log.warn("Closing the Redis messaging connections to {} failed", description, e);
        }
        delivery.shutdown();
    }

    @Override
    public String toString() {
        return "RedisMessaging[" + description + "]";
    }

    /** One subscription: a listener on a channel. */
    private final class Listener implements Subscription {
        private final String channel;
        private final Consumer<byte[]> consumer;
        private volatile boolean active = true;

        Listener(String channel, Consumer<byte[]> consumer) {
            this.channel = channel;
            this.consumer = consumer;
        }

        void accept(byte[] message) {
            if (!active) {
                return;
            }
            try {
                consumer.accept(message);
            } catch (RuntimeException e) {
                log.warn("A listener on channel {} threw", channel, e);
            }
        }

        @Override
        public void close() {
            synchronized (subscriptionLock) {
                if (!active) {
                    return;
                }
                active = false;
                List<Listener> list = listeners.get(channel);
                if (list == null) {
                    return;
                }
                list.remove(this);
                if (list.isEmpty()) {
                    listeners.remove(channel);
                    if (!closed.get()) {
                        try {
                            subscriber.async().unsubscribe(keys.channel(channel));
                        } catch (RuntimeException e) {
                            log.debug("Unsubscribing from {} failed: {}", channel, e.toString());
                        }
                    }
                }
            }
        }
    }
}
