package dev.profilestore.cli.crash;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.StoreUri;
import dev.profilestore.cli.CliStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A game server in its own JVM, for {@link SigkillCrashTest}: it loads accounts, records uniquely named
 * operations in them, trades coins between two of its accounts with an atomic commit, and prints
 * {@code ACK <op> <key>[,<key>]} once a save or commit is acknowledged. Killed with SIGKILL at any
 * moment; stops cleanly when the stop file appears.
 */
public final class CrashWorker {

    /** The profile document. */
    public static final class Account {
        public int coins = 100;
        public List<String> ops = new ArrayList<>();
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String me = args[1];
        int keys = Integer.parseInt(args[2]);
        Path stop = Path.of(args[3]);
        Random random = new Random(me.hashCode());
        try (var opened = CliStore.open(uri, CliStore.OpenMode.CREATE, Duration.ofSeconds(5));
             ProfileStore<Account> store = ProfileStore.builder("Crash", Account.class, Account::new)
                     .storage(opened.storage()).messaging(opened.messaging()).serverId(me)
                     .lease(Duration.ofSeconds(2)).autoSavePeriod(Duration.ofSeconds(10)).build()) {
            Map<String, Profile<Account>> held = new LinkedHashMap<>();
            int op = 0;
            while (!Files.exists(stop)) {
                String id = me + "-" + (op++);
                held.values().removeIf(p -> !p.isActive());
                if (held.size() >= 2 && random.nextInt(3) == 0) {
                    trade(store, new ArrayList<>(held.values()), id + "-trade", random);
                    continue;
                }
                String key = "acct-" + random.nextInt(keys);
                Profile<Account> p = held.get(key);
                if (p == null) {
                    var start = store.startSession(key, SessionOptions.defaults().withTimeout(Duration.ofSeconds(10)));
                    if (start.started().isEmpty()) {
                        continue;
                    }
                    p = start.started().get();
                    held.put(key, p);
                }
                Profile<Account> profile = p;
                boolean applied = CompletableFuture.supplyAsync(() -> {
                    if (!profile.isActive()) {
                        return false;
                    }
                    profile.data().ops.add(id);
                    return true;
                }, store.callbackExecutor()).join();
                if (!applied) {
                    continue;
                }
                try {
                    profile.saveAsync().join();
                    System.out.println("ACK " + id + " " + key);
                } catch (CompletionException e) {
                    // Not acknowledged: the op may or may not survive, and the audit allows both.
                }
                if (random.nextInt(4) == 0 && profile.isActive()) {
                    try {
                        profile.endSession();
                    } catch (RuntimeException e) {
                        // lost meanwhile: nothing to end
                    }
                    held.remove(key);
                }
            }
        }
    }

    private static void trade(ProfileStore<Account> store, List<Profile<Account>> held, String id, Random random) {
        Profile<Account> from = held.get(random.nextInt(held.size()));
        Profile<Account> to = held.get((held.indexOf(from) + 1) % held.size());
        try {
            store.commitAsync(List.of(from, to), () -> {
                int coins = Math.min(from.data().coins, 1 + random.nextInt(5));
                from.data().coins -= coins;
                to.data().coins += coins;
                from.data().ops.add(id);
                to.data().ops.add(id);
            }).join();
            System.out.println("ACK " + id + " " + from.key() + "," + to.key());
        } catch (CompletionException e) {
            // Not committed: the engine put both sides back.
        }
    }
}
