package dev.profilestore.redis;

import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.spi.Messaging;
import dev.profilestore.testkit.AcknowledgementScenarios;
import dev.profilestore.testkit.MessagingContract;
import dev.profilestore.testkit.SessionScenarios;
import dev.profilestore.testkit.StorageContract;
import dev.profilestore.time.ManualScheduler;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The storage and messaging on a real Redis Cluster of three primaries with a replica each: profiles spread over
 * slots and nodes, and the shared conformance suites (each test in its own namespace). Failover is in
 * {@link RedisClusterFailoverTest}.
 */
// try-with-resources only to close subscriptions and servers at the end of each test
@SuppressWarnings("try")
class RedisClusterTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static TestRedisCluster redisCluster;
    private static RedisBackend backend;

    @BeforeAll
    static void startCluster() {
        redisCluster = TestRedisCluster.start(1);
        backend = RedisBackend.openCluster(redisCluster.uri(), RedisOptions.defaults());
    }

    @AfterAll
    static void stopCluster() {
        if (backend != null) {
            backend.close();
        }
        if (redisCluster != null) {
            redisCluster.close();
        }
    }

    /**
     * Options with a namespace of their own. The suites' storages share {@link #backend}'s cluster client (each
     * with its own connection): a client per storage would rediscover the topology and start threads every time.
     */
    private static RedisOptions fresh(int versions) {
        return RedisOptions.defaults().withNamespace("c" + NAMESPACES.incrementAndGet()).withVersionsPerKey(versions);
    }

    /**
     * The Storage SPI specification, with a replica acknowledging each write; the atomic multi-key writes run across
     * slots (the contract's keys "a", "b", "c" live in different ones).
     */
    @Nested
    final class ClusterStorageContract extends StorageContract {
        @Override
        protected Storage createStorage() {
            // A replica acknowledges every script: the WAIT path of each one runs against the contract.
            return backend.newStorage(fresh(versionsPerKey()).withReplicas(1, Duration.ofSeconds(2)), null);
        }

        @Override
        protected Storage createStorageKeepingNoSnapshots() {
            return backend.newStorage(fresh(0), null);
        }

        @Override
        protected int versionsPerKey() {
            return 5;
        }
    }

    /** The Messaging SPI specification, publishers and subscribers on different nodes. */
    @Nested
    final class ClusterMessagingContract extends MessagingContract {
        @Override
        protected Messaging createMessaging() {
            return RedisMessaging.connectCluster(redisCluster.uri(), RedisOptions.defaults());
        }
    }

    /** The behaviour scenarios of the lock protocol. */
    @Nested
    final class ClusterSessionScenarios extends SessionScenarios {
        @Override
        protected Storage newStorage(ManualScheduler clock) {
            return backend.newStorage(fresh(100), null);
        }
    }

    /** Every acknowledgement true, on every path. */
    @Nested
    final class ClusterAcknowledgementScenarios extends AcknowledgementScenarios {
        @Override
        protected Storage newStorage(ManualScheduler clock) {
            return backend.newStorage(fresh(100), null);
        }
    }

    /** Trades across slots: crashes of the coordinator, conflicts, what readers see. */
    @Nested
    final class Trades extends ClusterTradeChecks {
        @Override
        protected RedisBackend backend() {
            return backend;
        }

        @Override
        protected TestRedisCluster cluster() {
            return redisCluster;
        }
    }

    /** The simulator's workload and checker, trades across slots, coordinators stopped half way. */
    @Nested
    final class Simulation extends ClusterSimulation {
        @Override
        protected RedisBackend backend() {
            return backend;
        }
    }

    /** Random trades with crashed coordinators: coins conserved, no torn trade. */
    @Nested
    final class TradeTorture extends ClusterTradeTorture {
        @Override
        protected RedisBackend backend() {
            return backend;
        }

        @Override
        protected TestRedisCluster cluster() {
            return redisCluster;
        }
    }

    static RecordWrite rw(String payload, RecordWrite.Versioning v, Long... userIds) {
        return new RecordWrite(payload.getBytes(StandardCharsets.UTF_8), Set.of(userIds), v);
    }

    @Test
    void profilesInManySlotsSupportEveryOperation() {
        RedisStorage storage = backend.storage();
        assertThat(storage.capabilities().atomicMultiWrite()).isTrue();
        Set<Integer> slots = new HashSet<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String key = "player-" + i;
            keys.add(key);
            slots.add(SlotHash.getSlot("profilestore:{cl:" + key + "}:r"));
            long r1 = ((WriteResult.Written) storage.write("cl", key, Storage.ABSENT,
                    rw("v1-" + i, RecordWrite.Versioning.SNAPSHOT, (long) i % 3))).revision();
            assertThat(storage.write("cl", key, r1, rw("v2-" + i, RecordWrite.Versioning.PRESERVE_PREVIOUS, (long) i % 3)))
                    .isInstanceOf(WriteResult.Written.class);
            assertThat(storage.write("cl", key, r1, rw("stale", RecordWrite.Versioning.NONE)))
                    .isInstanceOf(WriteResult.Conflict.class);
            assertThat(storage.versions("cl", key, VersionRange.all(10))).extracting(VersionInfo::revision)
                    .containsExactly(r1);
        }
        assertThat(slots).as("the keys really spread over slots").hasSizeGreaterThan(20);
        assertThat(storage.listKeys("cl", null, 100)).containsExactlyInAnyOrderElementsOf(keys).isSortedAccordingTo(
                (x, y) -> java.util.Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        assertThat(storage.keysByUserId("cl", 1L)).hasSize(10).allMatch(k -> Integer.parseInt(k.substring(7)) % 3 == 1);
        storage.purge("cl", "player-1");
        assertThat(storage.keysByUserId("cl", 1L)).hasSize(9).doesNotContain("player-1");
        assertThat(storage.remove("cl", "player-4", storage.read("cl", "player-4").orElseThrow().revision())).isTrue();
        assertThat(storage.listKeys("cl", null, 100)).hasSize(28);

        storage.renewLease("node-x", Duration.ofSeconds(10));
        assertThat(storage.isLeaseLive("node-x")).isTrue();
        storage.dropLease("node-x");
        assertThat(storage.isLeaseLive("node-x")).isFalse();
    }

    @Test
    void revisionsIncreaseAcrossRemoveAndPurgeInEverySlot() {
        // Each write and purge script also touches the slot's revision floor: a CROSSSLOT error would fail here.
        RedisStorage storage = backend.storage();
        for (int i = 0; i < 20; i++) {
            String key = "again-" + i;
            long r1 = ((WriteResult.Written) storage.write("cl", key, Storage.ABSENT,
                    rw("a", RecordWrite.Versioning.SNAPSHOT))).revision();
            long r2 = ((WriteResult.Written) storage.write("cl", key, r1, rw("b", RecordWrite.Versioning.NONE))).revision();
            assertThat(storage.remove("cl", key, r2)).isTrue();
            long r3 = ((WriteResult.Written) storage.write("cl", key, Storage.ABSENT,
                    rw("c", RecordWrite.Versioning.NONE))).revision();
            storage.purge("cl", key);
            long r4 = ((WriteResult.Written) storage.write("cl", key, Storage.ABSENT,
                    rw("d", RecordWrite.Versioning.NONE))).revision();
            assertThat(List.of(r1, r2, r3, r4)).as("revisions of %s", key).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void pubSubReachesSubscribersAcrossTheCluster() {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (RedisMessaging other = RedisMessaging.connect("redis://127.0.0.1:" + redisCluster.ports().get(2));
                var s = backend.messaging().subscribe("hint", got::add)) {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                other.publish("hint", "x".getBytes(StandardCharsets.UTF_8));
                return !got.isEmpty();
            });
        }
    }
}
