package dev.profilestore.testkit;

import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileStoreBuilder;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.faults.FaultyMessaging;
import dev.profilestore.testkit.faults.FaultyStorage;
import dev.profilestore.time.ManualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several servers in one JVM over one shared store, on one manual clock. Every executor runs on the
 * calling thread, so a scenario is a deterministic sequence of calls and clock moves.
 */
public final class Cluster implements AutoCloseable {

    public static final String STORE = "PlayerStore";

    public final ManualScheduler clock = new ManualScheduler();
    public final Storage shared;
    public final InMemoryMessaging hub = new InMemoryMessaging();
    private final List<Server> servers = new ArrayList<>();
    private final Duration lease;

    /** A cluster whose servers use the default 15 s lease. */
    public Cluster(java.util.function.Function<ManualScheduler, Storage> storage) {
        this(storage, Duration.ofSeconds(15));
    }

    /** A cluster whose servers use {@code lease}. */
    public Cluster(java.util.function.Function<ManualScheduler, Storage> storage, Duration lease) {
        this.shared = storage.apply(clock);
        this.lease = lease;
    }

    /** The servers' lease. */
    public Duration lease() {
        return lease;
    }

    /** One simulated game server. */
    public record Server(String id, ProfileStore<PlayerData> store, FaultyStorage storage, FaultyMessaging messaging) {
        /** The process dies: nothing it sends reaches the store or other servers any more. */
        public void crash() {
            storage.down = true;
            messaging.down = true;
        }
    }

    public Server server(String id) {
        return server(id, b -> b);
    }

    public Server server(String id, UnaryOperator<ProfileStoreBuilder<PlayerData>> customize) {
        var storage = new FaultyStorage(shared);
        var messaging = new FaultyMessaging(hub);
        ProfileStoreBuilder<PlayerData> builder = ProfileStore.builder(STORE, PlayerData.class, PlayerData::new)
                .storage(storage)
                .messaging(messaging)
                .serverId(id)
                .lease(lease)
                .scheduler(clock)
                .callbackExecutor(Runnable::run)
                .ioExecutor(Runnable::run);
        var server = new Server(id, customize.apply(builder).build(), storage, messaging);
        servers.add(server);
        return server;
    }

    public void advance(Duration d) {
        clock.advance(d);
    }

    /** The future's value; fails the test if it is not complete yet (nothing here may need real time). */
    public static <R> R done(CompletableFuture<R> future) {
        assertThat(future).as("completed without waiting for real time").isDone();
        return future.join();
    }

    @Override
    public void close() {
        for (Server s : servers) {
            s.storage.down = false;
            s.messaging.down = false;
            var closing = s.store.closeAsync();
            clock.advance(Duration.ofMinutes(1));
            assertThat(closing).isDone();
        }
        shared.close();
    }
}
