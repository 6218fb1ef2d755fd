package dev.profilestore.engine;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Per-key FIFO of store operations from this server (the original's UpdateQueue): operations on one
 * key run one at a time, in call order. Used only on the event loop, so it needs no locks.
 */
final class KeyQueue {

    private final Map<String, ArrayDeque<Runnable>> waiting = new HashMap<>();
    private final java.util.concurrent.Executor releases;

    /** A queue whose keys are handed on by tasks on {@code releases} (the event loop). */
    KeyQueue(java.util.concurrent.Executor releases) {
        this.releases = releases;
    }

    /** Runs {@code op} once every earlier operation on {@code key} has finished. */
    <R> CompletableFuture<R> run(String key, Supplier<CompletableFuture<R>> op) {
        return runAll(List.of(key), op);
    }

    /**
     * Runs {@code op} holding every key at once. It takes its place in every key's queue now, in one
     * go on the loop, so the queues agree on the order of all operations and cannot wait on each other;
     * and nothing called later on any of these keys can run before it.
     */
    <R> CompletableFuture<R> runAll(List<String> keys, Supplier<CompletableFuture<R>> op) {
        List<String> sorted = keys.stream().distinct().sorted().toList();
        CompletableFuture<?>[] turns = sorted.stream().map(this::acquire).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(turns).thenCompose(v -> {
            CompletableFuture<R> result;
            try {
                result = op.get();
            } catch (Throwable t) {
                result = CompletableFuture.failedFuture(t);
            }
            // Released in a later task, so callbacks on the result (a game undoing a failed trade, say) run
            // before the next operation on these keys takes its snapshot.
            return result.whenComplete((r, e) -> releases.execute(() -> sorted.forEach(this::release)));
        });
    }

    /** How many keys have an operation running; for tests of leaks. */
    int busyKeys() {
        return waiting.size();
    }

    private CompletableFuture<Void> acquire(String key) {
        ArrayDeque<Runnable> queue = waiting.get(key);
        if (queue == null) {
            waiting.put(key, new ArrayDeque<>());
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> turn = new CompletableFuture<>();
        queue.add(() -> turn.complete(null));
        return turn;
    }

    private void release(String key) {
        ArrayDeque<Runnable> queue = waiting.get(key);
        Runnable next = queue == null ? null : queue.poll();
        if (next == null) {
            waiting.remove(key);
        } else {
            next.run();
        }
    }
}
