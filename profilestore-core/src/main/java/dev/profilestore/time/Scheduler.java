package dev.profilestore.time;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Clocks and timers for the engine. Monotonic time ({@link #nanoTime()}) drives every timeout; wall
 * time ({@link #instant()}) is only written into records for people to read.
 */
public interface Scheduler extends InstantSource {

    /** Monotonic time in nanoseconds, for measuring durations. */
    long nanoTime();

    /** Wall-clock time. */
    @Override
    Instant instant();

    /** Runs {@code task} once after {@code delay}, on a thread of the scheduler's choosing. */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task. */
    @FunctionalInterface
    interface Cancellable {
        /** Stops the task if it has not started; idempotent. */
        void cancel();
    }

    /** The real clocks, with one daemon timer thread. */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }
}
