package dev.profilestore.engine;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The per-key FIFO every store call goes through ({@link KeyQueue}, package-private, hence this package in the
 * bench module). Measures an uncontended pass (the key is free) and a pass that queues behind a running operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyQueueBenchmark {

    private final KeyQueue queue = new KeyQueue(Runnable::run); // hand keys on at once, as the loop would
    private int next;

    /** A free key: acquire, run a completed operation, release. */
    @Benchmark
    public Object freeKey() {
        return queue.run("key-" + (next++ & 1023), () -> CompletableFuture.completedFuture(Boolean.TRUE)).join();
    }

    /** A busy key: a second operation queues behind a running one and runs when it completes. */
    @Benchmark
    public Object queuedBehindRunning() {
        CompletableFuture<Object> running = new CompletableFuture<>();
        CompletableFuture<Object> first = queue.run("busy", () -> running);
        CompletableFuture<Boolean> second = queue.run("busy", () -> CompletableFuture.completedFuture(Boolean.TRUE));
        running.complete(Boolean.TRUE);
        first.join();
        return second.join();
    }
}
