package dev.profilestore.redis;

import dev.profilestore.StoreConnection;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisSentinel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        }
        // Sentinels find the replica and each other through the primary; a failover needs both.
        awaitSentinels(s -> s.sync().master(MASTER).get("num-other-sentinels").equals("2")
                && s.sync().replicas(MASTER).stream().anyMatch(r -> r.get("flags").equals("slave")));
    }

    @AfterAll
    static void stop() throws IOException {
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
     * them when it reconnects. Writes fail until the promoted primary has a replica again (the old primary,
     * restarted, which the sentinels turn into its replica), then succeed; no acknowledged write is lost.
     */
    @Test
    void primaryKilledUnderLoad_sentinelsPromoteTheReplica_writesResume_noAcknowledgedWriteLost() throws Exception {
        RedisOptions options = RedisOptions.defaults().withCommandTimeout(Duration.ofSeconds(2))
                .withMaxReconnectDelay(Duration.ofMillis(200)).withNamespace("sentinel");
        try (RedisStorage storage = RedisStorage.connect(uri("?replicas=1&replicaTimeout=500ms"), options);
                WriterLoad load = new WriterLoad(storage, 12)) {
            assertThat(storage.description()).contains("sentinel");
            Map<String, Long> before = load.acknowledged();
            long t0 = System.nanoTime();
            primary.stop();
            await("the sentinels promote the replica").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> replica.admin().info("replication").contains("role:master"));
            long promoted = System.nanoTime();
            primary.start();
            // Up to a minute: the sentinels notice the restarted primary at their next INFO round and only then
            // make it a replica, which then needs a full sync; a CI run once needed more than 30 s.
            await("the old primary turned into a replica of the new one").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> primary.admin().info("replication").contains("master_link_status:up"));
            long rejoined = System.nanoTime();
            load.awaitEveryKeyWrittenAfter(before, Duration.ofSeconds(30));
            LOG.info("primary stopped: replica promoted after {} ms, old primary its replica after {} ms, every key "
                    + "written again after {} ms", TimeUnit.NANOSECONDS.toMillis(promoted - t0),
                    TimeUnit.NANOSECONDS.toMillis(rejoined - t0), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            load.stopAndCheckNothingAcknowledgedWasLost();
        }
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
