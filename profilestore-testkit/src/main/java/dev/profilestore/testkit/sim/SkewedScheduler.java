package dev.profilestore.testkit.sim;

import dev.profilestore.time.Scheduler;

import java.time.Duration;
import java.time.Instant;

/** A server whose wall clock is off by a fixed amount; monotonic time and timers stay the shared ones. */
record SkewedScheduler(Scheduler base, Duration skew) implements Scheduler {

    @Override
    public long nanoTime() {
        return base.nanoTime();
    }

    @Override
    public Instant instant() {
        return base.instant().plus(skew);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        return base.schedule(delay, task);
    }
}
