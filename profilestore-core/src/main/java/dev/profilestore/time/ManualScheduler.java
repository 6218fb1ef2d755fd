package dev.profilestore.time;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A scheduler whose time moves only when told to. Timers run on the thread that calls
 * {@link #advance}, in due order. For tests, and for deterministic simulation. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final Instant epoch;
    private long nanos;
    private long sequence;

    /** Starts at the given wall-clock instant. */
    public ManualScheduler(Instant start) {
        this.epoch = start;
    }

    /** Starts at 2026-01-01T00:00:00Z. */
    public ManualScheduler() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant instant() {
        return epoch.plusNanos(nanos);
    }

    /** Time passed since construction. */
    public synchronized Duration elapsed() {
        return Duration.ofNanos(nanos);
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(nanos + Math.max(0, delay.toNanos()), sequence++, task);
        queue.add(t);
        return () -> {
            synchronized (ManualScheduler.this) {
                queue.remove(t);
            }
        };
    }

    /** Moves time forward by {@code duration}, running every timer that falls due, at its due time. */
    public void advance(Duration duration) {
        long target;
        synchronized (this) {
            target = nanos + duration.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due > target) {
                    nanos = Math.max(nanos, target);
                    return;
                }
                queue.poll();
                nanos = Math.max(nanos, next.due);
            }
            next.task.run();
        }
    }

    /** Runs the timers due now without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** How many timers are waiting. */
    public synchronized int pendingTimers() {
        return queue.size();
    }

    /** When the next timer falls due, relative to now, or null if none is waiting. */
    public synchronized Duration nextDue() {
        Task next = queue.peek();
        return next == null ? null : Duration.ofNanos(next.due - nanos);
    }

    private record Task(long due, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
