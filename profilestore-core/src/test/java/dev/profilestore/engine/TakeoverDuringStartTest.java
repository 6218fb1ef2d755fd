package dev.profilestore.engine;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A takeover request that reaches a server while its own start of that key is still on its way (the lock written,
 * the reply not back yet) is answered when that start finishes, not dropped.
 *
 * <p>The clock is manual and never moves: the requester's poll and the holder's auto-save never run, so the only
 * way the requester can get the profile is the holder answering the request it was sent.
 */
class TakeoverDuringStartTest {

    /** The document. */
    public static final class Doc {
        public int value;
    }

    /**
     * A's connection: its first write that takes a lock lands, and its reply is held at {@link #reply}.
     * (A start may write before that: a new key's record is created empty first.)
     */
    static final class HeldReply extends ForwardingStorage {
        final Gate reply = new Gate();

        HeldReply(Storage delegate) {
            super(delegate);
        }

        @Override
        public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
            WriteResult result = super.write(store, key, expectedRevision, write);
            if (new String(write.payload(), StandardCharsets.UTF_8).contains("\"lock\":{")) {
                reply.pass();
            }
            return result;
        }
    }

    @Test
    void aTakeoverThatArrivesWhileTheHoldersOwnStartIsFinishing_isAnsweredWhenItFinishes() throws Exception {
        var clock = new ManualScheduler();
        var shared = new InMemoryStorage(clock, 10);
        var hub = new InMemoryMessaging();
        var heldA = new HeldReply(shared);
        try (ProfileStore<Doc> a = server("a", heldA, hub, clock);
             ProfileStore<Doc> b = server("b", shared, hub, clock)) {
            var takeoverReachedA = new CountDownLatch(1);
            // Subscribed after A's own listener, so A has queued its handling of the request by the time this runs.
            hub.subscribe(ControlMessage.channel("a"), payload -> {
                ControlMessage m = ControlMessage.decode(payload);
                if (m != null && m.kind() == ControlMessage.Kind.TAKEOVER) {
                    takeoverReachedA.countDown();
                }
            });

            CompletableFuture<SessionStart<Doc>> startA = a.startSessionAsync("k", SessionOptions.defaults());
            assertThat(heldA.reply.awaitReached()).as("A's lock landed").isTrue();
            CompletableFuture<SessionStart<Doc>> startB = b.startSessionAsync("k", SessionOptions.defaults());
            assertThat(takeoverReachedA.await(10, TimeUnit.SECONDS)).as("B asked A").isTrue();
            heldA.reply.open();

            Profile<Doc> held = startA.get(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(startB).as("B got the profile without its poll (the clock never moved)")
                    .succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(s -> assertThat(s.isStarted()).isTrue());
            assertThat(held.isActive()).isFalse();
            assertThat(clock.elapsed()).isZero();
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
