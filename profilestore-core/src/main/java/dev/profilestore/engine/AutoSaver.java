package dev.profilestore.engine;

import dev.profilestore.time.Scheduler;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Auto-save spread evenly over the period, as in the original: with n active profiles, one is saved
 * every period/n, the one whose turn is oldest, so writes never come in bursts. A profile loaded less
 * than half a period ago is skipped. Used only on the event loop.
 */
final class AutoSaver<T> {

    private final RecordUpdater<T> records;
    // Insertion order is the rotation; moving a profile to the back is a remove and an add, both O(1).
    private final LinkedHashSet<ActiveProfile<T>> ring = new LinkedHashSet<>();
    private Scheduler.Cancellable timer;
    private boolean stopped;

    private final SessionWriter<T> writer;

    AutoSaver(RecordUpdater<T> records, SessionWriter<T> writer) {
        this.records = records;
        this.writer = writer;
    }

    void add(ActiveProfile<T> p) {
        ring.add(p);
        if (timer == null) {
            schedule();
        }
    }

    void remove(ActiveProfile<T> p) {
        ring.remove(p);
    }

    /** A manual save resets the profile's turn. */
    void moveToBack(ActiveProfile<T> p) {
        if (ring.remove(p)) {
            ring.add(p);
        }
    }

    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void schedule() {
        if (stopped || ring.isEmpty()) {
            timer = null;
            return;
        }
        Duration step = records.timings.autoSavePeriod().dividedBy(ring.size());
        timer = records.scheduler.schedule(step, () -> records.loop.execute(this::tick));
    }

    private void tick() {
        timer = null;
        if (stopped || ring.isEmpty()) {
            return;
        }
        Iterator<ActiveProfile<T>> it = ring.iterator();
        ActiveProfile<T> next = it.next();
        it.remove();
        ring.add(next);
        long age = records.scheduler.nanoTime() - next.loadedAtNanos;
        if (age >= records.timings.autoSavePeriod().toNanos() / 2) {
            writer.save(next, false);
        }
        schedule();
    }
}
