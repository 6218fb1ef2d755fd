package dev.profilestore.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the storage logs at start-up about Redis's persistence settings. */
// try-with-resources only to close subscriptions and servers at the end of each test
@SuppressWarnings("try")
class PersistenceWarningTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(RedisStorage.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void capture() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
    }

    private List<String> messages(Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void warnsWhenRedisHasNeitherAofNorRdb() {
        try (TestRedis redis = TestRedis.ephemeral(); RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).singleElement().asString()
                    .contains("persists nothing").contains("appendonly yes");
        }
    }

    @Test
    void doesNotWarnWhenRedisUsesAofWithFsync() {
        try (TestRedis redis = TestRedis.durable(); RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).isEmpty();
            assertThat(messages(Level.INFO)).anyMatch(m -> m.contains("AOF (appendfsync always)"));
        }
    }

    @Test
    void fallsBackToInfoPersistenceWhenConfigIsDisabled() {
        try (TestRedis redis = TestRedis.withSettings("save \"\"", "appendonly no", "rename-command CONFIG \"\"");
                RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).filteredOn(m -> !m.contains("maxmemory-policy")).singleElement().asString()
                    .contains("AOF off").contains("unknown");
        }
    }

    @Test
    void warnsWhenTheEvictionPolicyCanDeleteProfiles() {
        try (TestRedis redis = TestRedis.withSettings("save \"\"", "appendonly yes", "appendfsync always",
                "maxmemory 64mb", "maxmemory-policy allkeys-lru");
                RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).singleElement().asString().contains("maxmemory-policy allkeys-lru")
                    .contains("delete profile records").contains("Set maxmemory-policy noeviction");
        }
    }

    @Test
    void warnsWhenTheEvictionPolicyCanDeleteLeases() {
        try (TestRedis redis = TestRedis.withSettings("save \"\"", "appendonly yes", "appendfsync always",
                "maxmemory-policy volatile-ttl");
                RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).singleElement().asString().contains("maxmemory-policy volatile-ttl")
                    .contains("server leases").contains("noeviction");
        }
    }

    @Test
    void doesNotWarnAboutEvictionUnderNoeviction() {
        try (TestRedis redis = TestRedis.withSettings("save \"\"", "appendonly yes", "appendfsync always",
                "maxmemory 64mb", "maxmemory-policy noeviction");
                RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).isEmpty();
        }
    }

    @Test
    void warnsThatTheEvictionPolicyCouldNotBeCheckedWhenConfigIsDisabled() {
        try (TestRedis redis = TestRedis.withSettings("save \"\"", "appendonly yes", "rename-command CONFIG \"\"");
                RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).singleElement().asString().contains("Could not read maxmemory-policy")
                    .contains("noeviction");
        }
    }

    @Test
    void warnsAboutRdbOnlyPersistence() {
        try (TestRedis redis = TestRedis.withSettings("save 900 1", "appendonly no");
                RedisStorage storage = RedisStorage.connect(redis.uri())) {
            assertThat(messages(Level.WARN)).singleElement().asString().contains("only RDB snapshots");
        }
    }
}
