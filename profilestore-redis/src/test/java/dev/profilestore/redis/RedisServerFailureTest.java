package dev.profilestore.redis;

import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.ServerFailureScenarios;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/**
 * The server-failure scenarios on a redis-server of its own, with AOF and fsync on every write (the persistence
 * durability needs, see {@link PersistenceCheck}), so its data survives {@link TestRedis#restart()}.
 *
 * <p>Storages and messaging connect with the client names {@value #STORAGE} and {@value #MESSAGING}; a connection
 * drop is a {@code CLIENT KILL ID} of every connection with that name, found in {@code CLIENT LIST}.
 */
final class RedisServerFailureTest extends ServerFailureScenarios {

    private static final String STORAGE = "ps-failures-storage";
    private static final String MESSAGING = "ps-failures-messaging";
    private static TestRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.durable();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static RedisOptions options() {
        return RedisOptions.defaults().withCommandTimeout(Duration.ofSeconds(2))
                .withMaxReconnectDelay(Duration.ofMillis(200));
    }

    @Override
    protected Storage newStorage() {
        return RedisStorage.connect(redis.uri() + "?clientName=" + STORAGE, options());
    }

    @Override
    protected Messaging newMessaging() {
        return RedisMessaging.connect(redis.uri() + "?clientName=" + MESSAGING, options());
    }

    @Override
    protected void restartServer() {
        redis.restart();
    }

    @Override
    protected int dropStorageConnections() {
        return kill(STORAGE);
    }

    @Override
    protected int dropMessagingConnections() {
        return kill(MESSAGING);
    }

    private static int kill(String name) {
        return TestRedis.killClients(redis.admin(), name);
    }
}
