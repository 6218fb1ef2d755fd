package dev.profilestore.redis;

import dev.profilestore.StorageException;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connecting from redis:// URIs with credentials and a database number. */
class RedisUriTest {

    @Test
    void aPasswordAndDatabaseInTheUriAreUsed() {
        try (TestRedis redis = TestRedis.withSettings("save \"\"", "appendonly no", "requirepass s3cret");
                RedisStorage storage = RedisStorage.connect("redis://:s3cret@127.0.0.1:" + redis.port() + "/3")) {
            storage.write("store", "k", Storage.ABSENT,
                    new RecordWrite("x".getBytes(StandardCharsets.UTF_8), Set.of(), RecordWrite.Versioning.NONE));
            assertThat(storage.description()).isEqualTo("redis://127.0.0.1:" + redis.port() + "/3")
                    .doesNotContain("s3cret");
            var admin = redis.adminWithPassword("s3cret");
            admin.select(3);
            assertThat(admin.exists("profilestore:{store:k}:r")).isEqualTo(1L);
            admin.select(0);
            assertThat(admin.exists("profilestore:{store:k}:r")).isEqualTo(0L);
        }
    }

    @Test
    void aWrongPasswordFailsWithStorageExceptionThatDoesNotShowIt() {
        try (TestRedis redis = TestRedis.withSettings("save \"\"", "appendonly no", "requirepass s3cret")) {
            assertThatThrownBy(() -> RedisStorage.connect("redis://:wrong@127.0.0.1:" + redis.port()))
                    .isInstanceOf(StorageException.class).hasMessageNotContaining("wrong@");
        }
    }

    @Test
    void tlsAndSentinelUrisParseAndOtherSchemesAreRejected() {
        assertThat(RedisBackend.parse("rediss://user:pw@cache.example:6380/1").isSsl()).isTrue();
        assertThat(RedisBackend.parse("rediss://user:pw@cache.example:6380/1").getDatabase()).isEqualTo(1);
        assertThat(RedisBackend.parse("redis-sentinel://pw@s1:26379,s2:26379/0#mymaster").getSentinelMasterId())
                .isEqualTo("mymaster");
        assertThatThrownBy(() -> RedisBackend.parse("jdbc:redis://x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisBackend.parse("localhost:6379")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://");
        assertThat(RedisBackend.redact("redis://user:pw@host:1/0")).isEqualTo("redis://***@host:1/0");
    }
}
