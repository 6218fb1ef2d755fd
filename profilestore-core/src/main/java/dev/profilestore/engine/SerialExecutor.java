package dev.profilestore.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor that may itself be
 * multi-threaded or the caller's thread. This is the store's event loop.
 */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    // Bounded batches keep a shared game-thread executor responsive when many tasks queue up.
    private static final int BATCH = 256;

    private final Executor delegate;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean scheduled;
    private volatile Thread runner;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        boolean start;
        synchronized (tasks) {
            tasks.add(task);
            start = !scheduled;
            scheduled = true;
        }
        if (start) {
            schedule();
        }
    }

    /**
     * Hands a drain to the delegate. When the delegate was shut down (the store closed), the caller drains instead:
     * a store call that answers late (one waiting out a failover) still completes the futures waiting for it, so none
     * stays pending. Only one drainer runs at a time, since {@code scheduled} stays set meanwhile, and the loop's own
     * thread is gone, so nothing races it.
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
        Thread previous = runner;
        runner = Thread.currentThread();
        try {
            for (int i = 0; i < BATCH; i++) {
                Runnable next;
                synchronized (tasks) {
                    next = tasks.poll();
                    if (next == null) {
                        scheduled = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (Throwable t) {
                    log.error("a profile store task failed", t);
                }
            }
        } finally {
            runner = previous;
        }
        schedule();
    }
}
