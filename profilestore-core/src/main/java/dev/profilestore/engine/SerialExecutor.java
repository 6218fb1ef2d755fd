package dev.profilestore.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor that may itself be
 * multi-threaded or the caller's thread. This is the store's event loop.
 *
 * <p>When the delegate is the store's own thread ({@code callersMayRun}), a thread about to block for a result of
 * the loop ({@link #runWhileWaiting}) runs the queued tasks itself while no other thread is running them. Why: a
 * blocking call's work is queued here and its caller parked, so every call cost two thread wake-ups (the loop's,
 * then the caller's), and those, not the tasks' CPU, were most of a session cycle on the in-memory store
 * (docs/benchmarks.md). For the same reason the store's own I/O threads run the loop's tasks after a store call
 * answers ({@link #runHere}). Tasks still run one at a time and in order; only the thread differs. Not done for an
 * executor the game gave: its tasks must run where the game said.
 */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    // Bounded batches keep a shared game-thread executor responsive when many tasks queue up.
    private static final int BATCH = 256;

    private final Executor delegate;
    private final boolean callersMayRun;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** A drain is handed to the delegate and has not finished. Guarded by {@code tasks}. */
    private boolean scheduled;
    /** Some thread (the delegate's drain or a waiting caller) is running tasks now. Guarded by {@code tasks}. */
    private boolean running;
    private volatile Thread runner;

    SerialExecutor(Executor delegate) {
        this(delegate, false);
    }

    SerialExecutor(Executor delegate, boolean callersMayRun) {
        this.delegate = delegate;
        this.callersMayRun = callersMayRun;
    }

    @Override
    public void execute(Runnable task) {
        execute(task, false);
    }

    /**
     * Queues {@code task}; with {@code callerRuns}, a caller that calls {@link #runWhileWaiting} or {@link #runHere}
     * right after runs it itself when no other thread is running tasks, so no drain is handed to the loop's thread
     * for it.
     */
    void execute(Runnable task, boolean callerRuns) {
        boolean start;
        synchronized (tasks) {
            tasks.add(task);
            // A thread running tasks now takes this one too, or hands the rest to a drain when it stops.
            start = !scheduled && !running && !(callerRuns && callersMayRun);
            scheduled |= start;
        }
        if (start) {
            schedule();
        }
    }

    /**
     * Hands a drain to the delegate. When the delegate was shut down (the store closed), the caller drains instead:
     * a store call that answers late (one waiting out a failover) still completes the futures waiting for it, so none
     * stays pending. Only one drainer runs at a time, since {@code running} says so, and the loop's own thread is
     * gone, so nothing races it.
     */
    private void schedule() {
        try {
            delegate.execute(this::drain);
        } catch (RejectedExecutionException e) {
            log.debug("the event loop's executor is shut down: its remaining tasks run on the calling thread");
            drain();
        }
    }

    /** Whether the calling thread is running a task of this executor now. */
    boolean inLoop() {
        return runner == Thread.currentThread();
    }

    private void drain() {
        synchronized (tasks) {
            scheduled = false;
            if (running) {
                return; // a waiting caller runs them, and schedules a drain again if it leaves any
            }
            running = true;
        }
        Thread previous = runner;
        runner = Thread.currentThread();
        boolean more = true;
        try {
            for (int i = 0; i < BATCH && more; i++) {
                more = runNext();
            }
        } finally {
            runner = previous;
            release();
        }
    }

    /**
     * The calling thread, about to block until {@code result} completes, runs the queued tasks itself while no
     * other thread runs them and {@code result} is not done; returns when either stops, handing any tasks left to
     * the loop's thread. The caller then waits as usual: for a store call on another thread, say, whose answer the
     * loop's own thread will run.
     */
    void runWhileWaiting(Future<?> result) {
        runTasks(result);
    }

    /**
     * The calling thread runs the queued tasks itself, up to a batch, when no other thread runs them; any left are
     * handed to the loop's thread. For the store's own I/O threads after a store call answered: its continuation
     * then runs where the answer is, instead of waking the loop's thread for it (see {@link IoThreads}).
     */
    void runHere() {
        runTasks(null);
    }

    /** Runs tasks here until none is left, a batch is done, or {@code result} (when given) is done. */
    private void runTasks(Future<?> result) {
        if (!callersMayRun) {
            return;
        }
        synchronized (tasks) {
            if (running) {
                return; // that thread runs the tasks, the caller's among them, or hands them on when it stops
            }
            running = true;
        }
        Thread previous = runner;
        runner = Thread.currentThread();
        try {
            // A waiting caller runs until its result is done (each task may be the one that completes it); a helper
            // runs one batch, like a drain.
            for (int i = 0; result != null ? !result.isDone() : i < BATCH; i++) {
                if (!runNext()) {
                    break;
                }
            }
        } finally {
            runner = previous;
            release();
        }
    }

    /** Runs the next queued task; false when there was none. */
    private boolean runNext() {
        Runnable next;
        synchronized (tasks) {
            next = tasks.poll();
        }
        if (next == null) {
            return false;
        }
        try {
            next.run();
        } catch (Throwable t) {
            log.error("a profile store task failed", t);
        }
        return true;
    }

    /** Stops running tasks; tasks left (or queued meanwhile) get a drain on the delegate. */
    private void release() {
        boolean start;
        synchronized (tasks) {
            running = false;
            start = !tasks.isEmpty() && !scheduled;
            scheduled |= start;
        }
        if (start) {
            schedule();
        }
    }
}
