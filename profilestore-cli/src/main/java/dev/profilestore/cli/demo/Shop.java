package dev.profilestore.cli.demo;

import dev.profilestore.ProfileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's shop, in both modes: sends purchases as durable messages to players online or offline, and some a
 * second time, as a payment provider retrying its callback does. Remembers which receipts the store acknowledged,
 * with their prices: the audit checks each was granted exactly once.
 */
final class Shop {

    private static final Logger log = LoggerFactory.getLogger(Shop.class);
    private static final String[] ITEM_TYPES = {"sword", "shield", "potion", "hat", "pet"};
    private static final long[] ITEM_PRICES = {120, 80, 15, 40, 200};

    private final ProfileStore<DemoPlayer> store;
    private final DemoConfig config;
    private final Random random;
    private final Map<String, Long> requested = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong resends = new AtomicLong();

    /**
     * @param store the shop's own store (a server that holds no sessions)
     * @param config the seed and resend rate
     * @param random the driver's random source (shared, so one seed fixes the whole run's choices)
     */
    Shop(ProfileStore<DemoPlayer> store, DemoConfig config, Random random) {
        this.store = store;
        this.config = config;
        this.random = random;
    }

    /** Called every game tick: sends a purchase to a random player half of the time. */
    void tick(List<String> keys) {
        if (random.nextDouble() >= 0.5) {
            return;
        }
        String key = keys.get(random.nextInt(keys.size()));
        int type = random.nextInt(ITEM_TYPES.length);
        String receipt = "r-" + config.seed() + "-" + sent.incrementAndGet();
        Map<String, Object> body = Map.of("receiptId", receipt, "item", ITEM_TYPES[type], "price", ITEM_PRICES[type]);
        send(key, body, () -> requested.put(receipt, ITEM_PRICES[type]));
        if (random.nextDouble() < config.resendRate()) {
            resends.incrementAndGet();
            long delayMs = random.nextInt(1000);
            CompletableFuture<Void> later = new CompletableFuture<>();
            inFlight.add(later);
            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(() -> {
                send(key, body, () -> { });
                inFlight.remove(later);
                later.complete(null);
            });
        }
    }

    private void send(String key, Map<String, Object> body, Runnable onAck) {
        CompletableFuture<Void> message = store.messageAsync(key, body);
        inFlight.add(message);
        message.whenComplete((v, e) -> {
            if (e == null) {
                onAck.run();
            } else {
                log.warn("purchase message to {} failed: {}", key, e.toString());
            }
            inFlight.remove(message);
        });
    }

    /** Waits for the purchases still being sent (resends included). */
    void awaitInFlight(Duration max) throws InterruptedException {
        Waiting.awaitAll(List.copyOf(inFlight), max);
    }

    /** The receipts the store acknowledged, with their prices. */
    Map<String, Long> requested() {
        return Map.copyOf(requested);
    }

    /** How many receipts the store acknowledged so far. */
    int requestedCount() {
        return requested.size();
    }

    /** Purchase messages sent, resends included. */
    long messages() {
        return sent.get() + resends.get();
    }

    /** Receipts sent twice on purpose. */
    long resends() {
        return resends.get();
    }
}
