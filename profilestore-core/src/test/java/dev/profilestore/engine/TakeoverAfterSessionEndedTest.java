package dev.profilestore.engine;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A takeover request that reaches a server after its session of that key has ended (the player left while the
 * request was on its way, or the server is closing) is answered with RELEASED, so the requester reads again at once
 * instead of at its poll.
 *
 * <p>The clock is manual and never moves: the requester's poll never runs, so the only way it can get the profile
 * is that answer.
 */
class TakeoverAfterSessionEndedTest {

    /** The document. */
    public static final class Doc {
        public int value;
    }

    /** B's connection: its first read that finds a lock is returned only when {@link #reply} opens. */
    static final class HeldRead extends ForwardingStorage {
        final Gate reply = new Gate();

        HeldRead(Storage delegate) {
            super(delegate);
        }

        @Override
        public Optional<StoredRecord> read(String store, String key) {
            Optional<StoredRecord> result = super.read(store, key);
            if (result.isPresent() && new String(result.get().payload(), StandardCharsets.UTF_8).contains("\"lock\":{")) {
                reply.pass();
            }
            return result;
        }
    }

    @Test
    void aTakeoverThatArrivesAfterTheHoldersSessionEnded_isAnsweredWithReleased() throws Exception {
        var clock = new ManualScheduler();
        var shared = new InMemoryStorage(clock, 10);
        var hub = new InMemoryMessaging();
        var heldB = new HeldRead(shared);
        try (ProfileStore<Doc> a = server("a", shared, hub, clock);
             ProfileStore<Doc> b = server("b", heldB, hub, clock)) {
            Profile<Doc> held = a.startSessionAsync("k", SessionOptions.defaults()).get(10, TimeUnit.SECONDS).orElseThrow();

            CompletableFuture<SessionStart<Doc>> startB = b.startSessionAsync("k", SessionOptions.defaults());
            assertThat(heldB.reply.awaitReached()).as("B read the record A holds").isTrue();
            held.endSessionAsync().get(10, TimeUnit.SECONDS);
            heldB.reply.open(); // B now asks A, whose session is over

            assertThat(startB).as("B got the profile without its poll (the clock never moved)")
                    .succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(s -> assertThat(s.isStarted()).isTrue());
            assertThat(clock.elapsed()).isZero();
        }
    }

    /** A's connection: dropping its lease, the last step of close before it stops listening, waits at {@link #drop}. */
    static final class HeldLeaseDrop extends ForwardingStorage {
        final Gate drop = new Gate();

        HeldLeaseDrop(Storage delegate) {
            super(delegate);
        }

        @Override
        public void dropLease(String serverId) {
            drop.pass();
            super.dropLease(serverId);
        }
    }

    @Test
    void aTakeoverThatReachesAClosingServerWithNoSessionOfTheKeyLeft_isAnsweredWithReleased() throws Exception {
        var clock = new ManualScheduler();
        var shared = new InMemoryStorage(clock, 10);
        var hub = new InMemoryMessaging();
        var heldB = new HeldRead(shared);
        var heldA = new HeldLeaseDrop(shared);
        ProfileStore<Doc> a = server("a", heldA, hub, clock);
        try (ProfileStore<Doc> b = server("b", heldB, hub, clock)) {
            Profile<Doc> held = a.startSessionAsync("k", SessionOptions.defaults()).get(10, TimeUnit.SECONDS).orElseThrow();

            CompletableFuture<SessionStart<Doc>> startB = b.startSessionAsync("k", SessionOptions.defaults());
            assertThat(heldB.reply.awaitReached()).as("B read the record A holds").isTrue();
            CompletableFuture<Void> closing = a.closeAsync();
            assertThat(heldA.drop.awaitReached()).as("A released everything and is dropping its lease")
                    .isTrue();
            assertThat(held.isActive()).isFalse();
            heldB.reply.open(); // B now asks A, which is closing and holds nothing

            assertThat(startB).as("B got the profile without its poll (the clock never moved)")
                    .succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(s -> assertThat(s.isStarted()).isTrue());
            assertThat(clock.elapsed()).isZero();
            heldA.drop.open();
            assertThat(closing).succeedsWithin(Duration.ofSeconds(10));
        } finally {
            heldA.drop.open();
            a.close();
        }
    }

    private static ProfileStore<Doc> server(String id, Storage storage, InMemoryMessaging hub, ManualScheduler clock) {
        return ProfileStore.builder("Docs", Doc.class, Doc::new)
                .storage(storage)
                .messaging(hub)
                .serverId(id)
                .scheduler(clock)
                .build();
    }
}
