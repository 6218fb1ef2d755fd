package dev.profilestore.testkit;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.ProfileView;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionInfo;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.StorageException;
import dev.profilestore.StoreError;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How a backend behaves when its real server misbehaves under a running store: the server restarts in the
 * middle of a session, connections are cut during saves and messages, and the messaging connections drop
 * during a handoff. Subclass it in the backend's tests, against a real server the subclass controls (one
 * that no other test uses at the same time), and implement the hooks.
 *
 * <p>Everything runs in real time: the stores use their default executors and the system scheduler, with a
 * short lease ({@link #lease()}, 2 s), short fallback polls (100 ms doubling to 500 ms), short retry backoff
 * (100 ms to 500 ms) and an auto-save period of {@link #autoSavePeriod()} (5 s). Waiting is done with
 * Awaitility, never by sleeping. Each test picks its own store name, so tests share the server but not data.
 *
 * <p>What is checked:
 * <ul>
 * <li>{@link #serverRestart_midSession_sessionSurvivesSavesResumeAndNoAcknowledgedSaveIsLost}: a session started
 *     before a restart is still active, still holds the lock with the same epoch, its saves land again, no
 *     acknowledged save was lost, its lease is renewed again and it hands over to another server.</li>
 * <li>{@link #storageConnectionDrops_duringSavesAndMessages_noDoubleApplyAndNoLostAcknowledgement}: a burst of
 *     saves and {@code messageAsync} calls while the storage connections of both servers are killed again and
 *     again; every acknowledged message takes effect exactly once, every {@code messageAsync} is acknowledged in
 *     the end, no save fails with anything but a {@link StorageException}, and the stored data is the holder's
 *     last data.</li>
 * <li>{@link #messagingConnectionDrops_handoffStillCompletes_andIsFastAgainOnceReconnected}: with the messaging
 *     connections killed, a handoff still completes through the fallback (the requester's poll, the holder's
 *     auto-save read, or a resubscribed channel) as a release, not a steal; once messaging reconnects,
 *     handoffs of freshly loaded profiles (which the auto-save skips) complete within {@link #fastHandoff()}
 *     again.</li>
 * <li>{@link #burstOfSavesAndMessages_withoutFaults_eachMessageAppliedOnce}: the same burst without faults, the
 *     baseline every backend, embedded ones included, must pass.</li>
 * </ul>
 *
 * <p>A backend without a server (an embedded database) declares the faults it cannot suffer with
 * {@link #canRestartServer()}, {@link #canDropStorageConnections()} and {@link #canDropMessagingConnections()};
 * those tests are then reported as skipped with the reason, never as passed.
 */
public abstract class ServerFailureScenarios {

    private static final Logger LOG = LoggerFactory.getLogger(ServerFailureScenarios.class);
    /** The longest any single step may take before the test fails instead of hanging. */
    private static final Duration STEP = Duration.ofSeconds(30);

    // ------------------------------------------------------------------ hooks

    /**
     * A new storage instance (its own connections) on the test server, seeing the same data as every other
     * instance this test opened. The test closes it.
     */
    protected abstract Storage newStorage();

    /** A new messaging instance (its own connections) on the test server, or null for none. The test closes it. */
    protected abstract Messaging newMessaging();

    /**
     * Stops the server and starts it again on the same address, keeping its data; returns once it accepts
     * connections again. Only called when {@link #canRestartServer()}.
     */
    protected abstract void restartServer();

    /**
     * Kills, on the server side, every connection that the storages from {@link #newStorage()} hold (in use or
     * idle), as a network cut or a server-side kill would, and returns how many were killed. Only called when
     * {@link #canDropStorageConnections()}.
     */
    protected abstract int dropStorageConnections();

    /**
     * Kills, on the server side, every connection that the messaging instances from {@link #newMessaging()}
     * hold (subscriber, listener or poller, and publisher), and returns how many were killed. Only called when
     * {@link #canDropMessagingConnections()}.
     */
    protected abstract int dropMessagingConnections();

    /** Whether the backend has a server that {@link #restartServer()} can restart. */
    protected boolean canRestartServer() {
        return true;
    }

    /** Whether the backend's storage connections can be killed from outside the process. */
    protected boolean canDropStorageConnections() {
        return true;
    }

    /** Whether the backend's messaging connections can be killed from outside the process. */
    protected boolean canDropMessagingConnections() {
        return true;
    }

    /** The servers' lease; short, so the tests run in seconds of real time. */
    protected Duration lease() {
        return Duration.ofSeconds(2);
    }

    /**
     * The auto-save period. Also the holder's fallback for a takeover request it was never told about: its
     * auto-save read sees the request.
     */
    protected Duration autoSavePeriod() {
        return Duration.ofSeconds(5);
    }

    /**
     * How long a handoff may take while messaging works. A freshly loaded profile is not auto-saved for half a
     * period, so a handoff of one that completes within this time (below half of {@link #autoSavePeriod()}) was
     * woken by messaging, not by the fallback.
     */
    protected Duration fastHandoff() {
        return Duration.ofSeconds(2);
    }

    // ------------------------------------------------------------------ servers

    private final List<AutoCloseable> opened = new ArrayList<>();
    private String storeName;

    /** One game server: a store with its own storage and messaging. */
    protected final class Server {
        /** The server id. */
        public final String id;
        /** The store. */
        public final ProfileStore<PlayerData> store;
        /** Its storage. */
        public final Storage storage;
        /** Its messaging, or null. */
        public final Messaging messaging;
        /** Every error the store reported. */
        public final List<StoreError> errors = new CopyOnWriteArrayList<>();

        private Server(String id) {
            this.id = id;
            this.storage = newStorage();
            opened.add(storage);
            this.messaging = newMessaging();
            if (messaging != null) {
                opened.add(messaging);
            }
            var builder = ProfileStore.builder(storeName, PlayerData.class, PlayerData::new)
                    .storage(storage)
                    .serverId(id)
                    .lease(lease())
                    .autoSavePeriod(autoSavePeriod())
                    .pollInterval(Duration.ofMillis(100), Duration.ofMillis(500))
                    .stealAfter(Duration.ofSeconds(60))
                    .backoff(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(500))
                    .closeTimeout(Duration.ofSeconds(10))
                    .criticalState(1000, Duration.ofSeconds(10), Duration.ofSeconds(10));
            if (messaging != null) {
                builder.messaging(messaging);
            }
            this.store = builder.build();
            opened.add(store);
            store.onError().connect(errors::add);
        }

        /** Runs {@code work} on the store's callback executor and returns its result. */
        public <R> R call(Supplier<R> work) {
            CompletableFuture<R> result = new CompletableFuture<>();
            store.callbackExecutor().execute(() -> {
                try {
                    result.complete(work.get());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            return get(result);
        }

        /** Runs {@code work} on the callback executor and returns the future it makes, flattened. */
        public <R> CompletableFuture<R> callAsync(Supplier<CompletableFuture<R>> work) {
            CompletableFuture<R> result = new CompletableFuture<>();
            store.callbackExecutor().execute(() -> {
                try {
                    work.get().whenComplete((r, e) -> {
                        if (e != null) {
                            result.completeExceptionally(unwrap(e));
                        } else {
                            result.complete(r);
                        }
                    });
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            return result;
        }

        /** Starts a session and fails the test if it does not start within {@link #STEP}. */
        public Profile<PlayerData> start(String key) {
            SessionStart<PlayerData> start = get(store.startSessionAsync(key,
                    SessionOptions.defaults().withTimeout(STEP)));
            assertThat(start.isStarted()).as("session %s started on %s: %s", key, id, start).isTrue();
            return start.orElseThrow();
        }
    }

    /** Starts a server (store, storage and messaging), closed after the test. */
    protected Server server(String id) {
        return new Server(id);
    }

    @BeforeEach
    void pickStoreName() {
        storeName = "Failures-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeEverything() {
        List<AutoCloseable> reversed = new ArrayList<>(opened);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} after the test failed", c, e);
            }
        }
        opened.clear();
    }

    // ------------------------------------------------------------------ the scenarios

    @Test
    protected void burstOfSavesAndMessages_withoutFaults_eachMessageAppliedOnce() {
        burst(false);
    }

    @Test
    protected void storageConnectionDrops_duringSavesAndMessages_noDoubleApplyAndNoLostAcknowledgement() {
        assumeTrue(canDropStorageConnections(), "this backend has no server-side storage connection to kill");
        burst(true);
    }

    @Test
    protected void serverRestart_midSession_sessionSurvivesSavesResumeAndNoAcknowledgedSaveIsLost() {
        assumeTrue(canRestartServer(), "this backend has no server to restart");
        Server a = server("server-a");
        Profile<PlayerData> p = a.start("restart");
        SessionInfo session = p.sessionInfo();
        AtomicInteger highestAcked = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        List<Throwable> saveFailures = new CopyOnWriteArrayList<>();

        get(save(a, p, next.incrementAndGet(), highestAcked, saveFailures));
        assertThat(highestAcked.get()).isEqualTo(1);
        // Saves in flight while the server goes down: each may land or fail, but one that was acknowledged
        // must be found after the restart.
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(save(a, p, next.incrementAndGet(), highestAcked, saveFailures));
        }

        restartServer();

        // Saves resume: keep saving until one is acknowledged after the restart.
        int ackedBefore = highestAcked.get();
        await("a save acknowledged after the restart").atMost(STEP).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    int v = next.incrementAndGet();
                    try {
                        save(a, p, v, highestAcked, saveFailures).get(STEP.toSeconds(), TimeUnit.SECONDS);
                        return true;
                    } catch (ExecutionException e) {
                        if (!(unwrap(e) instanceof StorageException) || unwrap(e) instanceof SessionLostException) {
                            throw new AssertionError("a save after the restart failed with " + unwrap(e)
                                    + "; only a StorageException (server not back yet) is acceptable", e);
                        }
                        return false;
                    }
                });
        assertThat(highestAcked.get()).isGreaterThan(ackedBefore);
        settle(inFlight);
        assertThat(saveFailures).as("saves may fail while the server is down, but only with a StorageException;"
                + " a lost session would mean the restart ended it").allSatisfy(
                        e -> assertThat(e).isInstanceOf(StorageException.class));
        assertThat(a.call(p::isActive)).as("the session survived the restart").isTrue();

        Server reader = server("reader");
        ProfileView<PlayerData> view = get(reader.store.getAsync("restart")).orElseThrow();
        assertThat(view.data().coins).as("no acknowledged save was lost").isGreaterThanOrEqualTo(highestAcked.get());
        assertThat(view.session()).as("the session still holds the lock, with its epoch").hasValueSatisfying(s -> {
            assertThat(s.serverId()).isEqualTo("server-a");
            assertThat(s.sessionId()).isEqualTo(session.sessionId());
            assertThat(s.epoch()).isEqualTo(session.epoch());
        });
        await("server-a's lease renewed after the restart").atMost(lease().multipliedBy(5))
                .ignoreException(StorageException.class).until(() -> reader.storage.isLeaseLive(session.leaseId()));

        // The session hands over as usual after the restart: released, with the data of its last save.
        AtomicReference<SessionEndReason> ended = new AtomicReference<>();
        a.call(() -> p.onSessionEnd().connect(ended::set));
        Profile<PlayerData> taken = reader.start("restart");
        // The holder reports its end on its own loop once its last save landed; the requester may begin first.
        await("server-a's session end").atMost(STEP).until(() -> ended.get() != null);
        assertThat(ended.get()).as("server-a released the profile (not stolen, not lost)")
                .isEqualTo(SessionEndReason.EXTERNAL);
        int last = a.call(() -> p.data().coins);
        assertThat(reader.call(() -> taken.data().coins)).isEqualTo(last).isGreaterThanOrEqualTo(highestAcked.get());
        assertThat(taken.epoch()).isGreaterThan(session.epoch());
    }

    @Test
    protected void messagingConnectionDrops_handoffStillCompletes_andIsFastAgainOnceReconnected() {
        assumeTrue(canDropMessagingConnections(), "this backend has no messaging connection to kill");
        Server a = server("server-a");
        Server b = server("server-b");
        assertThat(a.messaging).as("this test needs messaging").isNotNull();

        // Control: with messaging up, a fresh profile hands over fast (the auto-save would skip it for longer).
        assertThat(handoff(a, b, "control")).as("handoff with messaging up").isLessThan(fastHandoff());

        Profile<PlayerData> held = a.start("held");
        a.call(() -> held.data().coins = 42);
        AtomicReference<SessionEndReason> ended = new AtomicReference<>();
        a.call(() -> held.onSessionEnd().connect(ended::set));

        assertThat(dropMessagingConnections()).as("messaging connections killed").isPositive();
        long t0 = System.nanoTime();
        Profile<PlayerData> taken = b.start("held");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("handoff right after the messaging connections were killed took {} ms", took.toMillis());
        assertThat(took).as("handoff through the fallback path")
                .isLessThan(autoSavePeriod().multipliedBy(2).plusSeconds(2));
        // The holder reports its end on its own loop once its last save landed; the requester may begin first.
        await("the holder's session end").atMost(STEP).until(() -> ended.get() != null);
        assertThat(ended.get()).as("the holder released (not stolen, not lost)").isEqualTo(SessionEndReason.EXTERNAL);
        assertThat(b.call(() -> taken.data().coins)).isEqualTo(42);

        // Once messaging has reconnected, fresh profiles hand over fast again, both ways.
        AtomicInteger n = new AtomicInteger();
        await("a fast handoff once messaging reconnected").atMost(STEP).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> handoff(a, b, "again-" + n.incrementAndGet()).compareTo(fastHandoff()) < 0);
        for (int i = 0; i < 3; i++) {
            assertThat(handoff(a, b, "a-to-b-" + i)).as("handoff a to b #%s", i).isLessThan(fastHandoff());
            assertThat(handoff(b, a, "b-to-a-" + i)).as("handoff b to a #%s", i).isLessThan(fastHandoff());
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A fresh session on {@code from} (so the auto-save leaves it alone for half a period), then a start of the
     * same key on {@code to}; returns how long the start took. Checks it was a release with the data intact.
     */
    private Duration handoff(Server from, Server to, String key) {
        Profile<PlayerData> p = from.start(key);
        from.call(() -> p.data().coins = 7);
        AtomicReference<SessionEndReason> ended = new AtomicReference<>();
        from.call(() -> p.onSessionEnd().connect(ended::set));
        long t0 = System.nanoTime();
        Profile<PlayerData> q = to.start(key);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("handoff of {} from {} to {} took {} ms", key, from.id, to.id, took.toMillis());
        await(from.id + "'s session end of " + key).atMost(STEP).until(() -> ended.get() != null);
        assertThat(ended.get()).as("%s released %s", from.id, key).isEqualTo(SessionEndReason.EXTERNAL);
        assertThat(to.call(() -> q.data().coins)).isEqualTo(7);
        get(q.endSessionAsync());
        return took;
    }

    /** Sets the coins to {@code value} on the loop and saves; records the value once acknowledged. */
    private static CompletableFuture<Void> save(Server s, Profile<PlayerData> p, int value, AtomicInteger highestAcked,
            List<Throwable> failures) {
        return s.callAsync(() -> {
            p.data().coins = value;
            return p.saveAsync();
        }).whenComplete((v, e) -> {
            if (e == null) {
                highestAcked.accumulateAndGet(value, Math::max);
            } else {
                failures.add(unwrap(e));
            }
        });
    }

    /**
     * One holder, one sender: the sender sends numbered messages while the holder saves increasing coin values,
     * paced by Awaitility's poll; with {@code faults}, the storage connections are killed every few rounds until
     * the kills have interrupted store calls. Then every message must be acknowledged and applied exactly once,
     * and the stored data must be the holder's last data.
     */
    private void burst(boolean faults) {
        String key = "burst";
        Server holder = server("holder");
        Server sender = server("sender");
        Profile<PlayerData> p = holder.start(key);
        holder.call(() -> {
            p.messageHandler((message, processed) -> {
                p.data().items.add("m" + message.body().get("id").asInt());
                processed.run();
            });
            return null;
        });

        int rounds = 40;
        AtomicInteger round = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger highestAcked = new AtomicInteger();
        List<Throwable> saveFailures = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> saves = new CopyOnWriteArrayList<>();
        Map<Integer, CompletableFuture<Void>> messages = new ConcurrentSkipListMap<>();
        AtomicInteger drops = new AtomicInteger();
        AtomicInteger killed = new AtomicInteger();
        await("the burst").atMost(STEP).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25)).until(() -> {
            int r = round.incrementAndGet();
            if (r <= rounds) {
                for (int i = 0; i < 2; i++) {
                    int id = messages.size() + 1;
                    messages.put(id, sender.store.messageAsync(key, Map.of("id", id)));
                }
                saves.add(save(holder, p, next.incrementAndGet(), highestAcked, saveFailures));
            }
            boolean bitten = holder.errors.size() + sender.errors.size() > 0;
            if (faults && r % 5 == 0 && (r <= rounds || !bitten)) {
                killed.addAndGet(dropStorageConnections());
                drops.incrementAndGet();
            }
            return r >= rounds && (!faults || bitten);
        });
        LOG.info("burst: {} messages, {} saves, {} drops killing {} connections, {} store errors", messages.size(),
                saves.size(), drops.get(), killed.get(), holder.errors.size() + sender.errors.size());
        if (faults) {
            assertThat(killed.get()).as("storage connections killed").isPositive();
        }

        for (var e : messages.entrySet()) {
            try {
                e.getValue().get(STEP.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | InterruptedException ex) {
                throw new AssertionError("messageAsync of message " + e.getKey() + " was not acknowledged: "
                        + ex, ex);
            }
        }
        settle(saves);
        assertThat(saveFailures).as("saves fail only with a StorageException").allSatisfy(
                e -> assertThat(e).isInstanceOf(StorageException.class).isNotInstanceOf(SessionLostException.class));
        if (!faults) {
            assertThat(saveFailures).as("no save fails without faults").isEmpty();
        }
        assertThat(holder.call(p::isActive)).as("the holder's session survived").isTrue();

        Set<String> expected = new HashSet<>();
        messages.keySet().forEach(id -> expected.add("m" + id));
        // Hints may have been lost with the connections; the holder's saves read the messages too.
        await("every acknowledged message applied").atMost(STEP).pollInterval(Duration.ofMillis(200))
                .ignoreException(StorageException.class).until(() -> {
                    holder.callAsync(p::saveAsync).exceptionally(e -> null);
                    Set<String> missing = new HashSet<>(expected);
                    missing.removeAll(holder.call(() -> new HashSet<>(p.data().items)));
                    LOG.debug("burst: {} messages not applied yet: {}", missing.size(), missing);
                    return missing.isEmpty();
                });
        LOG.info("burst: every message applied");
        List<String> inMemory = holder.call(() -> List.copyOf(p.data().items));
        assertThat(inMemory).as("no message applied twice").doesNotHaveDuplicates();

        get(holder.callAsync(p::endSessionAsync));
        LOG.info("burst: session ended");
        PlayerData last = holder.call(p::data);
        PlayerData stored = get(server("reader").store.getAsync(key)).orElseThrow().data();
        assertThat(stored.items).as("stored message effects: each exactly once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected).containsExactlyElementsOf(last.items);
        assertThat(stored.coins).as("the stored data is the holder's last").isEqualTo(last.coins)
                .isGreaterThanOrEqualTo(highestAcked.get());
    }

    /** Waits until every future has completed, normally or not. */
    private static void settle(List<CompletableFuture<Void>> futures) {
        get(CompletableFuture.allOf(futures.stream().map(f -> f.handle((v, e) -> null))
                .toArray(CompletableFuture[]::new)));
    }

    private static <R> R get(CompletableFuture<R> future) {
        try {
            return future.get(STEP.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + STEP, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
