package dev.profilestore;

import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two stores on their own threads, real clocks and asynchronous message delivery: the protocol under
 * real concurrency rather than the deterministic single-threaded scenarios.
 */
class RealThreadsHandoffTest {

    /** The document: a counter that every holder increments once. */
    public static final class Counter {
        public int value;
    }

    @Test
    void aProfileHandedBackAndForth100Times_losesNoIncrement_andEveryHandoffIsCounted() {
        var storage = new InMemoryStorage();
        var delivery = Executors.newSingleThreadExecutor();
        var hub = new InMemoryMessaging(delivery);
        var registry = new SimpleMeterRegistry();
        List<ProfileStore<Counter>> servers = List.of(server("a", storage, hub, registry), server("b", storage, hub, registry));
        try {
            Profile<Counter> current = servers.get(0).startSession("hot", SessionOptions.defaults()).orElseThrow();
            long epoch = current.epoch();
            for (int i = 1; i <= 100; i++) {
                ProfileStore<Counter> next = servers.get(i % 2);
                Profile<Counter> previous = current;
                current = next.startSession("hot", SessionOptions.defaults()).orElseThrow();
                assertThat(current.epoch()).as("a later session has a higher epoch").isGreaterThan(epoch);
                epoch = current.epoch();
                Profile<Counter> holder = current;
                CompletableFuture.runAsync(() -> holder.data().value++, next.callbackExecutor()).join();
                assertThat(previous.isActive()).isFalse();
            }
            current.endSession();
            var view = servers.get(0).getAsync("hot").join().orElseThrow();
            assertThat(view.data().value).isEqualTo(100);
            assertThat(registry.get("profilestore.handoff").timer().count()).isEqualTo(100);
            assertThat(registry.get("profilestore.handoff").timer().max(java.util.concurrent.TimeUnit.SECONDS))
                    .as("woken by the release notice, not the 40 s steal").isLessThan(5);
        } finally {
            servers.forEach(ProfileStore::close);
            delivery.shutdown();
        }
    }

    @Test
    void blockingCallsOnTheCallbackExecutor_failFastInsteadOfDeadlocking() {
        var storage = new InMemoryStorage();
        try (var store = server("solo", storage, new InMemoryMessaging(), new SimpleMeterRegistry())) {
            var failure = CompletableFuture.supplyAsync(() -> store.startSession("k", SessionOptions.defaults()),
                    store.callbackExecutor());
            assertThat(failure).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .withRootCauseInstanceOf(IllegalStateException.class)
                    .withMessageContaining("callback executor");
        }
    }

    private static ProfileStore<Counter> server(String id, InMemoryStorage storage, InMemoryMessaging hub,
                                                SimpleMeterRegistry registry) {
        return ProfileStore.builder("Counters", Counter.class, Counter::new)
                .storage(storage)
                .messaging(hub)
                .serverId(id)
                .meterRegistry(registry)
                .build();
    }

}
