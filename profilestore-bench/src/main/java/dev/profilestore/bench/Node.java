package dev.profilestore.bench;

import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileStoreBuilder;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.PlayerData;
import dev.profilestore.testkit.faults.FaultyMessaging;
import dev.profilestore.testkit.faults.FaultyStorage;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * One simulated game server on real clocks: a {@link ProfileStore} over its own storage and messaging instances,
 * wrapped in the test kit's fault decorators so it can lose messages or crash.
 */
final class Node implements AutoCloseable {

    final String id;
    final ProfileStore<PlayerData> store;
    final FaultyStorage storage;
    final FaultyMessaging messaging;
    private final Storage rawStorage;
    private final Messaging rawMessaging;

    Node(Backend backend, String storeName, String id, Duration lease, UnaryOperator<ProfileStoreBuilder<PlayerData>> more) {
        this.id = id;
        this.rawStorage = backend.storage();
        this.rawMessaging = backend.messaging();
        this.storage = new FaultyStorage(rawStorage);
        this.messaging = new FaultyMessaging(rawMessaging);
        ProfileStoreBuilder<PlayerData> b = ProfileStore.builder(storeName, PlayerData.class, PlayerData::new)
                .storage(storage)
                .messaging(messaging)
                .serverId(id)
                .lease(lease)
                .closeTimeout(Duration.ofSeconds(5));
        this.store = more.apply(b).build();
    }

    /** The process dies: nothing it does reaches the store or the other servers any more. */
    void crash() {
        storage.down = true;
        messaging.down = true;
    }

    @Override
    public void close() {
        storage.down = false;
        messaging.down = false;
        try {
            store.close();
        } finally {
            rawMessaging.close();
            rawStorage.close();
        }
    }
}
