package dev.profilestore.cli.demo;

import dev.profilestore.time.Scheduler;

import java.time.Duration;
import java.time.Instant;

/**
 * The system clock and timers, for one simulated server, that stop for good when the server crashes: a dead
 * process renews no lease and runs no auto-save, retry or poll.
 */
final class FreezableScheduler implements Scheduler {

    private final Scheduler delegate = Scheduler.system();
    private volatile boolean frozen;

    void freeze() {
        frozen = true;
    }

    @Override
    public long nanoTime() {
        return delegate.nanoTime();
    }

    @Override
    public Instant instant() {
        return delegate.instant();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        if (frozen) {
            return () -> { };
        }
        return delegate.schedule(delay, () -> {
            if (!frozen) {
                task.run();
            }
        });
    }
}
