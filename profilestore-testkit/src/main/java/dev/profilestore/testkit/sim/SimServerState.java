package dev.profilestore.testkit.sim;

import dev.profilestore.time.ManualScheduler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * The process around one simulated server: its callback executor (direct, held while paused, dropped
 * once dead), its I/O executor (each store call runs on the simulated clock after a random latency),
 * and whether it is alive. Used only on the run's thread.
 */
final class SimServerState {

    final String id;
    private final ManualScheduler clock;
    private final Random random;
    private final Faults faults;
    private final FaultCounter counter;
    private boolean dead;
    private boolean paused;
    private boolean holdIo;
    private long pausedUntilNanos;
    private final ArrayDeque<Runnable> heldCallbacks = new ArrayDeque<>();
    private final ArrayDeque<Runnable> heldIo = new ArrayDeque<>();
    /** Set while a store call that is to time out runs, for {@link SimStorage}. */
    boolean callTimesOut;
    private long pausedSinceNanos;
    private long pausedTotalNanos;
    private long stalledUntilNanos;
    /** TEST ONLY ({@link SimConfig.Mutation#CALLS_NEVER_RETURN}): store calls never run, so they never answer. */
    boolean hung;

    SimServerState(String id, ManualScheduler clock, Random random, Faults faults, FaultCounter counter) {
        this.id = id;
        this.clock = clock;
        this.random = random;
        this.faults = faults;
        this.counter = counter;
    }

    boolean alive() {
        return !dead;
    }

    boolean paused() {
        return paused;
    }

    long pausedUntilNanos() {
        return pausedUntilNanos;
    }

    /** The game thread: runs tasks at once, holds them while paused, drops them once dead. */
    final Executor callbacks = this::runCallback;

    /** Store calls: each runs on the simulated clock after a latency; a timing-out call takes seconds. */
    final Executor io = this::submitIo;

    private void runCallback(Runnable task) {
        if (dead) {
            return;
        }
        if (paused) {
            heldCallbacks.add(task);
            return;
        }
        task.run();
    }

    private void submitIo(Runnable task) {
        if (dead || hung) {
            return;
        }
        boolean timeout = random.nextDouble() < faults.p(FaultKind.STORAGE_TIMEOUT);
        long latency = random.nextInt(20) < 1 ? 50_000_000L + random.nextInt(450_000_000)
                : 500_000L + random.nextInt(15_000_000);
        long hang = 2_000_000_000L + (long) (random.nextDouble() * 6_000_000_000L);
        clock.schedule(Duration.ofNanos(timeout ? hang : latency), () -> runIo(task, timeout));
    }

    private void runIo(Runnable task, boolean timeout) {
        if (dead) {
            return;
        }
        if (paused && holdIo) {
            heldIo.add(() -> runIo(task, timeout));
            return;
        }
        if (hung) {
            return;
        }
        if (clock.nanoTime() < stalledUntilNanos) {
            clock.schedule(Duration.ofNanos(stalledUntilNanos - clock.nanoTime()), () -> runIo(task, timeout));
            return;
        }
        callTimesOut = timeout;
        try {
            task.run();
        } finally {
            callTimesOut = false;
        }
    }

    /** Time this process spent paused so far, the current pause included: deadlines do not run while frozen. */
    long pausedNanos() {
        return pausedTotalNanos + (paused ? clock.nanoTime() - pausedSinceNanos : 0);
    }

    /** The store I/O of this process stalls until {@code untilNanos}: calls wait, then run in order. */
    void stallIo(long untilNanos) {
        stalledUntilNanos = Math.max(stalledUntilNanos, untilNanos);
    }

    /** The process dies: nothing it does reaches anyone any more, and everything it holds is dropped. */
    void crash() {
        dead = true;
        heldCallbacks.clear();
        heldIo.clear();
    }

    /** The process freezes until {@link #resume}: callbacks wait, and with {@code holdIo} so do replies and requests. */
    void pause(boolean holdIo, long untilNanos) {
        paused = true;
        pausedSinceNanos = clock.nanoTime();
        this.holdIo = holdIo;
        this.pausedUntilNanos = untilNanos;
    }

    /** The process thaws: held store calls go out (late), then held callbacks run in order. */
    void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        pausedTotalNanos += clock.nanoTime() - pausedSinceNanos;
        for (Runnable r : List.copyOf(heldIo)) {
            heldIo.poll();
            r.run();
        }
        while (!heldCallbacks.isEmpty() && !dead && !paused) {
            heldCallbacks.poll().run();
        }
    }
}
