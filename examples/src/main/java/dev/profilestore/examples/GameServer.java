package dev.profilestore.examples;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionStart;
import dev.profilestore.StoreConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A game server without a platform: one game-loop thread that owns all player data, players who join, earn a
 * coin every tick, buy an item now and then, and leave. Run it as
 * {@code java -cp ... dev.profilestore.examples.GameServer sqlite:game.db 10} (store URI, seconds to run); run two at
 * once on the same file to see a player's profile move between them.
 */
public final class GameServer {

    private static final Logger log = LoggerFactory.getLogger(GameServer.class);

    private GameServer() {}

    /**
     * Runs the server.
     *
     * @param args the store URI (default {@code sqlite:game.db}) and how many seconds to run (default 10)
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        String uri = args.length > 0 ? args[0] : "sqlite:game.db";
        Duration runFor = Duration.ofMillis(Math.round(1000 * (args.length > 1 ? Double.parseDouble(args[1]) : 10)));
        List<String> players = List.of("alice", "bob", "carol");

        // The game loop: every callback and every touch of player data happens on this one thread.
        ScheduledExecutorService gameLoop = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "game-loop"));
        Map<String, Profile<PlayerData>> online = new ConcurrentHashMap<>();
        try (StoreConnection connection = StoreConnection.open(uri);
             ProfileStore<PlayerData> store = ProfileStore.builder("PlayerStore", PlayerData.class, PlayerData::new)
                     .storage(connection.storage())
                     .messaging(connection.messaging())
                     .callbackExecutor(gameLoop)
                     .build()) {
            log.info("game server on {} for {} ms", connection.description(), runFor.toMillis());
            for (String player : players) {
                store.startSessionAsync(player).thenAccept(start -> {
                    switch (start) {
                        case SessionStart.Started<PlayerData> s -> {
                            Profile<PlayerData> profile = s.profile();
                            profile.onSessionEnd().connect(why -> online.remove(player));
                            online.put(player, profile);
                            log.info("{} joined with {} coins", player, profile.data().coins);
                        }
                        case SessionStart.NotStarted<PlayerData> n -> log.warn("{} could not join: {}", player, n.reason());
                    }
                });
            }
            gameLoop.scheduleAtFixedRate(() -> online.forEach((player, profile) -> {
                PlayerData data = profile.data();
                data.coins++;
                if (data.coins % 25 == 0) {
                    data.items.add("sword-" + data.coins);
                }
            }), 50, 50, TimeUnit.MILLISECONDS);

            Thread.sleep(runFor.toMillis()); // the server's lifetime, not a wait for something to happen

            for (Profile<PlayerData> profile : online.values()) {
                profile.endSession(); // the player leaves: a last save, then the lock is released
            }
        } // store.close() ends any session left with a last save; then the connection closes
        finally {
            gameLoop.shutdownNow();
        }
        log.info("stopped");
    }
}
