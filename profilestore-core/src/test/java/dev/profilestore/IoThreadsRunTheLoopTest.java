package dev.profilestore;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the default I/O executor and the store's own loop thread, a store call's answer is worked on by the I/O
 * thread it came on, and the call that work starts runs on that same thread: a session's read, its plan and its
 * lock's compare-and-set are one thread's work, with no wake-up of the loop's thread between them. With a callback
 * executor the game gave, the work between the calls runs there instead, as the game said.
 */
class IoThreadsRunTheLoopTest {

    /**
     * A blocking storage (as the SQL backends are) that notes which thread made each call, and holds reads until
     * its current gate ({@link #reads}) is open.
     */
    static final class ThreadNoting extends ForwardingStorage {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile CountDownLatch reads = new CountDownLatch(1);

        ThreadNoting() {
            super(new InMemoryStorage());
        }

        @Override
        public Optional<StoredRecord> read(String store, String key) {
            calls.add("read@" + Thread.currentThread().getName());
            try {
                reads.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.read(store, key);
        }

        @Override
        public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
            calls.add("write@" + Thread.currentThread().getName());
            return super.write(store, key, expectedRevision, write);
        }
    }

    /**
     * Without this, every start completes on the loop's own thread. With it, a start completes on the I/O thread its
     * read ran on unless the loop's thread was running a task of its own when the read answered (a lease renewal, the
     * end of the task that sent the read); then the next call takes the first idle I/O thread and the start ends
     * there. So of five starts at least one must end on its read's thread, and each that does made all its calls on
     * that one thread: once a continuation runs on an I/O thread, the calls it starts stay there.
     */
    @Test
    void aStartsStoreCalls_andTheWorkBetweenThem_runOnTheIoThreadTheReadRanOn() throws Exception {
        var storage = new ThreadNoting();
        int onTheReadsThread = 0;
        try (ProfileStore<Map> store = ProfileStore.builder("OneThread", Map.class, HashMap::new).storage(storage)
                .withoutMessaging().build()) {
            for (int i = 0; i < 5; i++) {
                storage.calls.clear();
                storage.reads = new CountDownLatch(1);
                // The read waits for the gate, so the stage below is attached before the start can complete.
                CompletableFuture<Profile<Map>> start = store.startSessionAsync("k" + i)
                        .thenApply(s -> ((SessionStart.Started<Map>) s).profile());
                CompletableFuture<String> completedOn = start.thenApply(p -> Thread.currentThread().getName());
                storage.reads.countDown();
                String thread = completedOn.get(10, TimeUnit.SECONDS);
                List<String> calls = List.copyOf(storage.calls);
                start.join().endSession();

                assertThat(calls).as("a read, then the profile's creation and lock").hasSizeGreaterThanOrEqualTo(2);
                if (calls.getFirst().equals("read@" + thread)) {
                    onTheReadsThread++;
                    assertThat(thread).startsWith("profilestore-io-OneThread-");
                    assertThat(calls).allMatch(call -> call.endsWith("@" + thread));
                }
            }
        }
        assertThat(onTheReadsThread).as("starts that ended on the I/O thread their read ran on").isPositive();
    }

    @Test
    void withTheGamesCallbackExecutor_theWorkBetweenTheCallsRunsThere() throws Exception {
        var storage = new ThreadNoting();
        ExecutorService game = Executors.newSingleThreadExecutor(r -> new Thread(r, "game-thread"));
        try (ProfileStore<Map> store = ProfileStore.builder("GameLoop", Map.class, HashMap::new).storage(storage)
                .withoutMessaging().callbackExecutor(game).build()) {
            CompletableFuture<String> completedOn = store.startSessionAsync("k")
                    .thenApply(s -> Thread.currentThread().getName());
            storage.reads.countDown();

            assertThat(completedOn.get(10, TimeUnit.SECONDS)).isEqualTo("game-thread");
            assertThat(storage.calls).allMatch(call -> call.contains("@profilestore-io-GameLoop-"));
        } finally {
            game.shutdown();
        }
    }
}
