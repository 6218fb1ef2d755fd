package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.testkit.ServerFailureScenarios;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Primaries of a real Redis Cluster (three primaries, a replica each) die under running stores; their replicas
 * are promoted and the library carries on. Every write waits for one replica ({@link RedisOptions#replicas()}),
 * so no acknowledged save may be lost in a failover.
 *
 * <p>The server-failure scenarios run with "restart the server" meaning: fail over every primary in turn (stop
 * it, wait for its replica's promotion, start it again as a replica of its successor). A connection drop is a
 * {@code CLIENT KILL} of the named connections on every node.
 */
final class RedisClusterFailoverTest extends ServerFailureScenarios {

    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterFailoverTest.class);
    private static final String STORAGE = "ps-cluster-storage";
    private static final String MESSAGING = "ps-cluster-messaging";
    private static TestRedisCluster redisCluster;

    @BeforeAll
    static void startCluster() {
        redisCluster = TestRedisCluster.start(1);
        // A store closed at the end of a test can still have a storage call waiting out a failover; when it returns,
        // the engine's I/O thread finds the store's loop shut down and throws there. Awaitility would blame the
        // next test for that stray exception, so it is not caught here (the engine issue is reported separately).
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterAll
    static void stopCluster() {
        Awaitility.reset();
        redisCluster.close();
    }

    private static RedisOptions options() {
        return RedisOptions.defaults().withCommandTimeout(Duration.ofSeconds(2))
                .withMaxReconnectDelay(Duration.ofMillis(200)).withReplicas(1, Duration.ofSeconds(1));
    }

    @Override
    protected Storage newStorage() {
        return RedisStorage.connectCluster(redisCluster.uri() + "?clientName=" + STORAGE, options());
    }

    @Override
    protected Messaging newMessaging() {
        return RedisMessaging.connectCluster(redisCluster.uri() + "?clientName=" + MESSAGING, options());
    }

    @Override
    protected void restartServer() {
        for (int primary : primaries()) {
            failOver(primary);
        }
    }

    @Override
    protected int dropStorageConnections() {
        return killEverywhere(STORAGE);
    }

    @Override
    protected int dropMessagingConnections() {
        return killEverywhere(MESSAGING);
    }

    private static int killEverywhere(String name) {
        int killed = 0;
        for (int port : redisCluster.ports()) {
            killed += TestRedis.killClients(redisCluster.admin(port), name);
        }
        return killed;
    }

    /** The primaries now serving slots. */
    private static List<Integer> primaries() {
        List<Integer> out = new ArrayList<>();
        for (int port : redisCluster.ports()) {
            if (redisCluster.admin(port).info("replication").contains("role:master")) {
                out.add(port);
            }
        }
        return out;
    }

    /** Stops {@code primary}, waits for its replica to take over, and starts it again as that replica's replica. */
    private static void failOver(int primary) {
        int replica = redisCluster.replicaOf(primary);
        long t0 = System.nanoTime();
        redisCluster.kill(primary);
        await("replica " + replica + " promoted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().until(() -> redisCluster.admin(replica).info("replication").contains("role:master"));
        LOG.info("primary {} stopped; replica {} promoted after {} ms", primary, replica,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        redisCluster.restart(primary);
        await("old primary " + primary + " back as a synced replica").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
                    String info = redisCluster.admin(primary).info("replication");
                    return info.contains("role:slave") && info.contains("master_link_status:up");
                });
        redisCluster.awaitHealthy();
    }

    /**
     * Writers keep saving profiles spread over every slot while the primary of one of them dies. Writes to its slots
     * fail (with a {@link StorageException}) until the replica is promoted, the client has the new slot map and the
     * new primary has a replica again (the old primary, restarted); then they succeed again. Every write
     * acknowledged before, during or after is found afterwards.
     */
    @Test
    void primaryKilledUnderLoad_replicaPromoted_writesResume_noAcknowledgedWriteLost() throws Exception {
        int keys = 24;
        Map<String, Long> acked = new ConcurrentHashMap<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try (RedisStorage storage = RedisStorage.connectCluster(redisCluster.uri(), options().withNamespace("load"))) {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int first = w;
                running.add(writers.submit(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        for (int k = first; k < keys; k += 4) {
                            n++;
                            try {
                                save(storage, "p" + k, n, acked);
                            } catch (StorageException expectedDuringFailover) {
                                // outcome unknown; the next round reads the revision again
                                LOG.debug("p{} during the failover: {}", k, expectedDuringFailover.getMessage());
                            } catch (RuntimeException | AssertionError e) {
                                unexpected.add(e);
                            }
                        }
                    }
                }));
            }
            await("every key written once").atMost(Duration.ofSeconds(20)).until(() -> acked.size() == keys);
            int victim = redisCluster.primaryOf(new RedisKeys("load").profile("s", "p0")[RedisKeys.RECORD]);
            int replica = redisCluster.replicaOf(victim);
            Map<String, Long> before = Map.copyOf(acked);
            redisCluster.kill(victim);
            long t0 = System.nanoTime();
            await("the replica promoted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> redisCluster.admin(replica).info("replication").contains("role:master"));
            long promoted = System.nanoTime();
            // The promoted primary has no replica left, so no write to its slots can be acknowledged yet: writes
            // there fail (after the replica timeout) rather than being acknowledged without a copy.
            String orphanKey = keyServedBy(replica, keys);
            assertThatThrownBy(() -> save(storage, orphanKey, -1, acked)).as("a write to a primary without replica")
                    .isInstanceOf(StorageException.class);
            redisCluster.restart(victim);
            await("the old primary back as a replica").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> redisCluster.admin(victim).info("replication")
                            .contains("master_link_status:up"));
            long rejoined = System.nanoTime();
            await("every key written again after the failover").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> before.entrySet().stream().allMatch(e -> acked.get(e.getKey()) > e.getValue()));
            LOG.info("primary {} killed: replica {} promoted after {} ms; old primary resynced as its replica after {} ms;"
                    + " every key written again after {} ms", victim, replica,
                    TimeUnit.NANOSECONDS.toMillis(promoted - t0), TimeUnit.NANOSECONDS.toMillis(rejoined - t0),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            stop.set(true);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(unexpected).as("only StorageExceptions while the primary is down").isEmpty();
            for (int k = 0; k < keys; k++) {
                StoredRecord r = storage.read("s", "p" + k).orElseThrow();
                assertThat(Long.parseLong(new String(r.payload(), StandardCharsets.UTF_8)))
                        .as("p%s holds its last acknowledged write or a later one", k)
                        .isGreaterThanOrEqualTo(acked.get("p" + k));
            }
            redisCluster.awaitHealthy();
        } finally {
            stop.set(true);
            writers.shutdownNow();
        }
    }

    /** One of the test's keys ({@code p0} ... ) whose slot the primary on {@code port} serves. */
    private static String keyServedBy(int port, int keys) {
        for (int k = 0; k < keys; k++) {
            if (redisCluster.primaryOf(new RedisKeys("load").profile("s", "p" + k)[RedisKeys.RECORD]) == port) {
                return "p" + k;
            }
        }
        throw new IllegalStateException("no test key on " + port);
    }

    /** Writes {@code value} over whatever {@code key} holds and records it once acknowledged. */
    private static void save(RedisStorage storage, String key, long value, Map<String, Long> acked) {
        Optional<StoredRecord> current = storage.read("s", key);
        long expected = current.map(StoredRecord::revision).orElse(Storage.ABSENT);
        WriteResult r = storage.write("s", key, expected, new RecordWrite(
                Long.toString(value).getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE));
        if (r instanceof WriteResult.Written) {
            acked.merge(key, value, Math::max);
        }
    }
}
