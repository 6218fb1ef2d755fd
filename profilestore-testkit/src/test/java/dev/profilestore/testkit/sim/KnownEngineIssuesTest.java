package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.StorageException;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.testkit.faults.FaultyStorage;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Engine issues the simulator found, each as a minimal deterministic reproduction and as the seed that
 * found it, kept as regression tests now that they are fixed. See docs/reliability.md.
 */
class KnownEngineIssuesTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final InMemoryStorage shared = new InMemoryStorage(clock, 10);

    /** One server whose store calls take 5 ms of simulated time, so operations overlap. */
    private ProfileStore<Wallet> server(Storage storage) {
        ProfileStore<Wallet> store = ProfileStore.builder("Issues", Wallet.class, Wallet::new)
                .storage(storage)
                .messaging(new InMemoryMessaging())
                .serverId("a")
                .scheduler(clock)
                .callbackExecutor(Runnable::run)
                .ioExecutor(r -> clock.schedule(Duration.ofMillis(5), r))
                .build();
        clock.advance(Duration.ofMillis(10));
        return store;
    }

    private <R> R done(CompletableFuture<R> f) {
        clock.advance(Duration.ofSeconds(5));
        assertThat(f).isDone();
        return f.join();
    }

    private Wallet stored(ProfileStore<Wallet> store, String key) {
        return done(store.getAsync(key)).orElseThrow().data();
    }

    // ---- KI-1: messageAsync retried after an ambiguous failure appends the message twice ----

    @Test
    void ki1_aMessageWhoseWriteReplyWasLost_isQueuedOnce() {
        Storage lostReplyOnce = new ForwardingStorage(shared) {
            boolean lost;

            @Override
            public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
                WriteResult result = delegate.write(store, key, expectedRevision, write);
                if (!lost && result instanceof WriteResult.Written) {
                    lost = true;
                    throw new StorageException("connection lost after the write was applied");
                }
                return result;
            }
        };
        ProfileStore<Wallet> store = server(lostReplyOnce);
        done(store.messageAsync("k", Map.of("gift", "g1", "coins", 10)));

        Profile<Wallet> p = done(store.startSessionAsync("k")).orElseThrow();
        List<Long> deliveries = new ArrayList<>();
        p.messageHandler((m, processed) -> {
            deliveries.add(m.id());
            processed.run();
        });
        assertThat(deliveries).as("one acknowledged message, one delivery").hasSize(1);
    }

    @Test
    void ki1_simulatorSeed_strictGifts() {
        SimReport r = Simulation.run(SimConfig.defaults(2, 300).withWorkload(new Workload(false, true)));
        assertThat(r.passed()).as(r.describe()).isTrue();
    }

    // ---- KI-2: saveAllAsync is overtaken by a later save of one of its profiles, then overwrites it ----

    @Test
    void ki2_aSaveMadeAfterSaveAll_isNotOverwrittenByIt() {
        ProfileStore<Wallet> store = server(shared);
        var startA = store.startSessionAsync("a");
        var startB = store.startSessionAsync("b");
        Profile<Wallet> a = done(startA).orElseThrow();
        Profile<Wallet> b = done(startB).orElseThrow();

        a.saveAsync();                                   // key "a" is busy for 5 ms
        b.data().coins = 1;
        b.data().earned = 1;
        var trade = store.saveAllAsync(List.of(a, b));   // snapshot: b has 1; waits for "a"
        b.data().coins = 2;
        b.data().earned = 2;
        var later = b.saveAsync();                       // snapshot: b has 2; key "b" is free, so it goes first

        done(trade);
        done(later);
        assertThat(stored(store, "b").earned).as("the later, acknowledged save stays").isEqualTo(2);
    }

    @Test
    void ki2_simulatorSeed_trades() {
        SimReport r = Simulation.run(SimConfig.defaults(92, 300).withWorkload(new Workload(true, false)));
        assertThat(r.passed()).as(r.describe()).isTrue();
    }

    // ---- KI-3 (fixed on main by 2aa623c; kept as a regression test) ----

    /** A start on the server still retrying the key's last save waits for it instead of taking its lock. */
    @Test
    void ki3_aQuickRejoinOnTheSameServer_keepsTheLastSaveOfTheSessionBefore() {
        var faulty = new FaultyStorage(shared);
        ProfileStore<Wallet> store = server(faulty);
        Profile<Wallet> p = done(store.startSessionAsync("k")).orElseThrow();
        p.data().coins = 5;
        p.data().earned = 5;

        faulty.failNext(1);                  // the last save's first write fails; it is retried after a backoff
        p.endSessionAsync();
        var again = store.startSessionAsync("k");

        Profile<Wallet> rejoined = done(again).orElseThrow();
        assertThat(rejoined.data().earned).as("the rejoined session sees the last save").isEqualTo(5);
    }

    // ---- API gap: a trade can end up on one side only when its commit fails ----

    @Test
    void tradeGap_simulatorSeed_tornUnacknowledgedTrade() {
        SimReport r = Simulation.run(SimConfig.defaults(99, 300).withWorkload(new Workload(true, false)));
        assertThat(r.passed()).as(r.describe()).isTrue();
    }

    /** A message box turned into a profile kept its messages but forgot their send ids, so a retried send landed twice. */
    @Test
    void ki4_aSendRetriedAfterTheMessageBoxBecameAProfile_isNotAppliedTwice() {
        SimReport r = Simulation.run(SimConfig.defaults(374, 60).withWorkload(Workload.full()));
        assertThat(r.passed()).as(r.describe()).isTrue();
    }

    // ---- KI-5: a removal that timed out and landed late deleted an overwrite acknowledged after it ----

    /**
     * The operator's {@code removeAsync} times out, the operator then writes the profile and is told it is done,
     * and only then does the slow delete reach the store. It names the revision it read, so it deletes nothing.
     */
    @Test
    void ki5_aRemovalThatLandsAfterItTimedOut_deletesNothingWrittenAfterIt() {
        java.util.ArrayDeque<Runnable> io = new java.util.ArrayDeque<>();
        ProfileStore<Wallet> store = ProfileStore.builder("Issues", Wallet.class, Wallet::new)
                .storage(shared)
                .withoutMessaging()
                .serverId("operator")
                .scheduler(clock)
                .callbackExecutor(Runnable::run)
                .ioExecutor(io::add)
                .storageTimeout(Duration.ofSeconds(1))
                .build();
        Runnable runIo = () -> {
            while (!io.isEmpty()) {
                io.poll().run();
            }
        };
        var first = store.startSessionAsync("k").thenCompose(started -> started.orElseThrow().endSessionAsync());
        runIo.run();
        assertThat(first).isCompleted();

        var removal = store.removeAsync("k");
        io.poll().run();                                 // the removal's read answers
        Runnable slowDelete = io.poll();                 // its delete is on the wire and does not answer
        clock.advance(Duration.ofSeconds(2));
        assertThat(removal).isCompletedExceptionally();

        var overwrite = store.getAsync("k").thenCompose(v -> {
            v.orElseThrow().data().earned = 7;
            return v.orElseThrow().overwriteAsync();
        });
        runIo.run();
        assertThat(overwrite).as("the overwrite after the failed removal").isCompletedWithValue(null);

        slowDelete.run();                                // the delete lands at last
        runIo.run();
        assertThat(shared.read("Issues", "k")).as("the acknowledged overwrite is still stored").isPresent();
        var read = store.getAsync("k");
        runIo.run();
        assertThat(read.join().orElseThrow().data().earned).isEqualTo(7);
    }

    @Test
    void ki5_simulatorSeed_wholeApi() {
        SimReport r = Simulation.run(SimConfig.defaults(251, 400).withWorkload(Workload.wholeApi()));
        assertThat(r.passed()).as(r.describe()).isTrue();
    }
}
