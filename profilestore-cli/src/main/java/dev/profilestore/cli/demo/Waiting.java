package dev.profilestore.cli.demo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Bounded waits of the demo's drivers: a demo that hangs is worse than one that says what it waited for. */
public final class Waiting {

    private Waiting() {
    }

    /** Waits until {@code condition} holds, checking every 10 ms; fails naming {@code what} after {@code max}. */
    public static void until(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + max);
            }
            Thread.sleep(10);
        }
    }

    /** Waits for every future to finish, failed or not; the caller examines failures. */
    public static void awaitAll(List<? extends CompletableFuture<?>> futures, Duration max) throws InterruptedException {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // individual failures are examined by the caller
        } catch (TimeoutException e) {
            throw new IllegalStateException("gave up after " + max + " waiting for " + futures.stream()
                    .filter(f -> !f.isDone()).count() + " operations");
        }
    }
}
