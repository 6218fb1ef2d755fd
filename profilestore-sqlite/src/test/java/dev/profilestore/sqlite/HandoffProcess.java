package dev.profilestore.sqlite;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionLostException;
import dev.profilestore.SessionOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
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
 *
 * <p>In {@code race} mode a process asks again as soon as its session ended, so requests overlap the other's
 * start (a player bouncing back). In {@code turns} mode it first waits until the other process has saved its
 * coin (a marker file per coin), so every start finds a live holder that is idle: a plain handoff.
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
        boolean turns = args[5].equals("turns");
        Path markers = myDone.getParent();
        try (var storage = SqliteStorage.open(file);
             var messaging = SqliteMessaging.open(file);
             ProfileStore<Ball> store = ProfileStore.builder("Handoff", Ball.class, Ball::new)
                .storage(storage)
                .messaging(messaging)
                .serverId(me)
                .build()) {
            int round = 0;
            while (round < rounds) {
                if (turns) {
                    awaitOthersCoin(me, round, markers, otherDone);
                }
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
                int coin = CompletableFuture.supplyAsync(() -> p.data().coins, store.callbackExecutor()).join();
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
                if (turns) {
                    Files.createFile(markers.resolve("coin-" + coin));
                }
                // Hold the profile until the other process takes it, in the last round too (leaving as the other asks
                // would measure a holder that is going away, not a handoff); once the other is done, nobody will.
                while (!ended.await(20, TimeUnit.MILLISECONDS)) {
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

    /**
     * Server a takes the odd coins and b the even ones: before its {@code round}-th start, a process waits
     * for the marker of the coin just before its next one, woken by the file system's create events.
     */
    private static void awaitOthersCoin(String me, int round, Path markers, Path otherDone)
            throws IOException, InterruptedException {
        int mine = me.endsWith("a") ? 2 * round + 1 : 2 * round + 2;
        Path marker = markers.resolve("coin-" + (mine - 1));
        if (mine == 1) {
            return;
        }
        try (WatchService watch = markers.getFileSystem().newWatchService()) {
            markers.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            // Checked after registering, so a marker created in between is not missed.
            while (!Files.exists(marker) && !Files.exists(otherDone)) {
                WatchKey key = watch.take();
                key.pollEvents();
                key.reset();
            }
        }
    }
}
