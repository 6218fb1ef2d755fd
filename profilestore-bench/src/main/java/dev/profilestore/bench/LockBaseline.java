package dev.profilestore.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 6: what a Java developer would write instead of a session library, on the same Redis, measured the
 * same way (from asking for a player's data to holding its lock with the data loaded, while another server holds
 * it live and is told to let go).
 *
 * <ul>
 * <li>{@link Style#POLL_500MS}, HuskSync-style: a lock key per player ({@code SET NX PX}, with a TTL), the holder
 *     told over pub/sub to save and delete the lock, the requester retrying {@code SET NX} every 500 ms.</li>
 * <li>{@link Style#PUBSUB_WAKE}, Redisson-style: the same lock, but a waiting requester subscribes to the lock's
 *     channel and the holder's unlock script publishes on it, so the requester retries at once.</li>
 * </ul>
 * Written for this bench with Lettuce; no Redisson or HuskSync code.
 */
final class LockBaseline {

    private static final Logger LOG = LoggerFactory.getLogger(LockBaseline.class);

    /** Delete the lock if we own it, and announce it on the lock's channel (Redisson's unlock, in spirit). */
    private static final String UNLOCK = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
              redis.call('PUBLISH', KEYS[2], 'unlocked')
              return 1
            end
            return 0""";

    /** How the requester waits. */
    enum Style {
        /** Retry every 500 ms. */
        POLL_500MS("Redis lock + 500 ms poll (HuskSync-style)"),
        /** Wake on the unlock message. */
        PUBSUB_WAKE("Redis lock + pub/sub wake (Redisson-style)");

        final String label;

        Style(String label) {
            this.label = label;
        }
    }

    private LockBaseline() {}

    static BenchReport.Handoff run(String uri, Style style, int samples, Histogram h) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (Server a = new Server(uri, "a-" + run, style); Server b = new Server(uri, "b-" + run, style)) {
            String player = "baseline-" + run;
            a.acquire(player, b.id);
            Server holder = a;
            Server requester = b;
            int warm = Math.max(2, samples / 10);
            for (int i = 0; i < warm + samples; i++) {
                long t0 = System.nanoTime();
                requester.acquire(player, holder.id);
                if (i >= warm) {
                    Dist.record(h, System.nanoTime() - t0);
                }
                Server t = holder;
                holder = requester;
                requester = t;
            }
        }
        Dist d = Dist.of(h);
        LOG.info("{}: p50 {} ms, p99 {} ms", style.label, d.p50Ms(), d.p99Ms());
        return new BenchReport.Handoff("Redis", style.label, d, null, null);
    }

    /** One game server of the baseline. */
    private static final class Server implements AutoCloseable {
        final String id;
        private final Style style;
        private final RedisClient client;
        private final StatefulRedisConnection<String, String> connection;
        private final StatefulRedisPubSubConnection<String, String> pubsub;
        private final RedisCommands<String, String> redis;
        private final String unlockSha;
        /** Players this server holds, with its lock token. */
        private final Map<String, String> held = new ConcurrentHashMap<>();
        /** Waiters per lock channel. */
        private final Map<String, Semaphore> waiting = new ConcurrentHashMap<>();
        private final ExecutorService worker = Executors.newSingleThreadExecutor();

        Server(String uri, String id, Style style) {
            this.id = id;
            this.style = style;
            client = RedisClient.create(RedisURI.create(uri));
            connection = client.connect();
            redis = connection.sync();
            unlockSha = redis.scriptLoad(UNLOCK);
            pubsub = client.connectPubSub();
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    if (channel.equals("baseline:server:" + Server.this.id)) {
                        worker.execute(() -> release(message)); // never block the I/O thread
                    } else {
                        Semaphore s = waiting.get(channel);
                        if (s != null) {
                            s.release();
                        }
                    }
                }
            });
            pubsub.sync().subscribe("baseline:server:" + id);
        }

        /** The holder's side: save the player's data, then unlock. */
        private void release(String player) {
            String token = held.remove(player);
            if (token == null) {
                return;
            }
            redis.set("baseline:data:" + player, "{\"coins\":" + System.nanoTime() % 1000 + ",\"holder\":\"" + id + "\"}");
            redis.evalsha(unlockSha, ScriptOutputType.INTEGER, new String[] {lockKey(player), channel(player)}, token);
        }

        /** Blocks until this server holds the player's lock and has loaded the data. */
        void acquire(String player, String holder) {
            String token = UUID.randomUUID().toString();
            String lock = lockKey(player);
            SetArgs nxTtl = SetArgs.Builder.nx().px(30_000);
            if (!"OK".equals(redis.set(lock, token, nxTtl))) {
                Semaphore wake = null;
                if (style == Style.PUBSUB_WAKE) {
                    wake = new Semaphore(0);
                    waiting.put(channel(player), wake);
                    pubsub.sync().subscribe(channel(player));
                }
                redis.publish("baseline:server:" + holder, player); // "please save and let go"
                while (!"OK".equals(redis.set(lock, token, nxTtl))) {
                    try {
                        if (wake != null) {
                            wake.tryAcquire(30, TimeUnit.SECONDS); // woken by the unlock, or the lock's TTL
                        } else {
                            Thread.sleep(500);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                if (wake != null) {
                    pubsub.sync().unsubscribe(channel(player));
                    waiting.remove(channel(player));
                }
            }
            held.put(player, token);
            redis.get("baseline:data:" + player);
        }

        private static String lockKey(String player) {
            return "baseline:lock:" + player;
        }

        private static String channel(String player) {
            return "baseline:unlocked:" + player;
        }

        @Override
        public void close() {
            worker.shutdownNow();
            pubsub.close();
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
