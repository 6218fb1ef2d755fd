package dev.profilestore.redis;

import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.MessagingContract;
import dev.profilestore.testkit.AcknowledgementScenarios;
import dev.profilestore.testkit.SessionScenarios;
import dev.profilestore.testkit.StorageContract;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared conformance suites on one real redis-server: the Storage and Messaging specifications and
 * the behaviour scenarios. Each test gets its own namespace, so nothing leaks between tests.
 */
final class RedisConformanceTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static TestRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.ephemeral();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static RedisOptions fresh(int versions) {
        return RedisOptions.defaults().withNamespace("t" + NAMESPACES.incrementAndGet()).withVersionsPerKey(versions);
    }

    /** The Storage SPI specification. */
    @Nested
    final class RedisStorageContract extends StorageContract {
        @Override
        protected Storage createStorage() {
            return RedisStorage.connect(redis.uri(), fresh(versionsPerKey()));
        }

        @Override
        protected Storage createStorageKeepingNoSnapshots() {
            return RedisStorage.connect(redis.uri(), fresh(0));
        }

        @Override
        protected int versionsPerKey() {
            return 5;
        }
    }

    /** The Messaging SPI specification. */
    @Nested
    final class RedisMessagingContract extends MessagingContract {
        @Override
        protected Messaging createMessaging() {
            return RedisMessaging.connect(redis.uri(), RedisOptions.defaults());
        }
    }

    /** The behaviour scenarios of the lock protocol. */
    @Nested
    final class RedisSessionScenarios extends SessionScenarios {
        @Override
        protected Storage newStorage(ManualScheduler clock) {
            return RedisStorage.connect(redis.uri(), fresh(100));
        }
    }

    /** Every acknowledgement true, on every path. */
    @Nested
    final class RedisAcknowledgementScenarios extends AcknowledgementScenarios {
        @Override
        protected Storage newStorage(ManualScheduler clock) {
            return RedisStorage.connect(redis.uri(), fresh(100));
        }
    }
}
