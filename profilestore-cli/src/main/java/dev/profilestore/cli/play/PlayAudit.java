package dev.profilestore.cli.play;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.StoreConnection;
import dev.profilestore.minestom.example.GameServer;
import dev.profilestore.minestom.example.Wallet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The end of {@code play}: loads every bot's profile twice more (taking over what killed servers held once their
 * lease ran out, applying waiting gifts, sending gifts still in an outbox, then applying those), reads the store,
 * and checks it against what the servers told the bots.
 *
 * @param earnedReported coins the action bars reported earned
 * @param acknowledged coins the saves acknowledged to the bots
 * @param earnedStored coins earned that the store holds
 * @param coinsStored balances in the store
 * @param duplicated coins in the store never earned or paid for
 * @param lost acknowledged coins and paid gifts missing from the store
 * @param giftsSent gifts acknowledged to their senders
 * @param giftsPaid gifts paid for in the senders' stored profiles
 * @param giftsApplied gifts applied in the recipients' stored profiles
 * @param problems what is wrong, if anything (at most 50 lines)
 */
record PlayAudit(long earnedReported, long acknowledged, long earnedStored, long coinsStored, long duplicated, long lost,
                 long giftsSent, long giftsPaid, long giftsApplied, List<String> problems) {

    private static final Duration LOAD_MAX = Duration.ofSeconds(60);

    static PlayAudit run(StoreConnection opened, String storeName, Duration lease, List<PlayBot> bots) {
        Map<String, Wallet> finals = new HashMap<>();
        try (ProfileStore<Wallet> store = GameServer.openStore(opened, storeName, "play-auditor", lease)) {
            for (int pass = 0; pass < 2; pass++) {
                for (PlayBot bot : bots) {
                    settle(store, bot.key());
                }
            }
            for (PlayBot bot : bots) {
                finals.put(bot.key(), store.getAsync(bot.key()).join()
                        .orElseThrow(() -> new IllegalStateException("no profile stored for " + bot.name())).data());
            }
        }
        return check(bots, finals);
    }

    /** One load: applies waiting gifts, sends what the outbox holds, and ends the session with a last save. */
    private static void settle(ProfileStore<Wallet> store, String key) {
        Profile<Wallet> profile = store.startSession(key, SessionOptions.defaults().withTimeout(LOAD_MAX)).orElseThrow();
        Map<String, Wallet.Gift> outbox = CompletableFuture.supplyAsync(() -> {
            profile.messageHandler((message, processed) -> {
                profile.data().receive(new Wallet.GiftMessage(message.body().get("id").asText(),
                        message.body().get("coins").asLong()));
                processed.run();
            });
            return Map.copyOf(profile.data().outbox);
        }, store.callbackExecutor()).join();
        for (var e : outbox.entrySet()) {
            store.messageAsync(e.getValue().to(), new Wallet.GiftMessage(e.getKey(), e.getValue().coins())).join();
            CompletableFuture.runAsync(() -> {
                profile.data().outbox.remove(e.getKey());
                profile.data().sent.put(e.getKey(), e.getValue().coins());
            }, store.callbackExecutor()).join();
        }
        profile.endSession();
    }

    private static PlayAudit check(List<PlayBot> bots, Map<String, Wallet> finals) {
        List<String> problems = new ArrayList<>();
        long earnedReported = 0;
        long acknowledged = 0;
        long earnedStored = 0;
        long coinsStored = 0;
        long duplicated = 0;
        long lost = 0;
        Set<String> sentAcked = new HashSet<>();
        Map<String, Long> paid = new HashMap<>();
        Map<String, Integer> applied = new HashMap<>();
        for (PlayBot bot : bots) {
            Wallet w = finals.get(bot.key());
            earnedReported += bot.reported().values().stream().mapToLong(Long::longValue).sum();
            acknowledged += bot.acknowledged().values().stream().mapToLong(Long::longValue).sum();
            earnedStored += w.earned.values().stream().mapToLong(Long::longValue).sum();
            coinsStored += w.coins;
            for (var ack : bot.acknowledged().entrySet()) {
                long stored = w.earned.getOrDefault(ack.getKey(), 0L);
                if (stored < ack.getValue()) {
                    lost += ack.getValue() - stored;
                    problems.add(bot.name() + ": session " + ack.getKey() + " acknowledged " + ack.getValue()
                            + " coins earned, the store holds " + stored);
                }
            }
            long expected = w.expectedCoins();
            if (w.coins > expected) {
                duplicated += w.coins - expected;
                problems.add(bot.name() + ": " + w.coins + " coins, but its history adds up to " + expected);
            } else if (w.coins < expected) {
                lost += expected - w.coins;
                problems.add(bot.name() + ": " + w.coins + " coins, but its history adds up to " + expected);
            }
            if (!w.outbox.isEmpty()) {
                problems.add(bot.name() + ": " + w.outbox.size() + " gift(s) still in the outbox after the final loads");
            }
            sentAcked.addAll(bot.giftsSent());
            w.sent.forEach(paid::put);
            w.received.keySet().forEach(id -> applied.merge(id, 1, Integer::sum));
        }
        for (String id : sentAcked) {
            if (!paid.containsKey(id)) {
                problems.add("gift " + id + " was acknowledged to its sender, but no stored profile paid for it");
            }
        }
        for (var p : paid.entrySet()) {
            int times = applied.getOrDefault(p.getKey(), 0);
            if (times == 0) {
                lost += p.getValue();
                problems.add("gift " + p.getKey() + " was paid for but never applied");
            } else if (times > 1) {
                duplicated += (times - 1) * p.getValue();
                problems.add("gift " + p.getKey() + " was applied " + times + " times");
            }
        }
        for (var a : applied.entrySet()) {
            if (!paid.containsKey(a.getKey())) {
                problems.add("gift " + a.getKey() + " was applied but no stored profile paid for it");
            }
        }
        return new PlayAudit(earnedReported, acknowledged, earnedStored, coinsStored, duplicated, lost, sentAcked.size(),
                paid.size(), applied.size(), problems.stream().limit(50).toList());
    }
}
