package dev.profilestore;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A store call that never answers is cut off by the storage timeout, so a hung connection stalls nothing forever. */
class StorageTimeoutTest {

    @Test
    void aHungStoreCall_failsAfterTheStorageTimeout_andAStartGivesUpAfterTheStartTimeout() {
        var clock = new ManualScheduler();
        var hung = new CountDownLatch(1);
        var io = Executors.newVirtualThreadPerTaskExecutor();
        Storage hanging = new HangingReads(new InMemoryStorage(clock, 10), hung);
        List<StoreError> errors = new ArrayList<>();
        try {
            ProfileStore<Map> store = ProfileStore.builder("Hung", Map.class, java.util.HashMap::new)
                    .storage(hanging).withoutMessaging().scheduler(clock).callbackExecutor(Runnable::run).ioExecutor(io)
                    .storageTimeout(Duration.ofSeconds(5)).startTimeout(Duration.ofSeconds(30)).build();
            store.onError().connect(errors::add);
            await().until(() -> clock.pendingTimers() > 0); // the lease renewal is scheduled: the store is up
            var start = store.startSessionAsync("k");
            await().until(() -> clock.pendingTimers() >= 2); // the read is in flight, its timeout armed
            clock.advance(Duration.ofSeconds(5));
            await().until(() -> !errors.isEmpty());
            assertThat(errors.get(0).message()).contains("did not answer within PT5S");
            for (int i = 0; i < 10 && !start.isDone(); i++) {
                clock.advance(Duration.ofSeconds(25));
            }
            await().until(start::isDone);
            assertThat(((SessionStart.NotStarted<Map>) start.join()).reason()).isEqualTo(SessionStart.Reason.TIMED_OUT);
        } finally {
            hung.countDown(); // before closing the executor, which waits for the hung reads
            io.close();
        }
    }

    /** Reads block until released; everything else passes through. */
    private static final class HangingReads extends ForwardingStorage {
        private final CountDownLatch release;

        HangingReads(Storage delegate, CountDownLatch release) {
            super(delegate);
            this.release = release;
        }

        @Override
        public Optional<StoredRecord> read(String store, String key) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.read(store, key);
        }
    }
}
