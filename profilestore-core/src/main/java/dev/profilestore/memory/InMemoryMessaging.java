package dev.profilestore.memory;

import dev.profilestore.spi.Messaging;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * An in-process message hub: share one instance between the {@code ProfileStore}s of one JVM. Delivery
 * happens on the given executor (on the publisher's thread by default, which keeps single-threaded
 * tests deterministic). Thread-safe.
 */
public final class InMemoryMessaging implements Messaging {

    private final Map<String, List<Consumer<byte[]>>> channels = new ConcurrentHashMap<>();
    private final Executor delivery;

    /** Delivers on the publisher's thread. */
    public InMemoryMessaging() {
        this(Runnable::run);
    }

    /** Delivers on {@code delivery}. */
    public InMemoryMessaging(Executor delivery) {
        this.delivery = delivery;
    }

    @Override
    public void publish(String channel, byte[] payload) {
        for (Consumer<byte[]> listener : channels.getOrDefault(channel, List.of())) {
            byte[] copy = payload.clone();
            delivery.execute(() -> listener.accept(copy));
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<byte[]> listener) {
        channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> channels.computeIfPresent(channel, (c, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /** No limit: a payload is copied in memory. */
    @Override
    public int maxPayload() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void close() {
        channels.clear();
    }
}
