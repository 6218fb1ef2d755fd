package dev.profilestore.redis;

import dev.profilestore.redis.internal.RedisKeys;
import dev.profilestore.StorageException;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.ServerFailureScenarios;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Primaries of a real Redis Cluster (three primaries, a replica each) die under running stores; their replicas
 * are promoted and the library carries on. Every write waits for one replica ({@link RedisOptions#replicas()}),
 * so no acknowledged save may be lost in a failover.
 *
 * <p>The server-failure scenarios run with "restart the server" meaning: fail over every primary in turn (stop
 * it, wait for its replica's promotion, start it again as a replica of its successor). A connection drop is a
 * {@code CLIENT KILL} of the named connections on every node. Two more tests kill a primary under writers and the
 * node a subscription is connected to.
 */
final class RedisClusterFailoverTest extends ServerFailureScenarios {

    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterFailoverTest.class);
    private static final String STORAGE = "ps-cluster-storage";
    private static final String MESSAGING = "ps-cluster-messaging";
    private static TestRedisCluster redisCluster;

    @BeforeAll
    static void startCluster() {
        redisCluster = TestRedisCluster.start(1);
    }

    @AfterAll
    static void stopCluster() {
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
        try (RedisStorage storage = RedisStorage.connectCluster(redisCluster.uri(), options().withNamespace("load"));
                WriterLoad load = new WriterLoad(storage, keys)) {
            int victim = redisCluster.primaryOf(new RedisKeys("load").profile("s", "p0")[RedisKeys.RECORD]);
            int replica = redisCluster.replicaOf(victim);
            Map<String, Long> before = load.acknowledged();
            redisCluster.kill(victim);
            long t0 = System.nanoTime();
            await("the replica promoted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> redisCluster.admin(replica).info("replication").contains("role:master"));
            long promoted = System.nanoTime();
            // The promoted primary has no replica left, so no write to its slots can be acknowledged yet: writes
            // there fail (after the replica timeout) rather than being acknowledged without a copy.
            String orphanKey = keyServedBy(replica, keys);
            assertThatThrownBy(() -> WriterLoad.save(storage, orphanKey, -1, new ConcurrentHashMap<>()))
                    .as("a write to a primary without replica").isInstanceOf(StorageException.class);
            redisCluster.restart(victim);
            await("the old primary back as a replica").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> redisCluster.admin(victim).info("replication")
                            .contains("master_link_status:up"));
            long rejoined = System.nanoTime();
            load.awaitEveryKeyWrittenAfter(before, Duration.ofSeconds(30));
            LOG.info("primary {} killed: replica {} promoted after {} ms; old primary resynced as its replica after {} ms;"
                    + " every key written again after {} ms", victim, replica,
                    TimeUnit.NANOSECONDS.toMillis(promoted - t0), TimeUnit.NANOSECONDS.toMillis(rejoined - t0),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            load.stopAndCheckNothingAcknowledgedWasLost();
            redisCluster.awaitHealthy();
        }
    }

    /**
     * A thread trades coins between profiles spread over every primary (two-phase commits across slots, every step
     * waiting for a replica) while the primary of one of them dies, its replica is promoted and it comes back as a
     * replica. Trades touching its slots fail meanwhile; afterwards the coins' sum is unchanged, every trade is on all
     * of its profiles or none (as its outcome says) and no intent is left.
     */
    @Test
    void tradesAcrossSlots_throughAPrimaryFailover_conserveCoins_andNeverTear() throws Exception {
        String namespace = "trades";
        try (RedisStorage storage = RedisStorage.connectCluster(redisCluster.uri(), options().withNamespace(namespace))) {
            ClusterTradeTorture.createProfiles(storage);
            List<ClusterTradeTorture.Trade> done = new CopyOnWriteArrayList<>();
            AtomicBoolean trading = new AtomicBoolean(true);
            Thread trader = Thread.ofPlatform().name("trader").start(() -> {
                Random random = new Random(7);
                for (int n = 0; trading.get(); n++) {
                    done.add(ClusterTradeTorture.trade(storage, random, "F" + n, false));
                }
            });
            try {
                long t0 = System.nanoTime();
                await("trades before").atMost(Duration.ofSeconds(30)).until(() -> done.size() >= 10);
                long killed = System.nanoTime();
                int victim = redisCluster.primaryOf(new RedisKeys(namespace).profile("s", "p0")[RedisKeys.RECORD]);
                int replica = redisCluster.replicaOf(victim);
                redisCluster.kill(victim);
                await("the replica promoted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions().until(() -> redisCluster.admin(replica).info("replication").contains("role:master"));
                redisCluster.restart(victim);
                await("the old primary back as a replica").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions().until(() -> redisCluster.admin(victim).info("replication")
                                .contains("master_link_status:up"));
                int after = done.size();
                await("trades after").atMost(Duration.ofSeconds(30)).until(() -> done.stream().skip(after)
                        .filter(t -> t.expect() == ClusterTradeTorture.Expect.APPLIED).count() >= 5);
                LOG.info("trades: 10 before the kill in {} ms; primary {} killed, replica promoted, old primary back, 5 more"
                        + " landed after {} ms", TimeUnit.NANOSECONDS.toMillis(killed - t0), victim,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            } finally {
                trading.set(false);
                trader.join();
            }
            redisCluster.awaitHealthy();
            ClusterTradeTorture.check(storage, done, namespace, "failover run", redisCluster);
        }
    }

    /**
     * The node the subscription connection uses dies for good. Listeners are reached again once the client has
     * reconnected the subscription to another node and re-subscribed.
     */
    @Test
    void theSubscriptionsNodeDies_listenersAreReachedAgain() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        String probe = "ps-subscription-probe";
        int node = -1;
        try (RedisMessaging listener = RedisMessaging.connectCluster(redisCluster.uri() + "?clientName=" + probe, options());
                RedisMessaging sender = RedisMessaging.connectCluster(redisCluster.uri(), options());
                var subscription = listener.subscribe("probe", got::add)) {
            await("first delivery").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                sender.publish("probe", new byte[] {1});
                return !got.isEmpty();
            });
            node = subscriberNode(probe);
            boolean primary = redisCluster.admin(node).info("replication").contains("role:master");
            int replica = primary ? redisCluster.replicaOf(node) : -1;
            redisCluster.kill(node);
            if (primary) {
                await("replica promoted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions().until(() -> redisCluster.admin(replica).info("replication")
                                .contains("role:master"));
            }
            got.clear();
            long t0 = System.nanoTime();
            await("delivery with the subscription's node gone").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        sender.publish("probe", new byte[] {2});
                        return !got.isEmpty();
                    });
            LOG.info("node {} ({}) of the subscription killed; delivered again after {} ms", node,
                    primary ? "primary" : "replica", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } finally {
            if (node > 0) {
                int restarted = node;
                redisCluster.restart(restarted);
                await("node " + restarted + " synced").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions().until(() -> redisCluster.admin(restarted).info("replication")
                                .contains("master_link_status:up"));
                redisCluster.awaitHealthy();
            }
        }
    }

    /** The node holding the subscribed connection named {@code name}. */
    private static int subscriberNode(String name) {
        for (int port : redisCluster.ports()) {
            for (String line : redisCluster.admin(port).clientList().split("\n")) {
                if (line.contains(" name=" + name + " ") && !line.contains(" sub=0 ")) {
                    return port;
                }
            }
        }
        throw new IllegalStateException("no node has a subscribed connection named " + name);
    }

    /** One of the test's keys ({@code p0} ... ) whose slot the primary on {@code port} serves. */
    private static String keyServedBy(int port, int keys) {
        for (int k = 0; k < keys; k++) {
            if (redisCluster.serves(port, new RedisKeys("load").profile("s", "p" + k)[RedisKeys.RECORD])) {
                return "p" + k;
            }
        }
        throw new IllegalStateException("no test key on " + port);
    }
}
