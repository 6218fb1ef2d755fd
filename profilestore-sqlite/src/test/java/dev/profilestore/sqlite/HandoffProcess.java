package dev.profilestore.sqlite;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A game server in its own JVM for {@link SqliteCrossProcessHandoffTest}: takes the shared profile
 * {@code rounds} times, each time adding one coin and saving, then holds it until the other process
 * asks for it. Prints one line per acquisition, {@code handoff-ms N}, measured from asking to getting.
 */
final class HandoffProcess {

    /** The profile document. */
    public static final class Ball {
        public int coins;
        public List<String> holders = new ArrayList<>();
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String me = args[1];
        Path otherDone = Path.of(args[2]);
        Path myDone = Path.of(args[3]);
        int rounds = Integer.parseInt(args[4]);
        try (var storage = SqliteStorage.open(file);
             var messaging = SqliteMessaging.open(file);
             ProfileStore<Ball> store = ProfileStore.builder("Handoff", Ball.class, Ball::new)
                .storage(storage)
                .messaging(messaging)
                .serverId(me)
                .build()) {
            int round = 0;
            while (round < rounds) {
                long asked = System.nanoTime();
                Profile<Ball> p = store.startSession("ball", SessionOptions.defaults()).orElseThrow();
                System.out.println("handoff-ms " + (System.nanoTime() - asked) / 1e6);
                CountDownLatch ended = new CountDownLatch(1);
                boolean counted = CompletableFuture.supplyAsync(() -> {
                    if (!p.isActive()) {
                        return false; // the other process asked first; this round does not count
                    }
                    p.onSessionEnd().connect(why -> ended.countDown());
                    p.data().coins++;
                    p.data().holders.add(me);
                    return true;
                }, store.callbackExecutor()).join();
                if (!counted) {
                    continue;
                }
                round++;
                try {
                    p.saveAsync().join();
                } catch (CompletionException e) {
                    // Released to the other process meanwhile: that last save carried the change.
                    if (!(e.getCause() instanceof SessionLostException) || p.isActive()) {
                        throw e;
                    }
                }
                boolean last = round == rounds;
                // Hold the profile until the other process takes it; once the other is done, nobody will.
                while (!last && !ended.await(20, TimeUnit.MILLISECONDS)) {
                    if (Files.exists(otherDone)) {
                        break;
                    }
                }
                if (p.isActive()) {
                    p.endSession();
                }
            }
            Files.createFile(myDone);
        }
    }
}
