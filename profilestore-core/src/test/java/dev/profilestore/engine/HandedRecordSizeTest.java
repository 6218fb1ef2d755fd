package dev.profilestore.engine;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingMessaging;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A HANDED notice carries the record written whenever the notice fits the transport's
 * {@link Messaging#maxPayload()}, so a requester of a 10 KB profile begins without reading it on a transport that
 * takes it, and reads it on one that does not. The clock never moves, so no poll reads for it.
 */
class HandedRecordSizeTest {

    /** The document: a 10 KB inventory. */
    public static final class Doc {
        public String inventory = "x".repeat(10_000);
    }

    /** Counts reads of one key. */
    static final class CountedReads extends ForwardingStorage {
        final AtomicInteger reads = new AtomicInteger();

        CountedReads(Storage delegate) {
            super(delegate);
        }

        @Override
        public Optional<StoredRecord> read(String store, String key) {
            reads.incrementAndGet();
            return super.read(store, key);
        }
    }

    /** The hub as a transport that takes at most {@code maxPayload} bytes. */
    static final class Limited extends ForwardingMessaging {
        private final int maxPayload;

        Limited(InMemoryMessaging hub, int maxPayload) {
            super(hub);
            this.maxPayload = maxPayload;
        }

        @Override
        public void publish(String channel, byte[] payload) {
            if (payload.length <= maxPayload) {
                delegate.publish(channel, payload);
            }
        }

        @Override
        public int maxPayload() {
            return maxPayload;
        }

        @Override
        public void close() {
            // the hub outlives each server's view
        }
    }

    @Test
    void onATransportThatTakesIt_theRequesterBeginsOnTheHandedRecord_readingOnlyToFindTheHolder() throws Exception {
        assertThat(readsOfRequester(256 * 1024)).isEqualTo(1);
    }

    @Test
    void onATransportTooSmallForIt_theNoticeComesWithoutTheRecord_andTheRequesterReadsIt() throws Exception {
        assertThat(readsOfRequester(5_900)).isEqualTo(2);
    }

    private static int readsOfRequester(int maxPayload) throws Exception {
        var clock = new ManualScheduler();
        var shared = new InMemoryStorage(clock, 10);
        var hub = new InMemoryMessaging();
        var toB = new CountedReads(shared);
        try (ProfileStore<Doc> a = server("a", shared, new Limited(hub, maxPayload), clock);
             ProfileStore<Doc> b = server("b", toB, new Limited(hub, maxPayload), clock)) {
            Profile<Doc> held = a.startSessionAsync("k", SessionOptions.defaults()).get(10, TimeUnit.SECONDS).orElseThrow();
            int before = toB.reads.get();

            CompletableFuture<SessionStart<Doc>> startB = b.startSessionAsync("k", SessionOptions.defaults());

            assertThat(startB).as("B got the profile on the notice (the clock never moved)")
                    .succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(s -> assertThat(s.isStarted()).isTrue());
            assertThat(held.isActive()).isFalse();
            assertThat(clock.elapsed()).isZero();
            return toB.reads.get() - before;
        }
    }

    private static ProfileStore<Doc> server(String id, Storage storage, Messaging messaging, ManualScheduler clock) {
        return ProfileStore.builder("Docs", Doc.class, Doc::new)
                .storage(storage)
                .messaging(messaging)
                .serverId(id)
                .scheduler(clock)
                .build();
    }
}
