package dev.profilestore;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A healthy server keeps its lease whatever else its store is waiting for: renewals are due at a fixed rate and
 * run on threads of their own, so neither a backlog of other store calls nor one renewal that hangs delays the next.
 */
class LeaseRenewalTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RENEWAL = LEASE.dividedBy(3);

    private final ManualScheduler clock = new ManualScheduler();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger renewals = new AtomicInteger();
    private final List<ProfileStore<Map>> stores = new ArrayList<>();

    @AfterEach
    void releaseHungCalls() {
        release.countDown();
        stores.forEach(s -> CompletableFuture.runAsync(s::close));
    }

    private ProfileStore<Map> store(Storage storage) {
        ProfileStore<Map> store = ProfileStore.builder("Leases", Map.class, java.util.HashMap::new)
                .storage(storage).withoutMessaging().scheduler(clock).lease(LEASE)
                .storageTimeout(Duration.ofHours(1)) // the hung calls stay hung for the whole test
                .build();
        stores.add(store);
        await().until(() -> renewals.get() >= 1); // the first renewal at build
        return store;
    }

    private void renewalsGoOn() {
        for (int i = 1; i <= 3; i++) {
            int before = renewals.get();
            clock.advance(RENEWAL);
            await("renewal " + i + " after the stall began").until(() -> renewals.get() > before);
        }
    }

    @Test
    void aBacklogOfHungStoreCalls_doesNotDelayTheLeaseRenewals() {
        ProfileStore<Map> store = store(new Hanging(new InMemoryStorage(clock, 10), false));
        List<CompletableFuture<?>> backlog = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            backlog.add(store.getAsync("k" + i)); // more reads than the store has I/O threads; each one hangs
        }

        renewalsGoOn();

        assertThat(backlog).noneMatch(CompletableFuture::isDone);
    }

    @Test
    void aRenewalThatHangs_doesNotStopTheNextOnes() {
        store(new Hanging(new InMemoryStorage(clock, 10), true));

        renewalsGoOn();
    }

    /** Counts renewals; reads hang, and with {@code hangARenewal} so does the second renewal (the first after build). */
    private final class Hanging extends ForwardingStorage {
        private final boolean hangARenewal;

        Hanging(Storage delegate, boolean hangARenewal) {
            super(delegate);
            this.hangARenewal = hangARenewal;
        }

        @Override
        public Optional<StoredRecord> read(String store, String key) {
            await(release);
            return delegate.read(store, key);
        }

        @Override
        public void renewLease(String serverId, Duration ttl) {
            int n = renewals.incrementAndGet();
            if (hangARenewal && n == 2) {
                await(release);
            }
            delegate.renewLease(serverId, ttl);
        }

        private void await(CountDownLatch latch) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
