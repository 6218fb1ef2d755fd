package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Redis server goes away and comes back on the same port, mid-test. */
class RedisRestartTest {

    private TestRedis redis;
    private RedisBackend backend;

    @BeforeEach
    void start() {
        redis = TestRedis.durable();
        backend = RedisBackend.open(redis.uri(), RedisOptions.defaults().withMaxReconnectDelay(Duration.ofMillis(200))
                .withCommandTimeout(Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() {
        backend.close();
        redis.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void storageAndMessagingRecoverAfterRedisRestartsAndAofKeepsTheSavedRecord() {
        RedisStorage storage = backend.storage();
        RedisMessaging messaging = backend.messaging();
        long rev = ((WriteResult.Written) storage.write("store", "player", Storage.ABSENT,
                new RecordWrite(bytes("before restart"), Set.of(1L), RecordWrite.Versioning.SNAPSHOT))).revision();
        List<byte[]> got = new CopyOnWriteArrayList<>();
        messaging.subscribe("hints", got::add);
        messaging.publish("hints", bytes("one"));
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);

        redis.restart();

        // Operations succeed again once Lettuce has reconnected; the scripts are gone from the new
        // process, so this also exercises the EVALSHA -> EVAL fallback.
        StoredRecord read = await().atMost(Duration.ofSeconds(15)).ignoreException(StorageException.class)
                .until(() -> storage.read("store", "player"), r -> r.isPresent()).orElseThrow();
        assertThat(read.revision()).isEqualTo(rev);
        assertThat(read.payload()).isEqualTo(bytes("before restart"));
        WriteResult after = await().atMost(Duration.ofSeconds(15)).ignoreException(StorageException.class)
                .until(() -> storage.write("store", "player", rev,
                        new RecordWrite(bytes("after restart"), Set.of(1L), RecordWrite.Versioning.NONE)), r -> true);
        assertThat(after).isInstanceOf(WriteResult.Written.class);
        long afterRevision = ((WriteResult.Written) after).revision();
        assertThat(storage.writeAsync("store", "player", afterRevision, new RecordWrite(bytes("async"), Set.of(1L),
                RecordWrite.Versioning.NONE), Runnable::run)).succeedsWithin(Duration.ofSeconds(5))
                .isInstanceOf(WriteResult.Written.class);
        assertThat(storage.readAsync("store", "player", Runnable::run)).succeedsWithin(Duration.ofSeconds(5))
                .satisfies(r -> assertThat(r.orElseThrow().payload()).isEqualTo(bytes("async")));
        assertThat(storage.keysByUserId("store", 1L)).containsExactly("player");

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
            messaging.publish("hints", bytes("after restart"));
            return got.stream().anyMatch(m -> new String(m, StandardCharsets.UTF_8).equals("after restart"));
        });
    }

    @Test
    void whileRedisIsDownStorageFailsFastWithStorageExceptionAndPublishDoesNotBlock() {
        RedisStorage storage = backend.storage();
        RedisMessaging messaging = backend.messaging();
        storage.renewLease("server-1", Duration.ofMinutes(1));

        redis.stop();

        long start = System.nanoTime();
        assertThatThrownBy(() -> storage.read("store", "player")).isInstanceOf(StorageException.class)
                .hasMessageContaining("read store/player");
        assertThatThrownBy(() -> storage.write("store", "player", Storage.ABSENT,
                new RecordWrite(bytes("x"), Set.of(), RecordWrite.Versioning.NONE))).isInstanceOf(StorageException.class);
        // The non-blocking twins fail the same way, through their futures.
        assertThat(storage.readAsync("store", "player", Runnable::run)).failsWithin(Duration.ofSeconds(5))
                .withThrowableThat().havingCause().isInstanceOf(StorageException.class)
                .withMessageContaining("read store/player");
        assertThat(storage.writeAsync("store", "player", 7, new RecordWrite(bytes("x"), Set.of(),
                RecordWrite.Versioning.NONE), Runnable::run)).failsWithin(Duration.ofSeconds(5))
                .withThrowableThat().havingCause().isInstanceOf(StorageException.class)
                .withMessageContaining("write store/player");
        for (int i = 0; i < 1000; i++) {
            messaging.publish("hints", bytes("lost"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("failing calls return well before the 2 s command timeout").isLessThan(Duration.ofMillis(1500));

        redis.start();

        assertThat(await().atMost(Duration.ofSeconds(15)).ignoreException(StorageException.class)
                .until(() -> storage.isLeaseLive("server-1"), live -> true))
                .as("the lease survived the restart in the AOF").isTrue();
    }

    @Test
    void connectingToAServerThatIsNotThereFailsWithStorageException() {
        redis.stop();
        assertThatThrownBy(() -> RedisStorage.connect(redis.uri(), RedisOptions.defaults()
                .withCommandTimeout(Duration.ofSeconds(1))))
                .isInstanceOf(StorageException.class).hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:");
        redis.start();
    }
}
