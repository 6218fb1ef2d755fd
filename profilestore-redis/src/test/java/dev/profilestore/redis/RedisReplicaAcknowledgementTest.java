package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What each {@link RedisOptions#replicas()} setting loses and keeps when the primary dies and its replica takes
 * over. Made deterministic by cutting replication at a chosen point: the replica is pointed at a port where nothing
 * listens ({@code REPLICAOF}), so it keeps its data but receives nothing more, then the primary is stopped and the
 * replica promoted ({@code REPLICAOF NO ONE}), as a failover would.
 */
class RedisReplicaAcknowledgementTest {

    @Test
    void withoutReplicasAnAcknowledgedWriteIsLost_withOneReplicaItIsKeptOrTheWriteFailed() {
        try (TestRedis primary = TestRedis.ephemeral();
                TestRedis replica = TestRedis.withSettings("save \"\"", "appendonly no",
                        "replicaof 127.0.0.1 " + primary.port());
                RedisStorage async = RedisStorage.connect(primary.uri());
                RedisStorage durable = RedisStorage.connect(primary.uri() + "?replicas=1&replicaTimeout=300ms")) {
            await("replica in sync").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> replica.admin().info("replication").contains("master_link_status:up"));

            long a1 = written(async.write("s", "async", Storage.ABSENT, text("a1")));
            long d1 = written(durable.write("s", "durable", Storage.ABSENT, text("d1")));
            // The durable write's WAIT also covered the earlier write on the same server: both are on the replica now.
            assertThat(replica.admin().hget("profilestore:{s:durable}:r", "payload")).isEqualTo("d1");

            replica.admin().replicaof("127.0.0.1", 1); // cut: the replica keeps its data, gets nothing new
            await("replication cut").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> primary.admin().info("replication").contains("connected_slaves:0"));

            WriteResult a2 = async.write("s", "async", a1, text("a2"));
            assertThat(a2).as("replicas=0 acknowledges once the primary has it").isInstanceOf(WriteResult.Written.class);
            assertThatThrownBy(() -> durable.write("s", "durable", d1, text("d2")))
                    .as("replicas=1 fails a write no replica confirmed").isInstanceOf(StorageException.class)
                    .hasMessageContaining("0 of 1 replica");

            // Closed before the primary goes, so their clients do not spend the test reconnecting to it.
            async.close();
            durable.close();
            primary.stop();
            replica.admin().replicaofNoOne(); // the failover
            try (RedisStorage promoted = RedisStorage.connect(replica.uri())) {
                assertThat(payload(promoted.read("s", "async"))).as("replicas=0: the acknowledged a2 is lost")
                        .isEqualTo("a1");
                assertThat(payload(promoted.read("s", "durable")))
                        .as("replicas=1: every acknowledged write kept; the failed d2 is absent").isEqualTo("d1");
            }
        }
    }

    @Test
    void replicaOptionsAreValidatedAndReadFromTheUri() {
        assertThat(RedisBackend.withUriOptions("redis://h:1/0?replicas=2&replicaTimeout=1s", RedisOptions.defaults()))
                .satisfies(o -> {
                    assertThat(o.replicas()).isEqualTo(2);
                    assertThat(o.replicaTimeout()).isEqualTo(Duration.ofSeconds(1));
                });
        assertThat(RedisBackend.withUriOptions("redis://h:1/0", RedisOptions.defaults()).replicas()).isZero();
        assertThatThrownBy(() -> RedisBackend.withUriOptions("redis://h:1?replicas=x", RedisOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replicas=x");
        assertThatThrownBy(() -> RedisOptions.defaults().withReplicas(-1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisOptions.defaults().withReplicas(1, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shorter than commandTimeout");
    }

    private static RecordWrite text(String s) {
        return new RecordWrite(s.getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE);
    }

    private static long written(WriteResult r) {
        assertThat(r).isInstanceOf(WriteResult.Written.class);
        return ((WriteResult.Written) r).revision();
    }

    private static String payload(Optional<StoredRecord> r) {
        return new String(r.orElseThrow().payload(), StandardCharsets.UTF_8);
    }
}
