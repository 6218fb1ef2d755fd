package dev.profilestore.engine;

import dev.profilestore.time.Scheduler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this store instance's lease in the store alive, one renewal every third of the lease. While it
 * runs, no other server takes over this instance's profiles without asking; if the process dies, they are
 * taken over once the lease runs out by the store's clock.
 *
 * <p>Renewals are due at a fixed rate and run on threads of their own, never queued behind the store's
 * other I/O: a backlog of saves, or one renewal that hangs, must not let a healthy server's lease lapse.
 * A renewal is idempotent (it sets the end to now + lease), so a late one overlapping the next is harmless;
 * at most {@link #MAX_IN_FLIGHT} run at once, so a store that hangs every call does not pile up threads. A
 * user-given I/O executor is used as it is: the user then decides what renewals queue behind.
 */
final class LeaseKeeper {

    private static final int MAX_IN_FLIGHT = 3;

    private final RecordUpdater<?> records;
    /** Where renewals run: threads of their own, or the user's I/O executor when one was given. */
    private final Executor threads;
    private final ExecutorService ownThreads;
    private Scheduler.Cancellable timer;
    private volatile boolean ready;
    /** Scheduler time of the last successful renewal, and whether the latest one failed: for {@code health()}. */
    private volatile long renewedAtNanos;
    private volatile boolean lastFailed;
    private boolean stopped;
    private int inFlight;
    /** Completes when the first renewal has been tried, whatever its outcome. */
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();

    /**
     * A keeper whose renewals run on {@code userIo} when not null (the user chose where I/O runs, for example
     * a deterministic executor in a simulation), else on threads of its own.
     */
    LeaseKeeper(RecordUpdater<?> records, Executor userIo) {
        this.records = records;
        if (userIo != null) {
            this.threads = userIo;
            this.ownThreads = null;
            return;
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, MAX_IN_FLIGHT, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "profilestore-lease-" + records.name);
            t.setDaemon(true);
            return t;
        });
        this.threads = pool;
        this.ownThreads = pool;
    }

    void start() {
        records.loop.execute(this::tick);
    }

    /** Whether the lease has been established at least once: a server takes no lock before that. */
    boolean isReady() {
        return ready;
    }

    /** Whether the lease was renewed within its duration in the store. */
    boolean isLive() {
        return ready && records.scheduler.nanoTime() - renewedAtNanos < records.timings.leaseInStore().toNanos();
    }

    /** Whether the latest renewal answered successfully. */
    boolean lastRenewalSucceeded() {
        return ready && !lastFailed;
    }

    /** Completes once the first renewal has been tried, so a start made right after build waits for it. */
    CompletableFuture<Void> firstAttempt() {
        return firstAttempt;
    }

    private void tick() {
        if (stopped) {
            return;
        }
        // The next renewal is scheduled before this one runs, not after it answers.
        timer = records.scheduler.schedule(records.timings.leaseRenewal(), () -> records.loop.execute(this::tick));
        if (inFlight >= MAX_IN_FLIGHT) {
            records.reportError("lease renewal skipped", "", new dev.profilestore.StorageException(inFlight
                    + " earlier renewals of lease " + records.leaseId + " have not answered"));
            return;
        }
        inFlight++;
        records.call(threads, () -> {
            records.storage.renewLease(records.leaseId, records.timings.leaseInStore());
            return null;
        }).whenComplete((v, e) -> {
            inFlight--;
            if (e != null) {
                lastFailed = true;
                records.reportError("lease renewal failed", "", e);
            } else {
                renewedAtNanos = records.scheduler.nanoTime();
                lastFailed = false;
                ready = true;
            }
            firstAttempt.complete(null);
            records.tickCritical();
        });
    }

    /** Stops renewing and ends the lease, so a crash-free shutdown frees leftover locks at once. */
    CompletableFuture<Void> stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel();
        }
        return records.call(() -> {
            records.storage.dropLease(records.leaseId);
            return (Void) null;
        }).exceptionally(e -> {
            records.reportError("dropping the lease failed; it runs out by itself", "", e);
            return null;
        }).whenComplete((v, e) -> {
            if (ownThreads != null) {
                ownThreads.shutdown();
            }
        });
    }
}
