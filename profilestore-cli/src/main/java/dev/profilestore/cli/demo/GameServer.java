package dev.profilestore.cli.demo;

import dev.profilestore.Profile;
import dev.profilestore.ProfileMessage;
import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileStoreBuilder;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.testkit.faults.FaultyStorage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One game server of {@code demo --processes}: a {@link ProfileStore} with its players' sessions, their game play
 * (coins earned every tick, trades between two of its players) and the purchase handler. Who joins and leaves is
 * decided by the parent; everything the server does is reported as {@link ServerEvent}s. Runs in a child JVM
 * ({@link DemoServerCommand}), and in the parent for the final load of every profile.
 *
 * <p>Profiles are touched only on the store's callback executor: {@link #tick()} must run there, and the session
 * callbacks do.
 */
final class GameServer {

    private final String id;
    private final ProfileStore<DemoPlayer> store;
    private final FaultyStorage storage;
    private final Consumer<ServerEvent> events;
    private final Random random;
    private final long opIdBase;
    private final AtomicLong nextId = new AtomicLong();
    private final boolean tradesSupported;
    /** This server's active sessions by key; written and read on the callback executor. */
    private final Map<String, Profile<DemoPlayer>> sessions = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<Void>> tradesInFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /**
     * @param id the server id
     * @param number this server's number, unique in the run: it makes the change ids of different servers differ
     * @param seed for the server's random choices
     * @param storeName the ProfileStore name
     * @param shared the shared storage
     * @param messaging the shared messaging, or null
     * @param lease the server lease
     * @param autoSave the auto-save period
     * @param events receives everything the server does, from any thread
     */
    GameServer(String id, int number, long seed, String storeName, Storage shared, Messaging messaging,
               Duration lease, Duration autoSave, Consumer<ServerEvent> events) {
        this.id = id;
        // A counting view, as in threads mode, for the report's writes per profile-hour; it injects no faults here:
        // a crash in processes mode is a real SIGKILL.
        this.storage = new FaultyStorage(shared);
        this.events = events;
        this.random = new Random(seed);
        this.opIdBase = (long) number << 40;
        this.tradesSupported = shared.capabilities().atomicMultiWrite();
        this.store = configure(ProfileStore.builder(storeName, DemoPlayer.class, DemoPlayer::new), storage, messaging,
                id, lease, autoSave).build();
        store.onError().connect(e -> events.accept(new ServerEvent.StoreError(e.message())));
    }

    /** The store settings of every demo server, in both modes: short lease, quick polls, quick retries. */
    static ProfileStoreBuilder<DemoPlayer> configure(ProfileStoreBuilder<DemoPlayer> builder, Storage storage,
                                                     Messaging messaging, String serverId, Duration lease,
                                                     Duration autoSave) {
        builder.storage(storage)
                .serverId(serverId)
                .appId("demo")
                .lease(lease)
                .autoSavePeriod(autoSave)
                .pollInterval(Duration.ofMillis(50), Duration.ofMillis(500))
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1))
                .closeTimeout(Duration.ofSeconds(15));
        if (messaging != null) {
            builder.messaging(messaging);
        } else {
            builder.withoutMessaging(); // a backend with no messaging: handoffs fall back to polling and stealing
        }
        return builder;
    }

    /** The server id. */
    String id() {
        return id;
    }

    /** The store's callback executor, where {@link #tick()} runs. */
    java.util.concurrent.Executor loop() {
        return store.callbackExecutor();
    }

    /** Store writes so far. */
    long writes() {
        return storage.writes.get();
    }

    /**
     * A player connects: starts the profile's session and reports {@link ServerEvent.Started} or
     * {@link ServerEvent.NotStarted}.
     *
     * @param attempt echoed in the report, so the parent can tell answers to old requests
     */
    void join(String key, int attempt) {
        long started = System.nanoTime();
        store.startSessionAsync(key, SessionOptions.cancelWhen(() -> stopping)).whenComplete((result, error) -> {
            if (error != null || !(result instanceof SessionStart.Started<DemoPlayer> s)) {
                String why = error != null ? String.valueOf(error.getCause() != null ? error.getCause() : error)
                        : ((SessionStart.NotStarted<DemoPlayer>) result).reason().name();
                events.accept(new ServerEvent.NotStarted(key, attempt, why));
                return;
            }
            Profile<DemoPlayer> profile = s.profile();
            DemoPlayer d = profile.data();
            events.accept(new ServerEvent.Started(key, attempt, profile.epoch(), d.ops, d.chain, d.coins,
                    (System.nanoTime() - started) / 1000));
            attach(profile);
            if (stopping) {
                profile.endSessionAsync();
            } else {
                sessions.put(key, profile);
            }
        });
    }

    /** A player disconnects (a hop to another server): ends the session with its last save. */
    void leave(String key) {
        store.callbackExecutor().execute(() -> {
            Profile<DemoPlayer> profile = sessions.remove(key);
            if (profile != null && profile.isActive()) {
                profile.endSessionAsync();
            }
        });
    }

    /**
     * Loads a profile once and ends the session again: the parent's final load, which takes over crashed servers'
     * profiles and processes purchases still waiting.
     */
    CompletableFuture<Void> loadOnce(String key, Duration timeout) {
        long started = System.nanoTime();
        return store.startSessionAsync(key, SessionOptions.defaults().withTimeout(timeout)).thenCompose(result -> {
            Profile<DemoPlayer> profile = result.orElseThrow();
            DemoPlayer d = profile.data();
            events.accept(new ServerEvent.Started(key, -1, profile.epoch(), d.ops, d.chain, d.coins,
                    (System.nanoTime() - started) / 1000));
            attach(profile);
            return profile.endSessionAsync();
        });
    }

    /** Reports saves and session ends, and handles purchases. Runs on the callback executor. */
    private void attach(Profile<DemoPlayer> profile) {
        String key = profile.key();
        long epoch = profile.epoch();
        profile.onAfterSave().connect(saved ->
                events.accept(new ServerEvent.Saved(key, epoch, saved.ops, saved.chain, !profile.isActive())));
        profile.onSessionEnd().connect(reason -> {
            sessions.remove(key, profile);
            events.accept(new ServerEvent.Ended(key, epoch, reason.name()));
        });
        profile.messageHandler((message, processed) -> grant(profile, message, processed));
        if (profile.userIds().isEmpty()) {
            // Ties the profile to its player's user id, as a game would, for the erase command.
            profile.addUserId(Long.parseLong(key.substring(key.lastIndexOf('-') + 1)));
        }
    }

    /** One game tick: every player here may earn coins or trade with another player here. */
    void tick() {
        if (stopping) {
            return;
        }
        List<Profile<DemoPlayer>> here = new ArrayList<>(sessions.values());
        here.removeIf(p -> !p.isActive());
        for (Profile<DemoPlayer> profile : here) {
            double r = random.nextDouble();
            if (r < 0.5) {
                apply(profile, new Op.Earn(nextId(), 1 + random.nextInt(10)));
            } else if (r < 0.52 && tradesSupported && here.size() > 1) {
                Profile<DemoPlayer> other = here.get(random.nextInt(here.size()));
                if (other != profile) {
                    trade(profile, other);
                }
            }
        }
    }

    private long nextId() {
        return opIdBase + nextId.incrementAndGet();
    }

    private void apply(Profile<DemoPlayer> profile, Op op) {
        DemoPlayer d = profile.data();
        long before = d.chain;
        op.applyTo(d);
        d.ops++;
        d.chain = DemoPlayer.nextChain(before, op.id());
        events.accept(new ServerEvent.Applied(profile.key(), profile.epoch(), before, op, d.ops, d.chain));
    }

    /**
     * A trade committed atomically. {@code commitAsync} runs the change when its turn comes and, when it cannot
     * commit, puts both documents back as they were: the changes reported for it then lead nowhere in the
     * history, which the audit allows (they were never acknowledged).
     */
    private void trade(Profile<DemoPlayer> a, Profile<DemoPlayer> b) {
        long tradeId = nextId();
        CompletableFuture<Void> commit = store.commitAsync(List.of(a, b), () -> {
            DemoPlayer da = a.data();
            DemoPlayer db = b.data();
            if (!da.items.isEmpty()) {
                DemoPlayer.Item item = da.items.get(random.nextInt(da.items.size()));
                long price = Math.min(db.coins, Math.max(1, item.value() / 2 + random.nextInt((int) item.value() + 1)));
                apply(a, new Op.TradeSide(nextId(), tradeId, price, List.of(), List.of(item)));
                apply(b, new Op.TradeSide(nextId(), tradeId, -price, List.of(item), List.of()));
            } else {
                long gift = Math.min(da.coins, 1 + random.nextInt(20));
                apply(a, new Op.TradeSide(nextId(), tradeId, -gift, List.of(), List.of()));
                apply(b, new Op.TradeSide(nextId(), tradeId, gift, List.of(), List.of()));
            }
        });
        tradesInFlight.add(commit);
        commit.whenComplete((v, e) -> {
            tradesInFlight.remove(commit);
            events.accept(new ServerEvent.Traded(e == null));
        });
    }

    /** The purchase handler: grants a receipt once, keeping the receipt ids in the profile itself. */
    private void grant(Profile<DemoPlayer> profile, ProfileMessage message, Runnable processed) {
        String receipt = message.body().path("receiptId").asText();
        if (profile.data().receipts.contains(receipt)) {
            events.accept(new ServerEvent.DuplicateBlocked(receipt));
            processed.run();
            return;
        }
        var item = new DemoPlayer.Item(receipt, message.body().path("item").asText(), message.body().path("price").asLong());
        apply(profile, new Op.Grant(nextId(), receipt, item));
        processed.run();
    }

    /**
     * Shuts the server down: no more game play, trades in flight finish, then the store closes, which ends every
     * session with a last save. Reports the writes made before the last saves, as threads mode counts them.
     */
    void stop() throws InterruptedException {
        stopping = true;
        try {
            CompletableFuture.allOf(tradesInFlight.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a failed trade is reported by its own event; one still running is undone by the close
        }
        events.accept(new ServerEvent.Writes(writes()));
        store.close();
    }

    /** Closes the store without waiting for anything else (the final load's server). */
    void close() {
        stopping = true;
        store.close();
    }

    /**
     * Reads every profile as stored, for the audit: its document and how many messages wait in its queue.
     * Profiles that do not exist are left out.
     */
    static void readAll(ProfileStore<DemoPlayer> store, List<String> keys, Map<String, DemoPlayer> finals,
                        Map<String, Integer> pending) throws Exception {
        for (String key : keys) {
            var view = store.getAsync(key).get(30, TimeUnit.SECONDS);
            if (view.isPresent()) {
                finals.put(key, view.get().data());
                int[] count = {0};
                view.get().messageHandler((m, processed) -> count[0]++);
                pending.put(key, count[0]);
            }
        }
    }

    /** The store, for the final read. */
    ProfileStore<DemoPlayer> store() {
        return store;
    }
}
