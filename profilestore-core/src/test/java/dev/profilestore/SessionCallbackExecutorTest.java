package dev.profilestore;

import com.fasterxml.jackson.annotation.JsonGetter;
import com.fasterxml.jackson.annotation.JsonSetter;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A session started with its own callback executor (the player's thread): its signals, message handlers and save
 * snapshots run there, while other sessions stay on the store's executor.
 */
class SessionCallbackExecutorTest {

    /** Records the thread every save serializes the coins on: the snapshot's thread. */
    public static final class Wallet {
        static final Set<String> serializedOn = ConcurrentHashMap.newKeySet();
        private long coins;

        /** The coins, as serialized. */
        @JsonGetter("coins")
        public long coins() {
            serializedOn.add(Thread.currentThread().getName());
            return coins;
        }

        /** Sets the coins, as deserialized. */
        @JsonSetter("coins")
        public void coins(long coins) {
            this.coins = coins;
        }
    }

    private final InMemoryStorage storage = new InMemoryStorage();
    private final ExecutorService player = Executors.newSingleThreadExecutor(r -> new Thread(r, "player-thread"));
    private final ExecutorService storeThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "store-thread"));

    @AfterEach
    void stop() {
        player.shutdownNow();
        storeThread.shutdownNow();
        Wallet.serializedOn.clear();
    }

    private ProfileStore<Wallet> store(String id, Duration storageTimeout) {
        return ProfileStore.builder("Wallets", Wallet.class, Wallet::new)
                .storage(storage)
                .messaging(new InMemoryMessaging())
                .serverId(id)
                .callbackExecutor(storeThread)
                .storageTimeout(storageTimeout)
                .build();
    }

    @Test
    void signalsHandlersAndSnapshots_runOnTheSessionsExecutor() {
        Map<String, String> threads = new ConcurrentHashMap<>();
        List<Long> applied = new CopyOnWriteArrayList<>();
        try (var store = store("a", Duration.ofSeconds(5))) {
            var profile = store.startSession("p1", SessionOptions.defaults().withCallbackExecutor(player)).orElseThrow();
            profile.onSave().connect(v -> threads.put("onSave", Thread.currentThread().getName()));
            profile.onAfterSave().connect(v -> threads.put("onAfterSave", Thread.currentThread().getName()));
            profile.onLastSave().connect(v -> threads.put("onLastSave", Thread.currentThread().getName()));
            profile.onSessionEnd().connect(v -> threads.put("onSessionEnd", Thread.currentThread().getName()));
            // Registered on the store's executor, as the option's documentation asks.
            store.callbackExecutor().execute(() -> profile.messageHandler((message, processed) -> {
                threads.put("handler", Thread.currentThread().getName());
                profile.data().coins += message.body().asLong();
                applied.add(message.body().asLong());
                processed.run();
            }));
            store.messageAsync("p1", 25L).join();
            // The game changes the data on the player's thread; the save takes it there too.
            java.util.concurrent.CompletableFuture.runAsync(() -> profile.data().coins += 100, player).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 1);
            Wallet.serializedOn.clear();
            profile.saveAsync().join();
            assertThat(Wallet.serializedOn).containsExactly("player-thread");
            profile.endSession();
            assertThat(store.getAsync("p1").join().orElseThrow().data().coins).isEqualTo(125);
        }
        assertThat(threads).containsOnlyKeys("onSave", "onAfterSave", "onLastSave", "onSessionEnd", "handler");
        assertThat(threads.values()).containsOnly("player-thread");
        assertThat(applied).containsExactly(25L);
    }

    @Test
    void aSessionWithoutTheOption_staysOnTheStoresExecutor() {
        Map<String, String> threads = new ConcurrentHashMap<>();
        try (var store = store("a", Duration.ofSeconds(5))) {
            var mine = store.startSession("p1", SessionOptions.defaults().withCallbackExecutor(player)).orElseThrow();
            var other = store.startSession("p2", SessionOptions.defaults()).orElseThrow();
            mine.onSave().connect(v -> threads.put("mine", Thread.currentThread().getName()));
            other.onSave().connect(v -> threads.put("other", Thread.currentThread().getName()));
            mine.saveAsync().join();
            other.saveAsync().join();
        }
        assertThat(threads).containsEntry("mine", "player-thread").containsEntry("other", "store-thread");
    }

    @Test
    void anExecutorThatNeverRuns_failsTheSaveWithinTheStorageTimeout_andEndsUnsaved() {
        var stuck = (java.util.concurrent.Executor) task -> { };
        List<SessionEndReason> ends = new CopyOnWriteArrayList<>();
        try (var store = store("a", Duration.ofMillis(300))) {
            var profile = store.startSession("p1", SessionOptions.defaults().withCallbackExecutor(stuck)).orElseThrow();
            // The listener is skipped (the executor never runs it); the end reason is read from the future instead.
            profile.onSessionEnd().connect(ends::add);
            assertThat(profile.saveAsync()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .withRootCauseInstanceOf(StorageException.class)
                    .withMessageContaining("callback executor");
            assertThat(profile.endSessionAsync()).failsWithin(Duration.ofSeconds(10));
            assertThat(profile.isActive()).isFalse();
        }
        assertThat(ends).as("a listener the executor never ran is skipped, never run late").isEmpty();
        // The lock was released: another server starts at once, with the data as last saved.
        try (var other = store("b", Duration.ofSeconds(5))) {
            var next = other.startSession("p1", SessionOptions.defaults().withTimeout(Duration.ofSeconds(5)));
            assertThat(next.isStarted()).isTrue();
        }
    }
}
