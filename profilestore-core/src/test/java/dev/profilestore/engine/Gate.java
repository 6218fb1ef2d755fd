package dev.profilestore.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A point in a store call where the first caller stops until the test opens it, so a test can hold one step of a
 * protocol (a reply, a read, a lease drop) while it arranges the next. Later callers pass straight through.
 */
final class Gate {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final AtomicBoolean taken = new AtomicBoolean();
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);

    /** Called from the store call: the first caller stops here until {@link #open}; fails after 30 s. */
    void pass() {
        if (!taken.compareAndSet(false, true)) {
            return;
        }
        reached.countDown();
        try {
            if (!open.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to 10 s for the first caller to arrive; true when it did. */
    boolean awaitReached() throws InterruptedException {
        return reached.await(10, TimeUnit.SECONDS);
    }

    /** Lets the caller stopped here, and every later one, go on. */
    void open() {
        open.countDown();
    }
}
