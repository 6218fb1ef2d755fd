package dev.profilestore.testkit.sim;

import dev.profilestore.time.Scheduler;

import java.time.Duration;
import java.time.Instant;

/**
 * The store's own clock (the one leases are measured on): the run's clock plus an offset that
 * {@link FaultKind#STORE_CLOCK_JUMP} moves forward or back. Monotonic time and timers stay shared.
 */
final class StoreClock implements Scheduler {

    private final Scheduler base;
    private Duration offset = Duration.ZERO;

    StoreClock(Scheduler base) {
        this.base = base;
    }

    void jump(Duration by) {
        offset = offset.plus(by);
    }

    @Override
    public long nanoTime() {
        return base.nanoTime();
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        return base.schedule(delay, task);
    }
}
