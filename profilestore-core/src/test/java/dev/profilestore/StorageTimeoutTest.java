package dev.profilestore;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StorageCapabilities;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
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
                    .storage(hanging).scheduler(clock).callbackExecutor(Runnable::run).ioExecutor(io)
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
    private record HangingReads(Storage delegate, CountDownLatch release) implements Storage {
        @Override
        public Optional<StoredRecord> read(String store, String key) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.read(store, key);
        }

        @Override
        public StorageCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
            return delegate.write(store, key, expectedRevision, write);
        }

        @Override
        public boolean remove(String store, String key) {
            return delegate.remove(store, key);
        }

        @Override
        public void purge(String store, String key) {
            delegate.purge(store, key);
        }

        @Override
        public List<VersionInfo> versions(String store, String key, VersionRange query) {
            return delegate.versions(store, key, query);
        }

        @Override
        public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
            return delegate.readVersion(store, key, versionId);
        }

        @Override
        public List<String> keysByUserId(String store, long userId) {
            return delegate.keysByUserId(store, userId);
        }

        @Override
        public List<String> listKeys(String store, String afterKey, int limit) {
            return delegate.listKeys(store, afterKey, limit);
        }

        @Override
        public void renewLease(String serverId, Duration ttl) {
            delegate.renewLease(serverId, ttl);
        }

        @Override
        public boolean isLeaseLive(String serverId) {
            return delegate.isLeaseLive(serverId);
        }

        @Override
        public void dropLease(String serverId) {
            delegate.dropLease(serverId);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
