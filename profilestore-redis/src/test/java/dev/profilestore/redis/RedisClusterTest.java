package dev.profilestore.redis;

import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisShardedCluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The storage and messaging on a real three-node Redis Cluster: profiles spread over slots and nodes. */
// try-with-resources only to close subscriptions and servers at the end of each test
@SuppressWarnings("try")
class RedisClusterTest {

    private static RedisShardedCluster cluster;
    private static RedisBackend backend;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = RedisShardedCluster.newRedisCluster().ephemeral()
                .shard("a", 0).shard("b", 0).shard("c", 0)
                .initializationTimeout(Duration.ofSeconds(20)).build();
        cluster.start();
        // Slots are assigned at start, but each node reports the cluster usable only once gossip settles.
        for (int port : cluster.serverPorts()) {
            RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
            try (var c = client.connect()) {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> c.sync().clusterInfo().contains("cluster_state:ok"));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
        backend = RedisBackend.openCluster("redis://127.0.0.1:" + cluster.serverPorts().get(0), RedisOptions.defaults());
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (backend != null) {
            backend.close();
        }
        if (cluster != null) {
            cluster.stop();
        }
    }

    static RecordWrite rw(String payload, RecordWrite.Versioning v, Long... userIds) {
        return new RecordWrite(payload.getBytes(StandardCharsets.UTF_8), Set.of(userIds), v);
    }

    @Test
    void profilesInManySlotsSupportEveryOperationAndMultiWriteIsDeclaredUnsupported() {
        RedisStorage storage = backend.storage();
        assertThat(storage.capabilities().atomicMultiWrite()).isFalse();
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

        assertThatThrownBy(() -> storage.writeAll(List.of(new KeyedWrite("cl", "a", Storage.ABSENT,
                rw("x", RecordWrite.Versioning.NONE))))).isInstanceOf(UnsupportedOperationException.class);
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
        try (RedisMessaging other = RedisMessaging.connect("redis://127.0.0.1:" + cluster.serverPorts().get(2));
                var s = backend.messaging().subscribe("hint", got::add)) {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                other.publish("hint", "x".getBytes(StandardCharsets.UTF_8));
                return !got.isEmpty();
            });
        }
    }
}
