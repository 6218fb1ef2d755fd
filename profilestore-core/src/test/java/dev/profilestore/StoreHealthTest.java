package dev.profilestore;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link ProfileStore#health()} follows the lease renewals, the sessions and shutdown. */
class StoreHealthTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final ManualScheduler clock = new ManualScheduler();
    private final AtomicBoolean unreachable = new AtomicBoolean();
    private final AtomicInteger renewals = new AtomicInteger();

    /** An in-memory store whose lease renewals fail while {@link #unreachable} is set. */
    private final class Cuttable extends ForwardingStorage {
        Cuttable() {
            super(new InMemoryStorage(clock, 10));
        }

        @Override
        public void renewLease(String serverId, Duration ttl) {
            try {
                if (unreachable.get()) {
                    throw new StorageException("connection refused");
                }
                delegate.renewLease(serverId, ttl);
            } finally {
                renewals.incrementAndGet();
            }
        }
    }

    private void nextRenewal() {
        int before = renewals.get();
        clock.advance(LEASE.dividedBy(3));
        await().until(() -> renewals.get() > before);
    }

    @Test
    void health_followsTheLease_theSessions_andShutdown() {
        ProfileStore<Map> store = ProfileStore.builder("Health", Map.class, HashMap::new)
                .storage(new Cuttable()).withoutMessaging().scheduler(clock).lease(LEASE).build();
        await().until(() -> store.health().leaseLive());
        StoreHealth healthy = store.health();
        assertThat(healthy.healthy()).isTrue();
        assertThat(healthy.storeReachable()).isTrue();
        assertThat(healthy.activeSessions()).isZero();

        store.startSession("alice").orElseThrow();
        assertThat(store.health().activeSessions()).isEqualTo(1);

        unreachable.set(true);
        nextRenewal();
        await().until(() -> !store.health().storeReachable());
        assertThat(store.health().leaseLive()).as("renewed less than a lease ago").isTrue();
        assertThat(store.health().healthy()).isFalse();
        nextRenewal();
        nextRenewal();
        await().until(() -> !store.health().leaseLive());

        unreachable.set(false);
        nextRenewal();
        await().until(() -> store.health().leaseLive() && store.health().storeReachable());

        store.close();
        assertThat(store.health().closing()).isTrue();
        assertThat(store.health().activeSessions()).isZero();
    }
}
