package dev.profilestore.redis;

import dev.profilestore.StoreConnection;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisSentinel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Sentinel-managed Redis: a primary, a replica and three sentinels (redis-server {@code --sentinel} from the
 * embedded-redis artifact, quorum 2, a primary is down after {@value #DOWN_AFTER_MS} ms). The storage connects with a
 * {@code redis-sentinel://} URI asking for one replica per write; the primary dies under writers and the sentinels
 * promote the replica.
 */
class RedisSentinelTest {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelTest.class);
    private static final String MASTER = "profiles";
    private static final int DOWN_AFTER_MS = 1000;
    private static TestRedis primary;
    private static TestRedis replica;
    private static final List<RedisSentinel> sentinels = new ArrayList<>();
    private static final List<Integer> sentinelPorts = new ArrayList<>();
    private static final List<RedisClient> eventClients = new ArrayList<>();
    private static final Queue<String> events = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws IOException {
        primary = TestRedis.ephemeral();
        replica = TestRedis.withSettings("save \"\"", "appendonly no", "replicaof 127.0.0.1 " + primary.port());
        for (int i = 0; i < 3; i++) {
            int port = freePort();
            RedisSentinel sentinel = RedisSentinel.newRedisSentinel().bind("127.0.0.1").port(port)
                    .masterName(MASTER).masterPort(primary.port()).quorumSize(2)
                    .downAfterMilliseconds(DOWN_AFTER_MS).failOverTimeout(5000).parallelSyncs(1).build();
            sentinel.start();
            sentinels.add(sentinel);
            sentinelPorts.add(port);
            listenToEvents(port);
        }
        // Sentinels find the replica and each other through the primary; a failover needs both.
        awaitSentinels(s -> s.sync().master(MASTER).get("num-other-sentinels").equals("2")
                && s.sync().replicas(MASTER).stream().anyMatch(r -> r.get("flags").equals("slave")));
    }

    @AfterAll
    static void stop() throws IOException {
        eventClients.forEach(c -> c.shutdown(Duration.ZERO, Duration.ofSeconds(1)));
        for (RedisSentinel s : sentinels) {
            s.stop();
        }
        replica.close();
        primary.close();
    }

    private static String uri(String query) {
        return "redis-sentinel://" + sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","))
                + query + "#" + MASTER;
    }

    @Test
    void theUriNamesTheSentinelsAndTheReplicaRequirement() {
        RedisOptions options = RedisBackend.withUriOptions(uri("?replicas=1&replicaTimeout=700ms"), RedisOptions.defaults());
        assertThat(options.replicas()).isEqualTo(1);
        assertThat(options.replicaTimeout()).isEqualTo(Duration.ofMillis(700));
        assertThat(RedisBackend.parse(uri("")).getSentinels()).hasSize(3);
    }

    @Test
    void storeConnection_opensASentinelUri_throughTheRedisProvider() {
        try (StoreConnection connection = StoreConnection.open(uri(""))) {
            assertThat(connection.storage()).isInstanceOf(RedisStorage.class);
            assertThat(connection.messaging()).isNotNull();
            // The other test fails the primary over; whichever primary the sentinels name now takes the write.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> connection.storage().write(
                    "opened", "k", Storage.ABSENT, new RecordWrite("v".getBytes(StandardCharsets.UTF_8), Set.of(),
                            RecordWrite.Versioning.NONE)) instanceof WriteResult.Written);
            assertThat(connection.storage().read("opened", "k")).isPresent();
        }
    }

    /**
     * Writers keep saving while the primary dies. The sentinels promote the replica; the storage finds it through
     * them when it reconnects. Writes fail until the promoted primary has a replica again, then succeed; no
     * acknowledged write is lost.
     *
     * <p>The old primary comes back as a replica of the new one, as an operator restarts it after a failover. Left to
     * come back as a primary, it waits for a sentinel to demote it: a sentinel does that only after it has seen the
     * server claim the primary role for 8 s, checks every 10 s, and does nothing for 30 s after its timer ran late
     * once (its TILT mode). That took 12 s here and more than a minute on a loaded CI machine, and it is Sentinel's
     * behaviour, not this library's.
     */
    @Test
    void primaryKilledUnderLoad_sentinelsPromoteTheReplica_writesResume_noAcknowledgedWriteLost() throws Exception {
        RedisOptions options = RedisOptions.defaults().withCommandTimeout(Duration.ofSeconds(2))
                .withMaxReconnectDelay(Duration.ofMillis(200)).withNamespace("sentinel");
        try (RedisStorage storage = RedisStorage.connect(uri("?replicas=1&replicaTimeout=500ms"), options);
                WriterLoad load = new WriterLoad(storage, 12)) {
            assertThat(storage.description()).contains("sentinel");
            Map<String, Long> before = load.acknowledged();
            try {
                failOverAndRejoin(load, before);
            } catch (ConditionTimeoutException e) {
                throw withSentinelEvents(e);
            }
            load.stopAndCheckNothingAcknowledgedWasLost();
        }
    }

    private static void failOverAndRejoin(WriterLoad load, Map<String, Long> before) {
        long t0 = System.nanoTime();
        primary.stop();
        await("the sentinels promote the replica").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().until(() -> replica.admin().info("replication").contains("role:master"));
        long promoted = System.nanoTime();
        // Every sentinel names the new primary before the old one is back, so none of them still counts it
        // as the primary when it returns.
        awaitSentinels(s -> ((InetSocketAddress) s.sync().getMasterAddrByName(MASTER)).getPort() == replica.port());
        long agreed = System.nanoTime();
        primary.startAsReplicaOf(replica.port());
        await("the old primary replicates the new one").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> primary.admin().info("replication").contains("master_link_status:up"));
        long rejoined = System.nanoTime();
        load.awaitEveryKeyWrittenAfter(before, Duration.ofSeconds(30));
        LOG.info("primary stopped: replica promoted after {} ms, every sentinel named it after {} ms, old primary "
                + "its replica after {} ms, every key written again after {} ms",
                TimeUnit.NANOSECONDS.toMillis(promoted - t0), TimeUnit.NANOSECONDS.toMillis(agreed - t0),
                TimeUnit.NANOSECONDS.toMillis(rejoined - t0), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** The await's failure with every sentinel event seen so far: what Sentinel did is not visible otherwise. */
    private static AssertionError withSentinelEvents(ConditionTimeoutException e) {
        return new AssertionError(e.getMessage() + "\nsentinel events:\n" + String.join("\n", events), e);
    }

    /**
     * Records every event the sentinels publish (+sdown, +odown, +switch-master, +tilt, +convert-to-slave...), with
     * the time and the sentinel's port. Embedded-redis stops reading a server's output once it has started, so
     * Sentinel's own log is lost; its events channel carries the same lines.
     */
    private static void listenToEvents(int port) {
        RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port).build());
        eventClients.add(client);
        StatefulRedisPubSubConnection<String, String> events = client.connectPubSub();
        events.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                String event = Instant.now() + " sentinel " + port + ": " + channel + " " + message;
                RedisSentinelTest.events.add(event);
                LOG.info(event);
            }
        });
        events.sync().psubscribe("*");
    }

    private interface SentinelCheck {
        boolean test(StatefulRedisSentinelConnection<String, String> sentinel);
    }

    private static void awaitSentinels(SentinelCheck check) {
        for (int port : sentinelPorts) {
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port).build());
            try (StatefulRedisSentinelConnection<String, String> s = client.connectSentinel()) {
                await("sentinel " + port + " ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions().until(() -> check.test(s));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
