package dev.profilestore;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A storage that offers {@link Storage#readAsync} and {@link Storage#writeAsync} (as Redis does) is called through
 * them: a session's reads and writes reach neither its blocking methods nor the I/O executor, and an answer that
 * never comes is still cut off by the storage timeout.
 */
class NonBlockingStoreCallsTest {

    @Test
    void aSessionCycle_callsOnlyTheNonBlockingTwins_andHandsNothingToTheIoExecutor() throws Exception {
        ExecutorService driver = Executors.newSingleThreadExecutor();
        AtomicInteger ioTasks = new AtomicInteger();
        Executor countingIo = task -> {
            ioTasks.incrementAndGet();
            Thread.ofVirtual().start(task);
        };
        var clock = new ManualScheduler();
        var storage = new AnsweredByADriverThread(new InMemoryStorage(clock, 10), driver);
        try (ProfileStore<Map> store = ProfileStore.builder("Async", Map.class, HashMap::new).storage(storage)
                .withoutMessaging().scheduler(clock).ioExecutor(countingIo).build()) {
            await().until(() -> clock.pendingTimers() > 0); // the lease's first renewal, on the I/O executor, is done
            int ioBefore = ioTasks.get();

            Profile<Map> profile = store.startSession("k", SessionOptions.defaults()).orElseThrow();
            CompletableFuture.supplyAsync(() -> {
                profile.data().put("coins", 7);
                return profile.saveAsync();
            }, store.callbackExecutor()).thenCompose(f -> f).get(10, TimeUnit.SECONDS);
            profile.endSession();

            assertThat(storage.blockingCalls).as("blocking read or write calls").hasValue(0);
            assertThat(storage.asyncCalls.get()).as("read, acquire, save, release").isGreaterThanOrEqualTo(4);
            assertThat(ioTasks.get() - ioBefore).as("tasks handed to the I/O executor").isZero();
            StoredRecord saved = storage.read("Async", "k").orElseThrow();
            assertThat(new String(saved.payload(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"coins\":7");
        } finally {
            driver.shutdownNow();
        }
    }

    @Test
    void aNonBlockingReadThatNeverAnswers_failsAfterTheStorageTimeout_andTheStartGivesUp() {
        var clock = new ManualScheduler();
        var never = new CompletableFuture<Optional<StoredRecord>>();
        Storage silent = new ForwardingStorage(new InMemoryStorage(clock, 10)) {
            @Override
            public CompletableFuture<Optional<StoredRecord>> readAsync(String store, String key, Executor blocking) {
                return never;
            }
        };
        List<StoreError> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ProfileStore<Map> store = ProfileStore.builder("Silent", Map.class, HashMap::new).storage(silent)
                .withoutMessaging().scheduler(clock).callbackExecutor(Runnable::run).ioExecutor(Runnable::run)
                .storageTimeout(Duration.ofSeconds(5)).startTimeout(Duration.ofSeconds(30)).build()) {
            store.onError().connect(errors::add);
            var start = store.startSessionAsync("k");
            await().until(() -> clock.pendingTimers() >= 2); // the read is in flight, its timeout armed

            clock.advance(Duration.ofSeconds(5));

            assertThat(errors).isNotEmpty();
            assertThat(errors.getFirst().message()).contains("did not answer within PT5S");
            for (int i = 0; i < 10 && !start.isDone(); i++) {
                clock.advance(Duration.ofSeconds(25));
            }
            assertThat(start).isDone();
            assertThat(((SessionStart.NotStarted<Map>) start.join()).reason()).isEqualTo(SessionStart.Reason.TIMED_OUT);
        } finally {
            never.complete(Optional.empty());
        }
    }

    /** Answers reads and writes on a "driver" thread of its own; counts the calls that came the blocking way. */
    private static final class AnsweredByADriverThread extends ForwardingStorage {
        final AtomicInteger blockingCalls = new AtomicInteger();
        final AtomicInteger asyncCalls = new AtomicInteger();
        private final Executor driver;

        AnsweredByADriverThread(Storage delegate, Executor driver) {
            super(delegate);
            this.driver = driver;
        }

        @Override
        public Optional<StoredRecord> read(String store, String key) {
            blockingCalls.incrementAndGet();
            return delegate.read(store, key);
        }

        @Override
        public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
            blockingCalls.incrementAndGet();
            return delegate.write(store, key, expectedRevision, write);
        }

        @Override
        public CompletableFuture<Optional<StoredRecord>> readAsync(String store, String key, Executor blocking) {
            asyncCalls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> delegate.read(store, key), driver);
        }

        @Override
        public CompletableFuture<WriteResult> writeAsync(String store, String key, long expectedRevision,
                                                         RecordWrite write, Executor blocking) {
            asyncCalls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> delegate.write(store, key, expectedRevision, write), driver);
        }
    }
}
