package dev.profilestore.engine;

import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.StorageException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A start whose takeover request landed but whose reply was lost learns of its request from its next read, and
 * still steals after {@code stealAfter} from a holder that does not answer. (Found by the simulator on SQLite, whose
 * leases run on the machine's clock: the dead holder's lease never ran out in simulated time, and the start, not
 * knowing it had asked, waited for ever.)
 */
class LostRequestReplyTest {

    /** The document. */
    public static final class Doc {
        public int value;
    }

    /** B's connection: its first write of a takeover request lands, and the reply is lost. */
    static final class LosesFirstRequestReply extends ForwardingStorage {
        final AtomicBoolean lost = new AtomicBoolean();

        LosesFirstRequestReply(Storage delegate) {
            super(delegate);
        }

        @Override
        public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
            WriteResult result = super.write(store, key, expectedRevision, write);
            boolean request = new String(write.payload(), StandardCharsets.UTF_8).contains("\"takeover\":{");
            if (request && lost.compareAndSet(false, true)) {
                throw new StorageException("connection lost after the write");
            }
            return result;
        }
    }

    private static final Duration STEAL_AFTER = Duration.ofSeconds(2);
    private static final Duration AUTO_SAVE = Duration.ofMinutes(5);

    @Test
    void aRequestWhoseReplyWasLost_stillStealsAfterStealAfter_fromAHolderThatNeverAnswers() throws Exception {
        var clock = new ManualScheduler();
        var shared = new InMemoryStorage(clock, 10);
        var toB = new LosesFirstRequestReply(shared);
        // No messaging: A hears of the request only at its auto-save, five minutes away.
        try (ProfileStore<Doc> a = server("a", shared, clock);
             ProfileStore<Doc> b = server("b", toB, clock)) {
            a.startSessionAsync("k", SessionOptions.defaults()).get(10, TimeUnit.SECONDS).orElseThrow();

            CompletableFuture<SessionStart<Doc>> startB = b.startSessionAsync("k", SessionOptions.defaults());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
                clock.advance(Duration.ofMillis(100));
                return startB.isDone() || clock.elapsed().compareTo(AUTO_SAVE) >= 0;
            });

            assertThat(toB.lost).as("the request's reply was lost").isTrue();
            assertThat(startB).isDone();
            assertThat(startB.join().isStarted()).as("B stole the profile").isTrue();
            assertThat(clock.elapsed()).as("by stealAfter, not by A's auto-save")
                    .isGreaterThanOrEqualTo(STEAL_AFTER).isLessThan(AUTO_SAVE);
        }
    }

    private static ProfileStore<Doc> server(String id, Storage storage, ManualScheduler clock) {
        return ProfileStore.builder("Docs", Doc.class, Doc::new)
                .storage(storage)
                .withoutMessaging()
                .serverId(id)
                .scheduler(clock)
                .stealAfter(STEAL_AFTER)
                .autoSavePeriod(AUTO_SAVE)
                .build();
    }
}
