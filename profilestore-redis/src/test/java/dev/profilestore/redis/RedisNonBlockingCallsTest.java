package dev.profilestore.redis;

import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis answers a read and an update through Lettuce alone: the executor for blocking work that the engine passes
 * is used only by the writes that need more than one round trip (a create, a write that adds a user id).
 */
class RedisNonBlockingCallsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private TestRedis redis;
    private RedisStorage storage;
    private final AtomicInteger blockingTasks = new AtomicInteger();
    private final Executor blocking = task -> {
        blockingTasks.incrementAndGet();
        Thread.ofVirtual().start(task);
    };

    @BeforeEach
    void start() {
        redis = TestRedis.ephemeral();
        storage = RedisStorage.connect(redis.uri(), RedisOptions.defaults());
    }

    @AfterEach
    void stop() {
        storage.close();
        redis.close();
    }

    private static RecordWrite text(String text, Long... userIds) {
        return new RecordWrite(text.getBytes(StandardCharsets.UTF_8), Set.of(userIds), RecordWrite.Versioning.NONE);
    }

    @Test
    void aReadAndAnUpdate_areAnsweredWithoutTheBlockingExecutor() {
        long created = ((WriteResult.Written) storage.write("s", "k", Storage.ABSENT, text("v1", 1L))).revision();

        assertThat(storage.readAsync("s", "k", blocking)).succeedsWithin(PATIENCE)
                .satisfies(r -> assertThat(r.orElseThrow().revision()).isEqualTo(created));
        assertThat(storage.writeAsync("s", "k", created, text("v2", 1L), blocking)).succeedsWithin(PATIENCE)
                .isInstanceOf(WriteResult.Written.class);
        assertThat(storage.writeAsync("s", "k", created, text("stale", 1L), blocking)).succeedsWithin(PATIENCE)
                .isInstanceOf(WriteResult.Conflict.class);

        assertThat(blockingTasks).hasValue(0);
    }

    @Test
    void aCreate_andAWriteThatAddsAUserId_goTheBlockingWay_andLand() throws Exception {
        WriteResult created = storage.writeAsync("s", "k", Storage.ABSENT, text("v1", 1L), blocking)
                .get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(blockingTasks).as("the create").hasValue(1);
        long revision = ((WriteResult.Written) created).revision();

        assertThat(storage.writeAsync("s", "k", revision, text("v2", 1L, 2L), blocking)).succeedsWithin(PATIENCE)
                .isInstanceOf(WriteResult.Written.class);

        assertThat(blockingTasks).as("the create, then the write whose new user id is indexed first").hasValue(2);
        assertThat(storage.keysByUserId("s", 2L)).containsExactly("k");
    }
}
