package dev.profilestore.engine;

import dev.profilestore.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Where one session's profile belongs: the store's loop (no executor), or the player's executor given with
 * {@code SessionOptions.withCallbackExecutor}. The loop hands the session's callbacks and snapshots to the player's
 * executor and waits for them, so the loop's view of the profile and the player's never interleave.
 */
final class SessionOwner {

    private static final Logger log = LoggerFactory.getLogger(SessionOwner.class);

    /** The profile belongs to the loop itself: tasks run inline. */
    static final SessionOwner LOOP = new SessionOwner(null, Duration.ZERO);

    private final Executor executor;
    private final Duration max;

    private SessionOwner(Executor executor, Duration max) {
        this.executor = executor;
        this.max = max;
    }

    /** The owner for a session: the loop when {@code executor} is null. */
    static SessionOwner of(Executor executor, Duration max) {
        return executor == null ? LOOP : new SessionOwner(executor, max);
    }

    /**
     * Runs {@code task} as the owner and returns its result; its exceptions are rethrown here.
     *
     * @throws StorageException when the owner did not start the task within the storage timeout (it never will)
     */
    <R> R call(Supplier<R> task) {
        if (executor == null) {
            return task.get();
        }
        // Claimed by whichever comes first, the task or the timeout: a task given up on must never run later,
        // when the loop has moved on and would race it.
        var claimed = new AtomicBoolean();
        var result = new CompletableFuture<R>();
        try {
            executor.execute(() -> {
                if (claimed.compareAndSet(false, true)) {
                    try {
                        result.complete(task.get());
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            throw new StorageException("the session's callback executor rejected a task", e);
        }
        try {
            try {
                return result.get(max.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (claimed.compareAndSet(false, true)) {
                    throw new StorageException("the session's callback executor did not run a task within " + max);
                }
                return result.get(); // it started just now: wait for it to finish
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the session's callback executor", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new StorageException("a task on the session's callback executor failed", e.getCause());
        }
    }

    /** Runs {@code task} as the owner; false when the owner did not run it in time (it then never runs). */
    boolean run(Runnable task) {
        try {
            call(() -> {
                task.run();
                return null;
            });
            return true;
        } catch (StorageException e) {
            log.error("a session callback was skipped: {}", e.getMessage());
            return false;
        }
    }
}
