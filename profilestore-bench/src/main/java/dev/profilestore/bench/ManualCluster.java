package dev.profilestore.bench;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.testkit.PlayerData;
import dev.profilestore.time.ManualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One server on an in-memory store and a manual clock, every executor on the calling thread: simulated hours run
 * in seconds and every store call is counted by a {@link CountingStorage}.
 */
final class ManualCluster implements AutoCloseable {

    final ManualScheduler clock = new ManualScheduler();
    final InMemoryStorage memory;
    final CountingStorage storage;
    final ProfileStore<PlayerData> store;

    /** A server with default settings (300 s auto-save, 15 s lease). */
    ManualCluster(int versionsPerKey) {
        memory = new InMemoryStorage(clock, versionsPerKey);
        storage = new CountingStorage(memory);
        store = ProfileStore.builder("Sim", PlayerData.class, PlayerData::new)
                .storage(storage)
                .withoutMessaging() // one server: nothing to hand off to
                .serverId("sim-server")
                .scheduler(clock)
                .callbackExecutor(Runnable::run)
                .ioExecutor(Runnable::run)
                .build();
    }

    /** Starts sessions on {@code player-0 .. player-(n-1)}; with {@code active}, every save changes the data first. */
    List<Profile<PlayerData>> start(int n, boolean active) {
        List<Profile<PlayerData>> profiles = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            CompletableFuture<dev.profilestore.SessionStart<PlayerData>> f =
                    store.startSessionAsync("player-" + i, SessionOptions.defaults());
            clock.runDue();
            Profile<PlayerData> p = f.join().orElseThrow();
            if (active) {
                p.onSave().connect(v -> p.data().coins++);
            }
            profiles.add(p);
        }
        return profiles;
    }

    /** Ends every given session. */
    void end(List<Profile<PlayerData>> profiles) {
        for (Profile<PlayerData> p : profiles) {
            p.endSessionAsync();
        }
        clock.runDue();
    }

    /** Moves the clock, running every timer that falls due. */
    void advance(Duration d) {
        clock.advance(d);
    }

    @Override
    public void close() {
        var closing = store.closeAsync();
        clock.advance(Duration.ofMinutes(2));
        closing.join();
    }
}
