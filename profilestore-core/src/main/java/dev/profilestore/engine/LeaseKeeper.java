package dev.profilestore.engine;

import dev.profilestore.time.Scheduler;

import java.util.concurrent.CompletableFuture;

/**
 * Keeps this server's lease in the store alive, one write every third of the lease. While it runs, no
 * other server takes over this server's profiles without asking; if the process dies, they are taken
 * over once the lease runs out by the store's clock.
 */
final class LeaseKeeper {

    private final StoreEngine<?> engine;
    private Scheduler.Cancellable timer;
    private volatile boolean ready;
    private boolean stopped;
    /** Completes when the first renewal has been tried, whatever its outcome. */
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();

    LeaseKeeper(StoreEngine<?> engine) {
        this.engine = engine;
    }

    void start() {
        engine.loop.execute(this::renew);
    }

    /** Whether the lease has been established at least once: a server takes no lock before that. */
    boolean isReady() {
        return ready;
    }

    /** Completes once the first renewal has been tried, so a start made right after build waits for it. */
    CompletableFuture<Void> firstAttempt() {
        return firstAttempt;
    }

    private void renew() {
        if (stopped) {
            return;
        }
        engine.call(() -> {
            engine.storage.renewLease(engine.serverId, engine.timings.leaseInStore());
            return null;
        }).whenComplete((v, e) -> {
            if (e != null) {
                engine.reportError("lease renewal failed", "", e);
            } else {
                ready = true;
            }
            firstAttempt.complete(null);
            engine.tickCritical();
            if (!stopped) {
                timer = engine.scheduler.schedule(engine.timings.leaseRenewal(), () -> engine.loop.execute(this::renew));
            }
        });
    }

    /** Stops renewing and ends the lease, so a crash-free shutdown frees leftover locks at once. */
    CompletableFuture<Void> stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel();
        }
        return engine.call(() -> {
            engine.storage.dropLease(engine.serverId);
            return (Void) null;
        }).exceptionally(e -> {
            engine.reportError("dropping the lease failed; it runs out by itself", "", e);
            return null;
        });
    }
}
